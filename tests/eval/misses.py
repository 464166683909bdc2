#!/usr/bin/env python3
"""List the eval samples the default ruleset misses (and the negatives it fires on), per provider.

Reads the labelled samples in ../shared/eval (or $SECRETSIFT_EVAL) and the CLI's JSON output:
each sample is written to its own file in a temporary folder, the folder is scanned once with
`secretsift scan --format json --show-secrets`, and findings are joined back to samples by file.
A positive counts as found with the same rule as engine/examples/eval_report.rs: some finding
overlaps an occurrence of `secret`, or, where `secret` is null, there is any finding.

    python3 tests/eval/misses.py                      # misses of every provider, worst first
    python3 tests/eval/misses.py jfrog aws            # only these providers
    python3 tests/eval/misses.py --source gitleaks    # only this source
    python3 tests/eval/misses.py --negatives          # negatives with a finding, with the rule
    python3 tests/eval/misses.py --summary            # counts only

The texts printed are evaluation data: read them here, never copy them into the repository.
"""
import argparse
import collections
import json
import os
import pathlib
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
SOURCES = ("gitleaks", "noseyparker", "detect-secrets")


def eval_dir():
    env = os.environ.get("SECRETSIFT_EVAL")
    return pathlib.Path(env) if env else REPO.parent / "shared" / "eval"


def read_jsonl(path):
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def cli_binary(args):
    if args.cli:
        return args.cli
    # Build the release CLI so the rules under test are the worktree's current ones.
    subprocess.run(
        ["cargo", "build", "-q", "--release", "-p", "secretsift-cli"], cwd=REPO, check=True
    )
    return str(REPO / "target" / "release" / "secretsift")


def scan(cli, samples):
    """Findings per sample index: list of (rule_id, start_byte, end_byte)."""
    with tempfile.TemporaryDirectory(prefix="secretsift-eval-") as tmp:
        texts = {}
        for i, s in enumerate(samples):
            data = s["text"].encode("utf-8")
            texts[f"{i}.txt"] = data
            (pathlib.Path(tmp) / f"{i}.txt").write_bytes(data)
        out = subprocess.run(
            [cli, "scan", "--format", "json", "--show-secrets", "--no-config", "--no-ignore",
             "--include-binary", "-q", tmp],
            capture_output=True,
        )
        if out.returncode not in (0, 1):
            sys.exit(f"misses.py: {cli} scan failed ({out.returncode}): {out.stderr.decode()[:500]}")
        found = collections.defaultdict(list)
        for line in out.stdout.decode("utf-8").splitlines():
            h = json.loads(line)
            name = pathlib.Path(h["path"]).name
            data = texts[name]
            lines = data.split(b"\n")
            start = sum(len(l) + 1 for l in lines[: h["line"] - 1]) + h["column"] - 1
            end = start + len(h.get("secret", "").encode("utf-8"))
            found[int(name.split(".")[0])].append((h["rule_id"], start, end))
        return found


def overlaps(text, secret, hits):
    if not secret:
        return bool(hits)
    data, sec = text.encode("utf-8"), secret.encode("utf-8")
    pos = data.find(sec)
    while pos >= 0:
        if any(s < pos + len(sec) and pos < e for _, s, e in hits):
            return True
        pos = data.find(sec, pos + 1)
    return False


def show(text, width):
    t = text.replace("\n", "\\n")
    return t if len(t) <= width else t[: width - 3] + "..."


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("providers", nargs="*", help="only these providers (normalised names)")
    ap.add_argument("--source", choices=SOURCES, action="append", help="only this source")
    ap.add_argument("--negatives", action="store_true", help="list negatives with a finding instead")
    ap.add_argument("--summary", action="store_true", help="counts per provider only")
    ap.add_argument("--identifiers", action="store_true", help="also score target_kind=identifier")
    ap.add_argument("--width", type=int, default=160, help="truncate texts to this many characters")
    ap.add_argument("--cli", help="secretsift binary (default: build and use target/release)")
    args = ap.parse_args()

    d = eval_dir()
    sources = args.source or SOURCES
    kind = "negatives" if args.negatives else "positives"
    samples = []
    for src in sources:
        for s in read_jsonl(d / f"{kind}-{src}.jsonl"):
            if args.providers and s.get("provider") not in args.providers:
                continue
            if not args.negatives and s.get("target_kind") != "secret" and not args.identifiers:
                continue
            samples.append(s)
    if not samples:
        sys.exit(f"misses.py: no samples selected under {d}")
    found = scan(cli_binary(args), samples)

    by_provider = collections.defaultdict(list)
    totals = collections.Counter()
    for i, s in enumerate(samples):
        hits = found.get(i, [])
        totals[s["provider"]] += 1
        if args.negatives:
            if hits:
                by_provider[s["provider"]].append((s, sorted({r for r, _, _ in hits})))
        elif not overlaps(s["text"], s.get("secret"), hits):
            by_provider[s["provider"]].append((s, sorted({r for r, _, _ in hits})))

    what = "negatives with a finding" if args.negatives else "missed positives"
    print(f"# {what}: {sum(len(v) for v in by_provider.values())} of {len(samples)} samples")
    for prov, rows in sorted(by_provider.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f"\n## {prov}: {len(rows)}/{totals[prov]}")
        if args.summary:
            continue
        for s, rules in rows:
            ctx = " ctx" if s.get("needs_context") else ""
            other = f" [fired: {','.join(rules)}]" if rules else ""
            secret = s.get("secret")
            sec = f" secret={show(secret, 60)!r}" if secret and not args.negatives else ""
            print(f"- {s['id']}{ctx}{other}{sec}\n    {show(s['text'], args.width)}")


if __name__ == "__main__":
    main()
