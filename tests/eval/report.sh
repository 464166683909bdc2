#!/bin/sh
# Scores the default ruleset on the labelled eval samples (../shared/eval relative to the repo,
# or $SECRETSIFT_EVAL). Flags: --json, --verbose. Skips with a message when the samples are absent.
# The logic lives in engine/examples/eval_report.rs.
set -e
cd "$(dirname "$0")/../.."
exec cargo run -q --release -p secretsift --example eval_report -- "$@"
