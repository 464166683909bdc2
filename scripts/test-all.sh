#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what the tests need first.
# This is the README's test command, and what CI (.ci/run) calls.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain"
command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; exit 2; }
cargo --version

step "format"
cargo fmt --all -- --check

# Host crates that link a language runtime (PyO3, napi) are built and tested by their own
# scripts below, through their ecosystem's tooling.
HOSTS_EXCLUDED=(--exclude secretsift-python --exclude secretsift-node --exclude secretsift-wasm)

step "build"
cargo build --workspace "${HOSTS_EXCLUDED[@]}" --all-targets --locked

step "clippy (warnings are errors)"
cargo clippy --workspace "${HOSTS_EXCLUDED[@]}" --all-targets --locked -- -D warnings

step "Rust tests (engine, shared vectors, CLI)"
cargo test --workspace "${HOSTS_EXCLUDED[@]}" --locked

step "benches run once as tests (each asserts its expected finding count)"
cargo bench --locked -p secretsift --bench throughput -- --test
cargo bench --locked -p secretsift --bench hostile -- --test

# Each host installs what its tests need and runs them (same shared vectors as the Rust core).
for host in python node wasm; do
    if [ -x "bindings/$host/test.sh" ] || [ -x "$host/test.sh" ]; then
        script="bindings/$host/test.sh"; [ -x "$script" ] || script="$host/test.sh"
        step "$host host: $script"
        bash "$script"
    fi
done

step "log daemons: secretsift inside real syslog-ng and rsyslog (tests/syslog/run.sh)"
bash tests/syslog/run.sh

step "the repository scans clean under its own scanner"
cargo run -q --locked -p secretsift-cli -- scan .

step "no false alarm on the built files of popular npm packages (tests/bundles)"
bash tests/bundles/run.sh

if [ -d ../shared/eval ] || [ -n "${SECRETSIFT_EVAL:-}" ]; then
    step "detection report on ../shared/eval"
    cargo run -q --release --locked -p secretsift --example eval_report
fi

echo
echo "all tests passed"
