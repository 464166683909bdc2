#!/usr/bin/env bash
# Side-by-side benchmark of secretsift against other open secret scanners; one command.
# Usage: benches/peers/run.sh [--size MiB] [--slow-size MiB] [--timeout s] [--tools a,b] [--corpora x,y]
# Writes benches/peers/RESULTS.md. See benches/peers/README.md. Not part of CI (it takes long).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
# GNU time gives the peak RSS; taskset pins the one-core runs.
if ! /usr/bin/time -v true >/dev/null 2>&1; then
    echo "installing GNU time (Debian package 'time')" >&2
    apt-get install -y -q time >/dev/null
fi
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed" >&2; exit 2; }
exec python3 "$here/run.py" "$@"
