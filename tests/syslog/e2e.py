"""End-to-end test: secretsift inside real syslog-ng and rsyslog daemons (see run.sh).

For each daemon: a few thousand syslog messages over TCP (fake keys of several kinds, multi-line
messages, bytes that are not UTF-8, and a few messages over the filter's size limit), then
asserts on the daemon's output file that every message arrived, in order; that no key
survives; that every byte outside the keys is unchanged (each key became
``[REDACTED:<its rule>]``); that the over-long messages came through whole with the marker;
and that the filter counted exactly those as failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402


def check(name: str, corpus: harness.Corpus, result: harness.Result) -> List[str]:
    problems: List[str] = []
    msgs = corpus.messages
    got = result.records
    if len(got) != len(msgs):
        problems.append(f"{name}: {len(got)} record(s) written, {len(msgs)} sent")
    wrong = [i for i, (m, r) in enumerate(zip(msgs, got)) if r != m.expected()]
    for i in wrong[:3]:
        # The start of each record, with the planted keys masked even though they are fake.
        shown = got[i]
        for k in msgs[i].keys:
            shown = shown.replace(k, k[:4] + b"****")
        problems.append(f"{name}: record {i} differs: got {shown[:60]!r}... ({len(got[i])} bytes), "
                        f"expected {msgs[i].expected()[:60]!r}... ({len(msgs[i].expected())} bytes)")
    if wrong:
        problems.append(f"{name}: {len(wrong)} record(s) differ from the expected redaction")
    blob = b"".join(got)
    survivors = sum(1 for k in corpus.keys if k in blob)
    if survivors:
        problems.append(f"{name}: {survivors} planted key(s) survive in the output")
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

    daemons: List[tuple[str, Callable[[Path], harness.Daemon]]] = [
        ("syslog-ng", lambda d: harness.syslog_ng(d, args.pylib.resolve(), True)),
        ("rsyslog", lambda d: harness.rsyslog(d, args.rsyslogd, args.rsyslog_modules,
                                               args.cli.resolve(), True)),
    ]
    passed = failed = 0
    for name, make in daemons:
        if args.only and name != args.only:
            continue
        folder = harness.temp_folder(f"secretsift-e2e-{name}-")
        try:
            result = harness.run(make(folder), stream, harness.expected_size(corpus, True))
            problems = check(name, corpus, result)
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
            print(f"ok   {name}: {len(result.records) if result else 0} of {len(corpus.messages)} "
                  f"records in order, all {len(corpus.keys)} keys redacted, every other byte "
                  f"kept; {nfail} failed and passed through marked (filter counted {seen} "
                  f"messages) in {result.seconds if result else 0:.2f}s")
        if not args.keep and not problems:
            harness.remove(folder)
    print(f"syslog-e2e: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
