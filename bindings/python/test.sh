#!/usr/bin/env bash
# Builds the secretsift Python package into bindings/python/.venv and runs its tests:
# pytest (API, shared vectors, logging, threads, PySpark), mypy --strict on the package and the
# examples, and stubtest of the native module against its stubs. Exits non-zero on any failure.
#
#   bindings/python/test.sh            # everything
#   bindings/python/test.sh -k vectors # extra arguments go to pytest
#   SECRETSIFT_SKIP_SPARK=1 ...        # leave out the (slow) PySpark test
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

step() { printf '\n==> python: %s\n' "$*"; }

PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || { echo "python3 not found" >&2; exit 2; }
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 9))' || { echo "Python 3.9+ needed" >&2; exit 2; }

step "virtual environment (.venv)"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
export VIRTUAL_ENV="$here/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
unset PYTHONHOME
py="$VIRTUAL_ENV/bin/python"
"$py" --version

# Reinstall only when the pins change.
stamp=".venv/.requirements-test.sha256"
want="$(sha256sum requirements-test.txt | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$py" -m pip install --quiet --upgrade pip
    "$py" -m pip install --quiet -r requirements-test.txt
    echo "$want" > "$stamp"
fi

step "build (maturin develop --release, abi3 wheel for CPython 3.9+)"
maturin develop --release
"$py" -c 'import secretsift, sys; print("secretsift", secretsift.__version__, "on", sys.version.split()[0])'

step "pytest"
pytest_args=(-q -ra)
if [ -n "${SECRETSIFT_SKIP_SPARK:-}" ]; then pytest_args+=(-m "not spark"); fi
"$py" -m pytest "${pytest_args[@]}" "$@"

step "mypy --strict (package and examples)"
"$py" -m mypy --strict python/secretsift examples

step "stubtest (secretsift._native against _native.pyi)"
"$py" -m mypy.stubtest secretsift._native --allowlist stubtest-allowlist.txt

echo
echo "python: all checks passed"
