"""Side-by-side: secretsift and other open secret scanners over the same corpora.

Installs the peers (install.py), builds the secretsift CLI and the corpus generator from this
checkout, generates the corpora (corpora.py), runs every tool on one core and on all cores
(measure.py), and writes the table to RESULTS.md. See README.md in this folder.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import corpora
import install
import report
import tools
from measure import measure

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MiB = corpora.MiB


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def build(repo: Path):
    """Release builds of the CLI and the corpus generator from the current checkout."""
    for cmd in (["nice", "cargo", "build", "--release", "-q", "-p", "secretsift-cli"],
                ["nice", "cargo", "build", "--release", "-q", "-p", "secretsift", "--example",
                 "gen_corpus"]):
        log(f"$ {' '.join(cmd)}")
        subprocess.run(cmd, cwd=repo, check=True)
    return repo / "target/release/secretsift", repo / "target/release/examples/gen_corpus"


def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) for ln in open("/proc/meminfo")
                if ln.startswith("MemTotal")), 0)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem / (1 << 20), 1),
        "kernel": platform.release(),
        "load": os.getloadavg(),
    }


REPEATS = 3
REPEAT_UNDER = 2.0


def one(tool, d, corpus, threads, one_core, timeout, scratch) -> dict:
    rep = scratch / f"{tool.name}-{corpus.kind}-{threads}.out"
    for p in (rep, Path(str(rep) + ".jsonl")):
        p.unlink(missing_ok=True)
    path = Path(corpus.path.name) if tool.cwd_parent else corpus.path
    cwd = corpus.path.parent if tool.cwd_parent else scratch
    try:
        argv = tool.argv(d, path, threads, rep)
    except FileNotFoundError as e:
        return {"error": str(e)}
    def run():
        return measure(argv, one_core=one_core, env_extra=tool.env(d, threads), cwd=cwd,
                       timeout=timeout)

    # A run under REPEAT_UNDER seconds is made REPEATS times and the fastest kept, for every
    # tool alike: at 128 MiB the fast tools' runs take 0.1-0.5 s, where one scheduler hiccup
    # moves the figure by 10-30% (the same build measured 508 and 610 MiB/s on logs).
    runs = [run()]
    while runs[-1].code is not None and runs[-1].seconds < REPEAT_UNDER and len(runs) < REPEATS:
        runs.append(run())
    r = min(runs, key=lambda x: x.seconds)
    res = {"seconds": r.seconds, "rss_kib": r.rss_kib, "code": r.code}
    if r.code is None:
        res["error"] = f"timeout after {timeout:.0f} s"
    elif r.code not in tool.ok_codes:
        res["error"] = f"exit {r.code}: {r.stderr_tail}"
    else:
        try:
            res["findings"] = tool.count(rep, r.stdout)
        except Exception as e:  # noqa: BLE001 - an unreadable report is a result to show
            res["error"] = f"could not read its report: {e}"
    return res


def updated(last: dict, info: dict, results: list, rss: dict | None):
    """The last run's machine info and rows, with the rows measured now in their place and a
    note of what was re-measured under which load."""
    now = {(r["tool"], r["corpus"]): r for r in results}
    merged = [now.pop((r["tool"], r["corpus"]), r) for r in last["results"]] + list(now.values())
    note = (f"{info['date']}, load {info['load'][0]:.2f} -> {info['load_end'][0]:.2f}: "
            + ", ".join(sorted({f"{r['tool']} on {r['corpus']}" for r in results})))
    machine = dict(last["machine"])
    machine["remeasured"] = machine.get("remeasured", []) + [note]
    machine["versions"] = {**machine.get("versions", {}), **info.get("versions", {})}
    return machine, merged, rss if rss is not None else last.get("rss")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=512,
                    help="MiB per corpus for secretsift and the fast peers (default 512; "
                         "the single line is capped at 100)")
    ap.add_argument("--slow-size", type=int, default=8,
                    help="MiB per corpus for the slow peers (default 8)")
    ap.add_argument("--rss-size", type=int, default=1024,
                    help="MiB of the single log file for the CLI's peak-RSS check (default 1024; 0 skips)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    ap.add_argument("--tools", default="all",
                    help="comma-separated: secretsift," + ",".join(install.SPECS))
    ap.add_argument("--corpora", default="all", help="comma-separated: " + ",".join(corpora.KINDS))
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-install", action="store_true", help="use the tools already installed")
    ap.add_argument("--update", action="store_true",
                    help="replace only the rows measured now in the last run's results (the "
                         "table then lists which rows were re-measured, and when)")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite --out from the last run's results.json; run nothing")
    a = ap.parse_args()
    # The raw figures behind RESULTS.md, committed next to it, so that --update and
    # --report-only work in any checkout (in the ignored .corpora/ they were lost with it).
    raw = a.out.with_suffix(".json")
    if (a.update or a.report_only) and not raw.exists():
        sys.exit(f"--update and --report-only start from the last run's {raw}, which is "
                 "missing: run without them first")
    if a.report_only:
        last = json.loads(raw.read_text())
        md = report.markdown(last["machine"], last["results"], last["rss"], last["failed"],
                             last.get("args", vars(a)), last["machine"]["nproc"])
        a.out.write_text(md)
        print(md)
        return

    tools_dir, corpora_dir = HERE / ".tools", HERE / ".corpora"
    scratch = corpora_dir / "reports"
    scratch.mkdir(parents=True, exist_ok=True)
    names = list(install.SPECS) + ["secretsift"] if a.tools == "all" else a.tools.split(",")
    kinds = list(corpora.KINDS) if a.corpora == "all" else a.corpora.split(",")
    for k in kinds:
        if k not in corpora.KINDS:
            sys.exit(f"--corpora: unknown corpus {k!r} (known: {', '.join(corpora.KINDS)})")
    for n in names:
        if n != "secretsift" and n not in install.SPECS:
            sys.exit(f"--tools: unknown tool {n!r}")

    failed = {}
    peers = [n for n in names if n != "secretsift"]
    if not a.no_install:
        failed = install.install(tools_dir, peers, log)
    release, gen = build(REPO)
    nproc = os.cpu_count() or 1
    modes = [(1, True), (nproc, False)]

    runnable = []
    if "secretsift" in names:
        runnable.append((tools.secretsift(REPO, release), REPO))
    for t in tools.PEERS:
        d = install.tool_dir(tools_dir, t.name)
        if t.name not in peers:
            continue
        if t.name in failed or not (d / install.MARKER).exists():
            failed.setdefault(t.name, "not installed (run without --no-install)")
            continue
        runnable.append((t, d))

    info = machine()
    info["versions"] = {t.name: tools.version_of(t, d) for t, d in runnable}
    log("corpora:")
    sizes = {"fast": a.size * MiB, "slow": a.slow_size * MiB}
    corp = {(tier, k): corpora.generate(gen, corpora_dir, k, sizes[tier], log)
            for tier in ("fast", "slow") if any(t.tier == tier for t, _ in runnable)
            for k in kinds}

    results = []
    for k in kinds:
        for tier in ("fast", "slow"):
            if (tier, k) in corp:
                corpora.warm(corp[(tier, k)])
        for t, d in runnable:
            c = corp[(t.tier, k)]
            # Start-up: the tool on a tiny file, run twice so caches (Kingfisher's compiled
            # rules, the page cache) are warm for the measured runs too.
            for _ in range(2):
                startup = measure(t.argv(d, c.path.parent / "meta.json", 1, scratch / "s.out"),
                                  one_core=True, env_extra=t.env(d, 1), cwd=scratch,
                                  timeout=a.timeout)
            row = {"tool": t.name, "tier": t.tier, "corpus": k, "bytes": c.bytes,
                   "files": c.files, "planted": c.planted, "startup_s": startup.seconds, "runs": {}}
            for threads, one_core in modes:
                prev = row["runs"].get("1", {})
                if not one_core and not t.threaded and prev.get("code", 0) is None:
                    # Same command without the CPU mask: it would only time out again.
                    res = {"error": f"timeout (not rerun: one thread timed out after "
                                    f"{a.timeout:.0f} s and the tool has no threads option)"}
                else:
                    res = one(t, d, c, threads, one_core, a.timeout, scratch)
                row["runs"][str(threads)] = res
                log(f"{k:17} {t.name:14} {threads} thr: " + report.cell(c.bytes, res))
            results.append(row)

    rss = None
    if a.rss_size and "secretsift" in names:
        c = corpora.generate(gen, corpora_dir / "single", "logs", a.rss_size * MiB, log,
                             files=1)
        res = one(tools.secretsift(REPO, release), REPO, c, 1, True, a.timeout, scratch)
        rss = {"bytes": c.bytes, "planted": c.planted, **res}
        log(f"rss check: {report.cell(c.bytes, res)}")

    info["load_end"] = os.getloadavg()
    if a.update:
        info, results, rss = updated(json.loads(raw.read_text()), info, results, rss)
    md = report.markdown(info, results, rss, failed, vars(a), nproc)
    a.out.write_text(md)
    raw.write_text(json.dumps(
        {"machine": info, "results": results, "rss": rss, "failed": failed,
         "args": {k: v for k, v in vars(a).items() if k != "out"}}, indent=1) + "\n")
    print(md)


if __name__ == "__main__":
    main()
