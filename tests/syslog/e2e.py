"""End-to-end test: secretsift inside real syslog-ng and rsyslog daemons (see run.sh).

For each daemon and each set-up (the filter inside the daemon, once per message; and the "last
hop", the daemon's output stream redacted by `secretsift redact` from a named pipe):
a few thousand syslog messages over TCP (fake keys of several kinds, multi-line messages with
PEM keys across their lines, bytes that are not UTF-8, and a few messages over the in-daemon
filter's size limit), then asserts on the output file that every message arrived, in order;
that no key survives; that every byte outside the keys is unchanged (each key became
``[REDACTED:<its rule>]``); and, for the in-daemon filters, that the over-long messages came
through whole with the marker and that the filter counted exactly those as failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402


def check(name: str, corpus: harness.Corpus, result: harness.Result,
          per_message: bool = True) -> List[str]:
    """``per_message``: the filter runs once per message inside the daemon, fails the
    over-long ones (passed through marked) and counts them; otherwise (the last hop) it
    redacts the daemon's output stream and has no per-message limit to fail on."""
    problems: List[str] = []
    msgs = corpus.messages
    got = result.records
    if len(got) != len(msgs):
        problems.append(f"{name}: {len(got)} record(s) written, {len(msgs)} sent")
    wrong = [i for i, (m, r) in enumerate(zip(msgs, got)) if r != m.expected(per_message)]
    for i in wrong[:3]:
        # The start of each record, with the planted keys masked even though they are fake.
        shown = got[i]
        for k in msgs[i].keys:
            shown = shown.replace(k, k[:4] + b"****")
        want = msgs[i].expected(per_message)
        problems.append(f"{name}: record {i} differs: got {shown[:60]!r}... ({len(got[i])} bytes), "
                        f"expected {want[:60]!r}... ({len(want)} bytes)")
    if wrong:
        problems.append(f"{name}: {len(wrong)} record(s) differ from the expected redaction")
    blob = b"".join(got)
    survivors = sum(1 for k in corpus.keys if k in blob)
    if survivors:
        problems.append(f"{name}: {survivors} planted key(s) survive in the output")
    if not per_message:
        return problems
    seen, failed = harness.stats_totals(result.stats)
    if (seen, failed) != (len(msgs), corpus.counts["failing"]):
        problems.append(f"{name}: filter counted {seen} message(s), {failed} failed; expected "
                        f"{len(msgs)} and {corpus.counts['failing']}. stats: {result.stats!r}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cli", type=Path, required=True, help="the secretsift binary")
    ap.add_argument("--pylib", type=Path, required=True, help="folder the wheel is installed in")
    ap.add_argument("--rsyslogd", default="rsyslogd")
    ap.add_argument("--rsyslog-modules", default=None, help="rsyslog module folder (-M)")
    ap.add_argument("-n", "--messages", type=int, default=3000)
    ap.add_argument("--only", choices=["syslog-ng", "rsyslog"])
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = ap.parse_args()

    corpus = harness.make_corpus(args.messages)
    c = corpus.counts
    print(f"corpus: {c['messages']} messages, {c['keys']} fake keys "
          f"({', '.join(sorted(harness.KEY_KINDS))}; {harness.PEM_RULE} x{c['pem']}), "
          f"{c['multi_line']} multi-line, {c['invalid_utf8']} with invalid UTF-8, "
          f"{c['failing']} over {harness.MAX_MESSAGE} bytes (must fail, marked)")
    stream = corpus.stream

    last_hop = f"{args.cli.resolve()} redact --no-config --quiet"
    # (daemon, set-up, factory, filter runs per message inside the daemon?)
    daemons: List[tuple[str, str, Callable[[Path], harness.Daemon], bool]] = [
        ("syslog-ng", "python() parser",
         lambda d: harness.syslog_ng(d, args.pylib.resolve(), True), True),
        ("syslog-ng", "last hop", lambda d: harness.syslog_ng_fifo(d, last_hop), False),
        ("rsyslog", "mmexternal", lambda d: harness.rsyslog(
            d, args.rsyslogd, args.rsyslog_modules, args.cli.resolve(), True), True),
        ("rsyslog", "last hop", lambda d: harness.rsyslog_fifo(
            d, args.rsyslogd, args.rsyslog_modules, last_hop), False),
    ]
    passed = failed = 0
    for daemon, setup, make, per_message in daemons:
        if args.only and daemon != args.only:
            continue
        name = f"{daemon} {setup}"
        folder = harness.temp_folder(f"secretsift-e2e-{daemon}-")
        try:
            result = harness.run(make(folder), stream,
                                 harness.expected_size(corpus, True, per_message))
            problems = check(name, corpus, result, per_message)
        except Exception as exc:  # the daemon did not start, or similar: report, go on
            problems = [f"{name}: {exc}"]
            result = None
        if problems:
            failed += 1
            print(f"FAIL {name} (folder {folder})")
            for p in problems:
                print("  " + p)
            if result is not None:
                print("  daemon stderr (last lines):\n    "
                      + "\n    ".join(result.stderr.strip().splitlines()[-8:]))
        else:
            passed += 1
            seen, nfail = harness.stats_totals(result.stats) if result else (0, 0)
            failures = (f"; {nfail} failed and passed through marked (filter counted {seen} "
                        "messages)" if per_message else "")
            print(f"ok   {name}: {len(result.records) if result else 0} of {len(corpus.messages)} "
                  f"records in order, all {len(corpus.keys)} keys redacted, every other byte "
                  f"kept{failures} in {result.seconds if result else 0:.2f}s")
        if not args.keep and not problems:
            harness.remove(folder)
    print(f"syslog-e2e: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
