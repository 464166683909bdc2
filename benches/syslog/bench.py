"""Messages per second through real syslog daemons, with and without the secretsift filter, on
the same input (see bench.sh). Prints a Markdown table.

The time of a run is from the first byte sent (one TCP connection, RFC 6587 octet counting) to
the last byte the daemon writes to its output file; each configuration runs ``--rounds`` times
and the best round counts (the machine is shared, so the best is the least disturbed). Each
filtered run is also checked: every record as expected, so a fast but wrong filter fails.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "syslog"))
import harness  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cli", type=Path, required=True)
    ap.add_argument("--pylib", type=Path, required=True)
    ap.add_argument("--rsyslogd", default="rsyslogd")
    ap.add_argument("--rsyslog-modules", default=None)
    ap.add_argument("-n", "--messages", type=int, default=100_000)
    ap.add_argument("--key-every", type=int, default=1000, help="one message in N holds keys")
    ap.add_argument("--reference", action="store_true",
                    help="add rows that isolate each daemon's plumbing: a python() parser that "
                         "does nothing, and the rsyslog filter with one rule only")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    corpus = harness.make_corpus(args.messages, seed=11, failing=0, key_every=args.key_every)
    stream = corpus.stream
    c = corpus.counts
    avg = sum(len(m.body) for m in corpus.messages) / len(corpus.messages)
    print(f"input: {c['messages']} messages, {len(stream) / 2**20:.1f} MiB framed, {avg:.0f} bytes "
          f"per message body on average; {c['keys']} fake keys (1 message in {args.key_every}, "
          f"{c['pem']} PEM), {c['multi_line']} multi-line, {c['invalid_utf8']} with invalid UTF-8")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at start")

    configs: List[Tuple[str, str, Callable[[Path], harness.Daemon], Optional[bool]]] = [
        ("syslog-ng", "without filter", lambda d: harness.syslog_ng(d, None, False), False),
        ("syslog-ng", "python() parser Redact",
         lambda d: harness.syslog_ng(d, args.pylib.resolve(), True), True),
        ("rsyslog", "without filter",
         lambda d: harness.rsyslog(d, args.rsyslogd, args.rsyslog_modules, None, False), False),
        ("rsyslog", "mmexternal `secretsift redact --rsyslog fulljson`",
         lambda d: harness.rsyslog(d, args.rsyslogd, args.rsyslog_modules, args.cli.resolve(),
                                   True), True),
    ]
    here = Path(__file__).resolve().parent
    if args.reference:
        configs[1:1] = [("syslog-ng", "python() parser that does nothing (reference)",
                         lambda d: harness.syslog_ng(d, args.pylib.resolve(), True,
                                                     "noop_parser.Noop", here), None)]
        configs.append(("rsyslog", "mmexternal secretsift, 1 rule only (reference)",
                        lambda d: harness.rsyslog(d, args.rsyslogd, args.rsyslog_modules,
                                                  args.cli.resolve(), True,
                                                  "--no-default-rules --rules " + str(here / "one-rule.toml")),
                        None))
    rates: Dict[Tuple[str, bool], float] = {}
    rows = []
    for daemon, label, make, filtered in configs:
        best = 0.0
        for _ in range(args.rounds):
            folder = harness.temp_folder(f"secretsift-bench-{daemon}-")
            try:
                result = harness.run(make(folder), stream,
                                     harness.expected_size(corpus, bool(filtered)))
                # Reference rows (filtered=None) change nothing: their output is the input.
                want = [m.expected() if filtered else m.body for m in corpus.messages]
                if result.records != want:
                    print(f"FAIL {daemon} {label}: output differs from the expected "
                          f"({len(result.records)} of {len(want)} records)")
                    return 1
                best = max(best, len(want) / result.seconds)
            finally:
                harness.remove(folder)
        if filtered is not None:
            rates[(daemon, filtered)] = best
        rows.append((daemon, label, best))
        print(f"  {daemon:9} {label:52} {best:>10,.0f} msg/s", flush=True)

    print()
    print("| daemon | path | messages/s | filter's cost |")
    print("|---|---|---:|---:|")
    for daemon, label, rate in rows:
        base = rates[(daemon, False)]
        cost = "" if rate == base else f"{(1 - rate / base) * 100:.0f}%"
        print(f"| {daemon} | {label} | {rate:,.0f} | {cost} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
