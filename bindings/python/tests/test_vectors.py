"""The shared test vectors (`tests/vectors/*.toml`, format in `tests/vectors/README.md`), run
through the Python API: the same findings as the Rust core, for bytes input (and for str input,
with offsets converted to characters), at several chunk sizes through `Stream`, plus redaction
and build errors.

`SECRETSIFT_VECTORS=dir` points elsewhere; `SECRETSIFT_TEST=substr,-skip` filters cases by name
(as the Rust runner does).
"""

from __future__ import annotations

import os
import pathlib
import sys
from typing import Any, Dict, List, Optional, Tuple

import pytest

import secretsift
from secretsift import Engine, RulesetError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

VECTORS = pathlib.Path(
    os.environ.get("SECRETSIFT_VECTORS") or pathlib.Path(__file__).resolve().parents[3] / "tests" / "vectors"
)
CHUNK_SIZES = (1, 7, 4096)
# Feeding one byte per Python call is slow; longer inputs skip chunk size 1.
MAX_BYTEWISE = 64 * 1024


def _filter_matches(flt: str, name: str) -> bool:
    any_include = included = False
    for term in (t.strip() for t in flt.split(",")):
        if not term:
            continue
        if term.startswith("-"):
            if term[1:] in name:
                return False
        else:
            any_include = True
            included |= term in name
    return included or not any_include


