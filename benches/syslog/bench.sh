#!/usr/bin/env bash
# Messages per second through syslog-ng and rsyslog, with and without the secretsift filter,
# on the same input. Sets up the daemons and the wheel as the e2e test does (tests/syslog/run.sh),
# builds the CLI in release mode, then runs bench.py (a Markdown table on stdout).
#
#   benches/syslog/bench.sh                       # 100,000 messages, best of 3 rounds, all rows
#   benches/syslog/bench.sh -n 200000 --rounds 5  # extra arguments go to bench.py
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
SECRETSIFT_SYSLOG_SETUP_ONLY=1 bash tests/syslog/run.sh >/dev/null
# shellcheck disable=SC1091
. target/syslog-test/env.sh
cargo build -q --locked --release -p secretsift-cli
args=(--cli target/release/secretsift --pylib "$pylib" --rsyslogd "$rsyslogd")
[ -z "$rsyslog_modules" ] || args+=(--rsyslog-modules "$rsyslog_modules")
python3 benches/syslog/bench.py "${args[@]}" --reference --last-hop "$@"
