"""Log lines per second through secretsift (redact_lines, redact, RedactingFilter) and, on the
same lines, through detect-secrets (scan_line) and scrubadub (clean).

    bindings/python/.venv/bin/python bindings/python/bench/bench_logging.py [--lines N] [--peers]

`--peers` creates a venv per peer tool under bindings/python/.bench-venvs/ (their dependencies
conflict; see PEERS.md) and runs them there. The process pins itself to one core. Prints a
Markdown table (the one in bindings/python/README.md) with the machine it ran on.

Times are CPU time of the measuring process (`time.process_time`), not wall time, so that
other work on a shared machine does not count against any tool. Each process is pinned to one
core; secretsift's calls release the GIL but run on the calling thread.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import pathlib
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from typing import Callable, Dict, List, Optional, Tuple

import secretsift
from secretsift.logging import RedactingFilter

HERE = pathlib.Path(__file__).resolve().parent
VENVS = HERE.parent / ".bench-venvs"
PEERS = {
    "detect-secrets": "detect-secrets==1.5.0",
    "scrubadub": "scrubadub==2.0.1",
}


def make_lines(n: int, seed: int = 7) -> List[str]:
    """Typical application log lines, about 110 bytes each; 1 in 100 carries a (fake) key."""
    rnd = random.Random(seed)
    key = "AKIA" + "Q3EGRT4WZYPLN5DX"
    paths = ["/api/v1/users", "/api/v1/orders", "/health", "/static/app.js", "/login"]
    out = []
    for i in range(n):
        ts = f"2026-11-28T02:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z"
        if i % 100 == 42:
            out.append(f"{ts} WARN  auth: retrying upload with aws_access_key_id={key} region=eu-west-1")
        else:
            p = rnd.choice(paths)
            out.append(
                f"{ts} INFO  http: {rnd.choice(['GET', 'POST'])} {p}/{rnd.randrange(10**6)} "
                f"status={rnd.choice([200, 200, 201, 404])} took={rnd.randrange(900)}ms user_id={rnd.randrange(10**5)}"
            )
    return out


def best_rate(fn: Callable[[], int], repeat: int) -> Tuple[float, float]:
    """Median and best items/s over `repeat` runs of `fn` (which returns the item count)."""
    rates = []
    for _ in range(repeat):
        t0 = time.process_time()
        n = fn()
        rates.append(n / (time.process_time() - t0))
    return statistics.median(rates), max(rates)


def bench_secretsift(lines: List[str], repeat: int) -> Dict[str, Tuple[float, float]]:
    engine = secretsift.default_engine()
    res: Dict[str, Tuple[float, float]] = {}
    res["secretsift redact_lines (one call per 10,000 lines)"] = best_rate(
        lambda: sum(len(engine.redact_lines(lines[i : i + 10_000])) for i in range(0, len(lines), 10_000)), repeat
    )
    res["secretsift redact, one call per line"] = best_rate(lambda: len([engine.redact(x) for x in lines]), repeat)
    res["secretsift scan, one call per line"] = best_rate(lambda: len([engine.scan(x) for x in lines]), repeat)
    return res


def bench_filter(lines: List[str], repeat: int) -> Dict[str, float]:
    """µs per record through a real logger + StreamHandler + Formatter, with and without the
    filter; the difference is what the filter adds. Records use %-args like real code does."""
    out: Dict[str, float] = {}

    def run(with_filter: bool) -> float:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        if with_filter:
            handler.addFilter(RedactingFilter())
        log = logging.getLogger(f"bench.{with_filter}")
        log.handlers[:] = [handler]
        log.propagate = False
        log.setLevel(logging.INFO)
        best = float("inf")
        for _ in range(repeat):
            stream.seek(0)
            stream.truncate()
            t0 = time.process_time()
            for x in lines:
                log.info("request %s done", x)
            best = min(best, (time.process_time() - t0) / len(lines))
        return best * 1e6

    base = run(False)
    filt = run(True)
    out["logger.info + StreamHandler, no filter (µs/record)"] = base
    out["same with RedactingFilter (µs/record)"] = filt
    out["RedactingFilter adds (µs/record)"] = filt - base

    # The filter alone on a prepared record (message with one %s argument).
    f = RedactingFilter()
    records = [logging.LogRecord("b", logging.INFO, __file__, 1, "request %s done", (x,), None) for x in lines]
    best = float("inf")
    for _ in range(repeat):
        for r in records:  # restore the original args (the filter may rewrite them)
            r.msg, r.args = "request %s done", (r.args[0],) if isinstance(r.args, tuple) else r.args
        t0 = time.process_time()
        for r in records:
            f.filter(r)
        best = min(best, (time.process_time() - t0) / len(records))
    out["RedactingFilter.filter alone (µs/record)"] = best * 1e6
    return out


PEER_SCRIPTS = {
    "detect-secrets": textwrap.dedent(
        """
        import json, sys, time
        from detect_secrets.core.scan import scan_line
        from detect_secrets.settings import default_settings
        lines = json.load(open(sys.argv[1]))
        with default_settings():
            list(scan_line(lines[0]))  # load plugins
            t0 = time.process_time()
            found = sum(1 for x in lines for _ in scan_line(x))
            dt = time.process_time() - t0
        print(json.dumps({"rate": len(lines) / dt, "found": found}))
        """
    ),
    "scrubadub": textwrap.dedent(
        """
        import json, sys, time
        import scrubadub
        lines = json.load(open(sys.argv[1]))
        scrubber = scrubadub.Scrubber()
        scrubber.clean(lines[0])
        t0 = time.process_time()
        changed = sum(1 for x in lines if scrubber.clean(x) != x)
        dt = time.process_time() - t0
        print(json.dumps({"rate": len(lines) / dt, "found": changed}))
        """
    ),
}


def peer_python(name: str, install: bool) -> Optional[pathlib.Path]:
    py = VENVS / name / "bin" / "python"
    if not py.exists() and install:
        subprocess.run([sys.executable, "-m", "venv", str(VENVS / name)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", PEERS[name]], check=True)
    return py if py.exists() else None


def bench_peer(name: str, lines: List[str], install: bool) -> Optional[Dict[str, float]]:
    py = peer_python(name, install)
    if py is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data = pathlib.Path(tmp) / "lines.json"
        data.write_text(json.dumps(lines))
        script = pathlib.Path(tmp) / "run.py"
        script.write_text(PEER_SCRIPTS[name])
        cmd = [str(py), str(script), str(data)]
        if hasattr(os, "sched_getaffinity"):
            cmd = ["taskset", "-c", str(min(os.sched_getaffinity(0))), *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{name} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
            return None
        result: Dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
        return result


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}, {os.cpu_count()} cores (pinned to 1), {platform.system()} {platform.release()}, "
        f"CPython {platform.python_version()}, secretsift {secretsift.__version__} "
        f"({len(secretsift.default_engine().rule_ids)} rules); load average at start {load:.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--peer-lines", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--peers", action="store_true", help="install the peer tools if missing")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    lines = make_lines(args.lines)
    print(f"machine: {machine()}")
    print(f"input: {len(lines):,} log lines, {sum(map(len, lines)) / len(lines):.0f} bytes on average, 1% with a key\n")
    rows: List[Tuple[str, str, str]] = []
    for name, (med, best) in bench_secretsift(lines, args.repeat).items():
        rows.append((name, f"{med:,.0f}", f"{best:,.0f}"))
    for name in PEERS:
        r = bench_peer(name, lines[: args.peer_lines], args.peers)
        if r is None:
            rows.append((f"{name} (not installed; --peers installs it)", "-", "-"))
        else:
            label = "detect-secrets 1.5.0, scan_line per line" if name == "detect-secrets" else "scrubadub 2.0.1, Scrubber.clean per line"
            rows.append((f"{label} ({args.peer_lines:,} lines)", f"{r['rate']:,.0f}", "-"))
    print("| path | lines/s (median) | lines/s (best) |")
    print("|---|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")
    print()
    print("| logging path | µs per record |")
    print("|---|---:|")
    for name, us in bench_filter(lines[:50_000], args.repeat).items():
        print(f"| {name} | {us:.2f} |")


if __name__ == "__main__":
    main()