def _load() -> List[Tuple[str, Dict[str, Any]]]:
    cases: List[Tuple[str, Dict[str, Any]]] = []
    if not VECTORS.is_dir():
        return cases
    flt = os.environ.get("SECRETSIFT_TEST", "")
    for path in sorted(VECTORS.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for case in data.get("case", []):
            if _filter_matches(flt, case["name"]):
                cases.append((path.name, case))
    return cases


CASES = _load()


def unescape(s: str) -> bytes:
    """`\\xHH`, `\\n`, `\\r`, `\\t`, `\\\\`; any other backslash is kept (as the Rust runner)."""
    b = s.encode()
    out = bytearray()
    i = 0
    while i < len(b):
        if b[i] == 0x5C and i + 1 < len(b):
            c = b[i + 1]
            if c in b"nrt\\":
                out += {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("\\"): b"\\"}[c]
                i += 2
                continue
            if c == ord("x") and i + 3 < len(b):
                try:
                    out.append(int(b[i + 2 : i + 4].decode(), 16))
                    i += 4
                    continue
                except ValueError:
                    pass
            out += b[i : i + 2]
            i += 2
        else:
            out.append(b[i])
            i += 1
    return bytes(out)


def input_bytes(value: Any, unesc: bool) -> bytes:
    dec = (lambda s: unescape(s)) if unesc else (lambda s: s.encode())
    if isinstance(value, str):
        return dec(value)
    out = bytearray()
    for part in value:
        out += dec(part) if isinstance(part, str) else dec(part["repeat"]) * part["count"]
    return bytes(out)


def _detected_gitleaks(text: str) -> bool:
    """secretsift.gitleaks::detect, which `Engine(rules=...)` applies to rule text."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    if any(k != "rules" for k in table):
        return True
    rules = table.get("rules")
    return isinstance(rules, list) and any(
        isinstance(r, dict) and ("provider" not in r or any(k in r for k in ("secretGroup", "allowlists", "path")))
        for r in rules
    )


_engines: Dict[Any, Engine] = {}


def build(case: Dict[str, Any]) -> Engine:
    opts = case.get("options", {})
    rules_toml: Optional[str] = case.get("rules_toml")
    rules = case.get("rules")
    if rules_toml is None and rules not in (None, "default"):
        pytest.fail(f"unknown rules = {rules!r}")
    entropy = opts.get("generic_entropy")
    disable = tuple(opts.get("disable", ()))
    only = opts.get("only")
    key = (rules_toml, bool(case.get("default")), entropy, disable, tuple(only) if only is not None else None)
    if key in _engines:
        return _engines[key]

    def make(disabled: Tuple[str, ...]) -> Engine:
        if rules_toml is None and entropy is None and not disabled:
            return secretsift.default_engine()
        return Engine(
            rules_toml,
            default_rules=rules_toml is None or bool(case.get("default")),
            entropy=entropy,
            disable=list(disabled),
        )

    engine = make(disable)
    if only is not None:  # the Python API has no `only`: disable everything else
        engine = make(tuple(set(engine.rule_ids) - set(only)) + disable)
    _engines[key] = engine
    return engine


def _exp(f: Any) -> Tuple[str, int, int, int, int, bool]:
    return (f["rule"], f["span"][0], f["span"][1], f["line"], f["column"], bool(f.get("publishable", False)))


def _got(f: secretsift.Finding) -> Tuple[str, int, int, int, int, bool]:
    return (f.rule_id, f.start, f.end, f.line, f.column, f.publishable)


def _to_chars(data: bytes, want: List[Tuple[str, int, int, int, int, bool]]) -> List[Tuple[str, int, int, int, int, bool]]:
    out = []
    for rule, s, e, line, col, pub in want:
        line_start = s - (col - 1)
        cs = len(data[:s].decode())
        out.append((rule, cs, len(data[:e].decode()), line, cs - len(data[:line_start].decode()) + 1, pub))
    return out


@pytest.mark.skipif(not CASES, reason=f"no vector files under {VECTORS}")
@pytest.mark.parametrize("file,case", CASES or [("-", {})], ids=[c["name"] for _, c in CASES] or ["none"])
def test_vector(file: str, case: Dict[str, Any]) -> None:
    problems: List[str] = []
    opts = case.get("options", {})
    rules_toml = case.get("rules_toml")
    if rules_toml is not None and _detected_gitleaks(rules_toml):
        pytest.skip("Engine(rules=...) detects this rule text as gitleaks format; the Rust runner reads it as ours")
    want_err = case.get("build_error")
    if want_err is not None:
        with pytest.raises(RulesetError) as info:
            build(case)
        err = info.value
        assert err.code == want_err["kind"], str(err)
        if "rule" in want_err:
            assert err.rule_id == want_err["rule"], str(err)
        if "field" in want_err:
            assert err.field == want_err["field"], str(err)
        return

    engine = build(case)
    unesc = bool(case.get("unescape"))
    data = input_bytes(case.get("input", ""), unesc)
    want = [_exp(f) for f in case.get("findings", [])]
    line_mode = bool(opts.get("line_mode"))

    # bytes through scan() (no line mode in scan(): line-mode cases use the stream below).
    if not line_mode:
        got = [_got(f) for f in engine.scan(data)]
        if got != want:
            problems.append(f"scan(bytes): want {want}\n  got {got}")
        try:
            text: Optional[str] = data.decode()
        except UnicodeDecodeError:
            text = None
        if text is not None:
            got_s = [_got(f) for f in engine.scan(text)]
            want_s = _to_chars(data, want)
            if got_s != want_s:
                problems.append(f"scan(str), offsets in characters: want {want_s}\n  got {got_s}")

    # A stream, fed at each chunk size and whole; one stream reused (finish resets it).
    stream = engine.stream(line_mode=line_mode)
    for size in CHUNK_SIZES + (None,):
        if size == 1 and len(data) > MAX_BYTEWISE:
            continue
        found: List[secretsift.Finding] = []
        step = size or max(len(data), 1)
        for i in range(0, len(data), step):
            found += stream.feed(data[i : i + step])
        found += stream.finish()
        got = [_got(f) for f in found]
        if got != want:
            problems.append(f"stream(chunk={size or 'whole'}): want {want}\n  got {got}")

    # Redaction (default template, whole-input semantics only: the Python API has no template
    # option or line-mode redaction).
    if case.get("redacted") is not None and opts.get("template") is None and not line_mode:
        expected = input_bytes(case["redacted"], unesc)
        got_b = engine.redact(data)
        if got_b != expected:
            problems.append(f"redact(bytes): want {expected!r}\n  got {got_b!r}")
        try:
            text2, exp_text = data.decode(), expected.decode()
        except UnicodeDecodeError:
            pass
        else:
            if engine.redact(text2) != exp_text:
                problems.append(f"redact(str): want {exp_text!r}\n  got {engine.redact(text2)!r}")
            if engine.redact_lines([text2]) != [exp_text]:
                problems.append("redact_lines([str]) differs from redact(str)")

    assert not problems, f"{file}: {case['name']}\n" + "\n".join(problems)
