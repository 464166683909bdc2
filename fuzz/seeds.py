#!/usr/bin/env python3
"""Writes starting corpora for the fuzz targets into fuzz/corpus/<target>/ (not committed).

rules_toml: each rule of rulesets/*.toml as its own small file; rules_gitleaks: the CLI's
gitleaks fixtures plus each rule rewritten in gitleaks' field names; stream and redact: each
rule's examples and counter-examples, alone and joined, behind the 3-byte chunking header
(flags, seed) that the targets read (see src/lib.rs `split_input`).
"""
import pathlib
import tomllib

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "fuzz" / "corpus"


def toml_str(s):
    return "'''" + s + "'''" if "'''" not in s and "\n" not in s else repr(s).replace("\\'", "'")


def write(target, name, data):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


examples = []
for f in sorted((root / "rulesets").glob("*.toml")):
    text = f.read_text()
    rules = tomllib.loads(text).get("rules", [])
    # one rule per file, cut from the original text at its [[rules]] header
    parts = text.split("[[rules]]")
    for i, p in enumerate(parts[1:]):
        write("rules_toml", f"{f.stem}-{i}", "[[rules]]" + p)
    for i, r in enumerate(rules):
        gl = [f'[[rules]]\nid = "{r["id"]}"\nregex = {toml_str(r["regex"])}']
        if r.get("keywords") and i % 2 == 0:  # every other one derives its keywords
            gl.append("keywords = [" + ", ".join(toml_str(k) for k in r["keywords"]) + "]")
        if r.get("secret_group") is not None:
            gl.append(f'secretGroup = {r["secret_group"]}')
        write("rules_gitleaks", f"{f.stem}-{i}", "\n".join(gl) + "\n")
        examples += r.get("examples", []) + r.get("negative_examples", [])

for fx in (root / "bindings" / "cli" / "tests" / "fixtures").glob("*.toml"):
    write("rules_gitleaks", "fixture-" + fx.stem, fx.read_bytes())

for i, ex in enumerate(examples):
    for target in ("stream", "redact"):
        write(target, f"ex-{i}", bytes([i % 2, i % 251, i % 241]) + ex.encode())
for i in range(0, len(examples), 8):
    joined = "\n".join(examples[i : i + 8]).encode()
    for target in ("stream", "redact"):
        write(target, f"joined-{i}", bytes([i % 2, 7, i % 256]) + joined)
print("seeds written under", corpus)
