"""Messages per second through real syslog daemons, with and without the secretsift filter, on
the same input (see bench.sh). Prints a Markdown table.

The time of a run is from the first byte sent (one TCP connection, RFC 6587 octet counting) to
the last byte the daemon writes to its output file, after one warm-up message went through (so
filter programs have started and built their engine); each configuration runs ``--rounds`` times
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
    ap.add_argument("--last-hop", action="store_true",
                    help="add the set-ups that redact the daemon's output stream with "
                         "`secretsift redact`: from a named pipe the daemon writes "
                         "to, and as the daemon's own program()/omprog child")
    ap.add_argument("--only", metavar="TEXT",
                    help="run only the rows whose daemon or path contains TEXT (and the rows "
                         "their cost is measured against)")
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

    cli = args.cli.resolve()
    redact = f"{cli} redact --no-config --quiet"
    here = Path(__file__).resolve().parent
    one_rule = f"--no-default-rules --rules {here / 'one-rule.toml'}"
    base = "without filter"
    cat_ng = "program() destination into cat (last-hop baseline)"
    cat_rs = "omprog into cat (last-hop baseline)"
    # (daemon, path, daemon factory, output redacted?, the row whose rate is the baseline)
    Config = Tuple[str, str, Callable[[Path], harness.Daemon], bool, Optional[str]]
    configs: List[Config] = [
        ("syslog-ng", base, lambda d: harness.syslog_ng(d, None, False), False, None),
        ("syslog-ng", "python() parser Redact",
         lambda d: harness.syslog_ng(d, args.pylib.resolve(), True), True, base),
    ]
    if args.reference:
        configs.append(("syslog-ng", "python() parser that does nothing (reference)",
                        lambda d: harness.syslog_ng(d, args.pylib.resolve(), True,
                                                    "noop_parser.Noop", here), False, base))
    if args.last_hop:
        configs += [
            ("syslog-ng", "pipe() destination, named pipe read by cat (reference)",
             lambda d: harness.syslog_ng_fifo(d, "cat"), False, base),
            ("syslog-ng", "last hop: pipe() destination, named pipe read by `secretsift redact`",
             lambda d: harness.syslog_ng_fifo(d, redact), True, base),
            ("syslog-ng", cat_ng, lambda d: harness.syslog_ng_pipe(d, "cat"), False, None),
            ("syslog-ng", "last hop: program() destination into `secretsift redact`",
             lambda d: harness.syslog_ng_pipe(d, redact), True, cat_ng),
        ]
    configs += [
        ("rsyslog", base,
         lambda d: harness.rsyslog(d, args.rsyslogd, args.rsyslog_modules, None, False), False,
         None),
        ("rsyslog", "mmexternal `secretsift redact --rsyslog fulljson`",
         lambda d: harness.rsyslog(d, args.rsyslogd, args.rsyslog_modules, cli, True), True,
         base),
    ]
    if args.reference:
        configs.append(("rsyslog", "mmexternal secretsift, 1 rule only (reference)",
                        lambda d: harness.rsyslog(d, args.rsyslogd, args.rsyslog_modules, cli,
                                                  True, one_rule), False, base))
    if args.last_hop:
        configs += [
            ("rsyslog", "omfile into a named pipe read by cat (reference)",
             lambda d: harness.rsyslog_fifo(d, args.rsyslogd, args.rsyslog_modules, "cat"),
             False, base),
            ("rsyslog", "last hop: omfile into a named pipe read by `secretsift redact`",
             lambda d: harness.rsyslog_fifo(d, args.rsyslogd, args.rsyslog_modules, redact),
             True, base),
            ("rsyslog", cat_rs,
             lambda d: harness.rsyslog_pipe(d, args.rsyslogd, args.rsyslog_modules, "/bin/cat"),
             False, None),
            ("rsyslog", "last hop: omprog into `secretsift redact`",
             lambda d: harness.rsyslog_pipe(d, args.rsyslogd, args.rsyslog_modules, redact), True,
             cat_rs),
        ]

    if args.only:
        keep = [c for c in configs if args.only in f"{c[0]} {c[1]}"]
        needed = {(c[0], c[4]) for c in keep if c[4]}
        configs = [c for c in configs if c in keep or (c[0], c[1]) in needed]

    rates: Dict[Tuple[str, str], float] = {}
    rows = []
    for daemon, label, make, filtered, baseline in configs:
        best = 0.0
        for _ in range(args.rounds):
            folder = harness.temp_folder(f"secretsift-bench-{daemon}-")
            try:
                result = harness.run(make(folder), stream,
                                     harness.expected_size(corpus, filtered), warmup=True)
                records = result.records[1:]  # after the warm-up message
                want = [m.expected() if filtered else m.body for m in corpus.messages]
                if records != want:
                    print(f"FAIL {daemon} {label}: output differs from the expected "
                          f"({len(records)} of {len(want)} records)")
                    return 1
                best = max(best, len(want) / result.seconds)
            finally:
                harness.remove(folder)
        rates[(daemon, label)] = best
        rows.append((daemon, label, best, baseline))
        print(f"  {daemon:9} {label:58} {best:>10,.0f} msg/s", flush=True)

    print()
    print("| daemon | path | messages/s | cost vs baseline |")
    print("|---|---|---:|---:|")
    for daemon, label, rate, baseline in rows:
        cost = "" if baseline is None else f"{(1 - rate / rates[(daemon, baseline)]) * 100:.0f}%"
        print(f"| {daemon} | {label} | {rate:,.0f} | {cost} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
