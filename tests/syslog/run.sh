#!/usr/bin/env bash
# End-to-end test of secretsift inside real syslog daemons (issue 10):
#   syslog-ng  with the python() parser secretsift.integrations.syslog_ng.Redact (from the wheel)
#   rsyslog    with `secretsift redact --rsyslog fulljson` as an mmexternal program
# Each daemon is started and stopped by tests/syslog/e2e.py in a temporary folder, listening on
# 127.0.0.1 only; no system instance is used or started.
#
# Installs what it needs on a fresh Debian machine (as root):
#   - syslog-ng-core and syslog-ng-mod-python with apt-get, if missing;
#   - rsyslog: Debian's rsyslog and syslog-ng-core conflict (both are "the system logger"),
#     so unless rsyslogd is already installed, Debian's rsyslog package is fetched with
#     `apt-get download` and unpacked under target/syslog-daemons/ (never installed), and its
#     libraries are installed with apt-get.
# Builds the CLI (debug) and the Python wheel (bindings/python/.venv's maturin, which
# bindings/python/test.sh sets up), installs the wheel into a folder syslog-ng's own Python
# (Debian's /usr/bin/python3) reads, then runs the test.
#
#   tests/syslog/run.sh                   # both daemons
#   tests/syslog/run.sh --only rsyslog    # extra arguments go to e2e.py
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
work="$root/target/syslog-test"
daemons="$root/target/syslog-daemons"
mkdir -p "$work" "$daemons"

step() { printf '\n==> syslog: %s\n' "$*"; }

apt_updated=""
apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "syslog: need root to install $* (or install them first)" >&2
        exit 2
    fi
    [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
    # --no-remove: never take away an installed package (such as a system rsyslog) to make room.
    # No service is started: policy-rc.d below answers "no" to every start request.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --no-remove "$@"
}

# Keep package scripts from starting system logging services while we install.
policy=/usr/sbin/policy-rc.d
if [ "$(id -u)" = 0 ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
fi

step "syslog-ng with the Python module"
if ! command -v syslog-ng >/dev/null || ! ls /usr/lib/syslog-ng/*/libmod-python*.so >/dev/null 2>&1; then
    if dpkg-query -W -f '${Status}' rsyslog 2>/dev/null | grep -q 'install ok installed'; then
        echo "syslog: Debian's rsyslog package is installed and conflicts with syslog-ng-core;" \
             "this test never removes it: install syslog-ng-core syslog-ng-mod-python yourself" \
             "(apt-get install rsyslog- syslog-ng-core syslog-ng-mod-python), then rerun" >&2
        exit 2
    fi
    apt_install syslog-ng-core syslog-ng-mod-python
fi
syslog-ng --version | head -1

step "rsyslog"
rsyslogd="$(command -v rsyslogd || true)"
modules=""
if [ -z "$rsyslogd" ]; then
    unpacked="$daemons/rsyslog"
    if [ ! -x "$unpacked/usr/sbin/rsyslogd" ]; then
        [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
        rm -rf "$daemons/deb" "$unpacked"
        mkdir -p "$daemons/deb"
        (cd "$daemons/deb" && apt-get download -q rsyslog 2>&1 | grep -v 'unsandboxed' || true)
        deb="$(ls "$daemons"/deb/rsyslog_*.deb)"
        # Its libraries (first alternative of each Depends entry, versions dropped).
        mapfile -t libs < <(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | grep .)
        apt_install "${libs[@]}"
        dpkg-deb -x "$deb" "$unpacked"
    fi
    rsyslogd="$unpacked/usr/sbin/rsyslogd"
    modules="$(dirname "$(ls "$unpacked"/usr/lib/*/rsyslog/imtcp.so)")"
fi
"$rsyslogd" -v | head -1

step "build the CLI"
cargo build -q --locked -p secretsift-cli
cli="$root/target/debug/secretsift"

step "build the wheel and install it where syslog-ng's Python finds it"
venv="$root/bindings/python/.venv"
if [ ! -x "$venv/bin/maturin" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "$(grep -E '^maturin==' bindings/python/requirements-test.txt)"
fi
rm -rf "$work/wheel" "$work/pylib"
(cd bindings/python && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin build -q --release --out "$work/wheel")
"$venv/bin/pip" install -q --no-deps --target "$work/pylib" "$work"/wheel/secretsift-*.whl
# The very interpreter syslog-ng embeds must import it (Debian's python3, not a venv's).
pyver="$(ls /usr/lib/syslog-ng/*/libmod-python.cpython-*.so | sed -E 's/.*cpython-([0-9])([0-9]+)-.*/\1.\2/' | head -1)"
"/usr/bin/python$pyver" -c "import sys; sys.path.insert(0, '$work/pylib'); import secretsift.integrations.syslog_ng as m; print('secretsift', m.__name__, 'imports in', sys.version.split()[0])"

# For benches/syslog/bench.sh: where the daemons and the wheel are.
cat > "$work/env.sh" <<EOF
rsyslogd='$rsyslogd'
rsyslog_modules='$modules'
pylib='$work/pylib'
EOF
[ -z "${SECRETSIFT_SYSLOG_SETUP_ONLY:-}" ] || exit 0

step "end to end: messages through each daemon"
args=(--cli "$cli" --pylib "$work/pylib" --rsyslogd "$rsyslogd")
[ -z "$modules" ] || args+=(--rsyslog-modules "$modules")
python3 tests/syslog/e2e.py "${args[@]}" "$@"
