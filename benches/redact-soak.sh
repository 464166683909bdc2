#!/usr/bin/env bash
# Sustained-stream soak for `secretsift redact`: pushes GiB of log lines (a fake AWS key on
# every 8th line) and then one long line with no newline through a pipe, and reports the
# tool's peak resident memory (GNU time's "Maximum resident set size") for a small and a large
# stream: flat memory means the two figures match, whatever the size.
#
#   benches/redact-soak.sh            # 128 MiB and 1 GiB of lines, then a 1 GiB line
#   SOAK_MIB=4096 benches/redact-soak.sh
#
# Needs /usr/bin/time (Debian package `time`). Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
big_mib="${SOAK_MIB:-1024}"
cargo build -q --release --locked -p secretsift-cli
target=${CARGO_TARGET_DIR:-target}
case $target in /*) ;; *) target="$PWD/$target" ;; esac
bin="$target/release/secretsift"
# Assembled at run time so this script does not itself look like a leak.
key="AKIA""Q3EGRT4WZYPLN5DX"

lines() { # $1 MiB of log lines
    local mib="$1"
    { for i in 1 2 3 4 5 6 7; do printf '2026-11-28T04:00:0%s level=info msg="request handled" path=/api/v1/items/%s ms=12\n' "$i" "$i"; done
      printf '2026-11-28T04:00:08 level=warn msg="login" aws_access_key_id=%s\n' "$key"; } > /tmp/soak-block.$$
    yes "$(cat /tmp/soak-block.$$)" | head -c "$((mib << 20))"
    rm -f /tmp/soak-block.$$
}

one_line() { # $1 MiB without a newline, then a key
    yes "request handled in twelve ms by the front" | tr -d '\n' | head -c "$(($1 << 20))"
    printf ' %s\n' "$key"
}

measure() { # name, generator...
    local name="$1"; shift
    local stats=/tmp/soak-time.$$ out=/tmp/soak-count.$$
    local t0=$SECONDS
    "$@" | /usr/bin/time -v "$bin" redact --no-config --quiet 2>"$stats" \
        | tee >(wc -c > "$out.bytes") | grep -c -F "$key" > "$out.leaks" || true
    local secs=$((SECONDS - t0))
    local rss; rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$stats")
    local code; code=$(awk -F': ' '/Exit status/ {print $2}' "$stats")
    sleep 0.2
    printf '%-34s out=%12s bytes  keys left=%s  exit=%s  peak RSS=%s KiB  %ss\n' \
        "$name" "$(cat "$out.bytes")" "$(cat "$out.leaks")" "$code" "$rss" "$secs"
    [ "$(cat "$out.leaks")" = 0 ] || { echo "a key passed through unredacted" >&2; exit 1; }
    [ "$code" = 0 ] || { cat "$stats" >&2; exit 1; }
    rm -f "$stats" "$out.bytes" "$out.leaks"
}

measure "lines, 128 MiB" lines 128
measure "lines, ${big_mib} MiB" lines "$big_mib"
measure "one line without newline, ${big_mib} MiB" one_line "$big_mib"
