"""Detection side by side: every scanner over the labelled samples of ../shared/eval.

The samples are the rule tests of three open scanners (gitleaks, Nosey Parker, detect-secrets).
Each sample is written to its own file (under its labelled file name where the sample has one,
`nuget.config`, `main.tf`, ...), every tool scans the whole folder once with its default rules,
and a sample counts as found by a tool when the tool reports anything in that sample's file. The
criterion is the same for every tool, secretsift included; it is looser than
`tests/eval/report.sh`, which also asks that secretsift's finding overlaps the labelled secret.

Recall is over the positives whose `target_kind` is `secret`; gitleaks' ~25 templated lines of
one secret weigh 1 together (as in the eval report). Negatives: how many of the 575 get any
finding.

    python3 benches/peers/eval.py                   # all tools, writes benches/peers/EVAL.md
    python3 benches/peers/eval.py --tools secretsift,gitleaks --no-install

Each tool's last result is kept in .corpora/eval-results.json, and the table shows every tool
measured so far, so rerunning one tool (secretsift after a rule change) refreshes its row only.

The sample texts are evaluation data: they are written under .corpora/ (ignored), never into
the repository.
"""

import argparse
import collections
import datetime
import json
import os
import re
import shutil
import sys
from pathlib import Path

import install
import tools
from measure import measure
from run import REPO, build, log

HERE = Path(__file__).resolve().parent
SOURCES = ("gitleaks", "noseyparker", "detect-secrets")
TITLES = {"gitleaks": "gitleaks suite", "noseyparker": "Nosey Parker suite",
          "detect-secrets": "detect-secrets suite"}
# `<source>-<p|n>-<index>`: the folder of one sample, recognised in any path a tool reports.
SAMPLE_DIR = re.compile(r"(gitleaks|noseyparker|detect-secrets)-([pn])-(\d+)")


def read_samples(eval_dir: Path) -> dict:
    """(source, "p"|"n") -> list of samples."""
    out = {}
    for src in SOURCES:
        for kind, tag in (("positives", "p"), ("negatives", "n")):
            f = eval_dir / f"{kind}-{src}.jsonl"
            if not f.exists():
                sys.exit(f"eval.py: {f} is missing (set SECRETSIFT_EVAL to the samples' folder)")
            out[(src, tag)] = [json.loads(ln) for ln in f.read_text().splitlines() if ln.strip()]
    return out


def write_samples(samples: dict, root: Path):
    if root.exists():
        shutil.rmtree(root)
    for (src, tag), rows in samples.items():
        for i, s in enumerate(rows):
            d = root / f"{src}-{tag}-{i}"
            d.mkdir(parents=True)
            name = Path(s.get("path") or "sample.txt").name or "sample.txt"
            (d / name).write_text(s["text"], encoding="utf-8")


def weights(rows: list, src: str) -> list:
    """Per positive: its weight (0 for identifiers). gitleaks: 1 per distinct secret."""
    keep = [s.get("target_kind") == "secret" for s in rows]
    if src != "gitleaks":
        return [1.0 if k else 0.0 for k in keep]
    key = [(s["rule"], s.get("secret") or s["text"]) for s in rows]
    n = collections.Counter(k for k, ok in zip(key, keep) if ok)
    return [1.0 / n[k] if ok else 0.0 for k, ok in zip(key, keep)]


def run_tool(tool, d: Path, root: Path, scratch: Path, timeout: float) -> dict:
    rep = scratch / f"eval-{tool.name}.out"
    for p in (rep, Path(str(rep) + ".jsonl")):
        p.unlink(missing_ok=True)
    path = Path(root.name) if tool.cwd_parent else root
    cwd = root.parent if tool.cwd_parent else scratch
    try:
        argv = tool.argv(d, path, 1, rep)
    except FileNotFoundError as e:
        return {"error": str(e)}
    r = measure(argv, one_core=False, env_extra=tool.env(d, 1), cwd=cwd, timeout=timeout)
    if r.code is None:
        return {"error": f"timeout after {timeout:.0f} s"}
    if r.code not in tool.ok_codes:
        return {"error": f"exit {r.code}: {r.stderr_tail}"}
    hit = set()
    for f in tool.files(rep, r.stdout):
        m = SAMPLE_DIR.search(str(f))
        if m:
            hit.add((m.group(1), m.group(2), int(m.group(3))))
    return {"hit": hit, "seconds": r.seconds}


