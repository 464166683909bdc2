"""Generates the corpora every tool scans, with the engine's own bench generators.

`gen_corpus` (engine/examples/gen_corpus.rs) writes exactly the text the criterion benches scan,
deterministically, and says how many fake secrets it planted. A corpus already on disk with the
same kind and size is reused.
"""

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MiB = 1 << 20
SINGLE_LINE_MAX = 100 * MiB

# kind -> (file name, files): logs and bundles are split so that tools which scan files in
# parallel can use every core; the single line is one file by definition.
KINDS = {
    "logs": ("logs", 8),
    "minified-js": ("minified-js", 8),
    "source-tree": ("source-tree", None),
    "dense-base64-hex": ("dense-base64-hex", 4),
    "keyword-dense": ("keyword-dense", 4),
    "single-line": ("single-line.js", 1),
}


@dataclass
class Corpus:
    kind: str
    path: Path
    bytes: int
    files: int
    planted: int


def size_for(kind: str, size: int) -> int:
    return min(size, SINGLE_LINE_MAX) if kind == "single-line" else size


def generate(gen: Path, root: Path, kind: str, size: int, log=print, files=None) -> Corpus:
    """Writes corpus `kind` of about `size` bytes (in `files` files: default per KINDS)."""
    size = size_for(kind, size)
    name, default_files = KINDS[kind]
    files = files or default_files
    base = root / f"{kind}-{size}" if files == default_files else root / f"{kind}-{size}-{files}"
    meta = base / "meta.json"
    path = base / name
    if meta.exists():
        m = json.loads(meta.read_text())
        return Corpus(kind, path, m["bytes"], m["files"], m["planted"])
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    cmd = [str(gen), kind, str(size), str(path)]
    if files and files > 1:
        cmd += ["--files", str(files)]
    log(f"  generate {kind} ({size / MiB:.0f} MiB)")
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    m = json.loads(r.stdout)
    meta.write_text(json.dumps(m) + "\n")
    return Corpus(kind, path, m["bytes"], m["files"], m["planted"])


def warm(c: Corpus) -> None:
    """Reads every file of the corpus once, so that no tool pays for the disk: without it the
    first tool measured on a corpus (secretsift, listed first) read a 15,000-file source tree
    from disk while the others found it in the page cache."""
    root = c.path if c.path.is_dir() else c.path.parent
    for f in root.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                while fh.read(1 << 20):
                    pass