def score(samples: dict, hit: set) -> dict:
    res = {}
    for src in SOURCES:
        rows = samples[(src, "p")]
        w = weights(rows, src)
        found = sum(wi for i, wi in enumerate(w) if (src, "p", i) in hit)
        res[src] = (found, sum(w))
    pos = [res[s] for s in SOURCES]
    res["all"] = (sum(f for f, _ in pos), sum(t for _, t in pos))
    neg_total = sum(len(samples[(s, "n")]) for s in SOURCES)
    res["negatives"] = (sum(1 for (s, t, _) in hit if t == "n"), neg_total)
    return res


def pct(ft) -> str:
    f, t = ft
    return f"{100 * f / t:.1f}%" if t else "-"


def merge_results(path: Path, rows: list, versions: dict) -> list:
    """`rows` over the results kept from earlier runs (one per tool, the newest wins)."""
    kept = json.loads(path.read_text()) if path.exists() else {}
    for name, r in rows:
        kept[name] = {"result": r,
                      "version": versions.get(name, ""),
                      "date": datetime.datetime.now(datetime.timezone.utc)
                                      .strftime("%Y-%m-%d %H:%M UTC")}
    path.write_text(json.dumps(kept, indent=1))
    order = ["secretsift"] + [n for n in install.SPECS]
    return [(n, kept[n]) for n in order if n in kept]


def markdown(rows: list, info: dict) -> str:
    out = [
        "# Detection side by side: other scanners' own test suites",
        "",
        "Generated by `benches/peers/eval.py` (see its docstring). Every tool with its default",
        "rules over the same files, one labelled sample per file; a positive counts as found when",
        "the tool reports anything in its file (the same for every tool). Recall over the",
        "positives that are secrets (gitleaks' templated lines weighted by distinct secret);",
        "negatives: samples that must not be reported.",
        "",
        f"- samples: {info['samples']}",
        "",
        "| tool | version | measured | " + " | ".join(TITLES[s] for s in SOURCES)
        + " | all suites | negatives with a finding |",
        "|---|---|---|" + "---:|" * (len(SOURCES) + 2),
    ]
    for name, kept in rows:
        r = kept["result"]
        head = f"| {name} | {kept['version']} | {kept['date']} | "
        if "error" in r:
            out.append(head + " | ".join(["—"] * (len(SOURCES) + 1)) + f" | {r['error'][:80]} |")
            continue
        s = r["score"]
        cells = [pct(s[src]) for src in SOURCES] + [f"**{pct(s['all'])}**"]
        neg = s["negatives"]
        out.append(head + " | ".join(cells) + f" | {neg[0]} of {neg[1]} |")
    out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tools", default="all",
                    help="comma-separated: secretsift," + ",".join(install.SPECS))
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per tool (default 1800)")
    ap.add_argument("--out", type=Path, default=HERE / "EVAL.md")
    ap.add_argument("--no-install", action="store_true", help="use the tools already installed")
    a = ap.parse_args()

    eval_dir = Path(os.environ.get("SECRETSIFT_EVAL", REPO.parent / "shared" / "eval"))
    samples = read_samples(eval_dir)
    tools_dir, corpora_dir = HERE / ".tools", HERE / ".corpora"
    root, scratch = corpora_dir / "eval-samples", corpora_dir / "reports"
    scratch.mkdir(parents=True, exist_ok=True)
    write_samples(samples, root)

    names = ["secretsift"] + list(install.SPECS) if a.tools == "all" else a.tools.split(",")
    peers = [n for n in names if n != "secretsift"]
    failed = {} if a.no_install else install.install(tools_dir, peers, log)
    release, _ = build(REPO)
    by_name = {t.name: t for t in tools.PEERS}
    rows, versions = [], {}
    for n in names:
        if n in failed:
            rows.append((n, {"error": f"not installed: {failed[n]}"}))
            continue
        tool = tools.secretsift(REPO, release) if n == "secretsift" else by_name.get(n)
        if tool is None:
            sys.exit(f"--tools: unknown tool {n!r}")
        d = REPO if n == "secretsift" else install.tool_dir(tools_dir, n)
        versions[n] = tools.version_of(tool, d)
        log(f"{n}: scanning {root}")
        r = run_tool(tool, d, root, scratch, a.timeout)
        if "hit" in r:
            r["score"] = score(samples, r.pop("hit"))
            s = r["score"]
            log(f"{n}: recall {pct(s['all'])}, negatives {s['negatives'][0]} ({r['seconds']:.0f} s)")
        else:
            log(f"{n}: {r['error']}")
        rows.append((n, r))
    counts = {k: len(v) for k, v in samples.items()}
    info = {
        "samples": ", ".join(f"{src} {counts[(src, 'p')]} positives / {counts[(src, 'n')]} "
                             f"negatives" for src in SOURCES),
    }
    md = markdown(merge_results(corpora_dir / "eval-results.json", rows, versions), info)
    a.out.write_text(md)
    print(md)


if __name__ == "__main__":
    main()
