"""Bad and extreme inputs: clear TypeErrors, invalid UTF-8, surrogates, huge strings."""

from __future__ import annotations

from typing import Any

import pytest

from secretsift import Engine
from conftest import AWS_KEY


@pytest.mark.parametrize("value", [None, 3, 2.5, ["a"], object()])
def test_scan_rejects_non_text(engine: Engine, value: Any) -> None:
    with pytest.raises(TypeError, match=r"Engine\.scan\(\) expects str or bytes, got"):
        engine.scan(value)
    with pytest.raises(TypeError, match=r"Engine\.redact\(\) expects str or bytes"):
        engine.redact(value)
    with pytest.raises(TypeError, match=r"Stream\.feed\(\) expects str or bytes"):
        engine.stream().feed(value)


def test_redact_lines_rejects_bad_items(engine: Engine) -> None:
    with pytest.raises(TypeError, match=r"item 1 expects str, got NoneType"):
        engine.redact_lines(["ok", None])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="single string"):
        engine.redact_lines("not a list")
    with pytest.raises(TypeError, match="sequence of str"):
        engine.redact_lines(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.redact_lines([b"bytes"])  # type: ignore[list-item]


def test_engine_argument_errors() -> None:
    with pytest.raises(TypeError, match="rules"):
        Engine(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rules"):
        Engine(b"[[rules]]")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="disable"):
        Engine(disable=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Engine(None, True)  # type: ignore[misc]  # keyword-only options


def test_invalid_utf8_bytes(engine: Engine) -> None:
    data = b"\xff\xfe garbage \xc3\x28 key=" + AWS_KEY.encode() + b" \xed\xa0\x80 tail \x80"
    [f] = engine.scan(data)
    assert data[f.start : f.end] == AWS_KEY.encode()
    out = engine.redact(data)
    assert out == data.replace(AWS_KEY.encode(), b"[REDACTED:aws-access-key-id]")
    assert engine.scan(bytearray(data))[0].start == f.start
    assert isinstance(engine.redact(bytearray(data)), bytearray)


def test_lone_surrogates_in_str(engine: Engine) -> None:
    # A file name decoded with surrogateescape, say.
    text = "file \udcff\udcfe name " + AWS_KEY + " \ud800 end"
    [f] = engine.scan(text)
    assert text[f.start : f.end] == AWS_KEY
    out = engine.redact(text)
    assert out == text.replace(AWS_KEY, "[REDACTED:aws-access-key-id]")
    assert engine.redact_lines([text]) == [out]
    clean = "only \udcff here"
    assert engine.redact(clean) is clean


def test_nul_and_control_characters(engine: Engine) -> None:
    text = "\x00\x01\x02" + AWS_KEY + "\x00"
    [f] = engine.scan(text)
    assert (f.start, f.end) == (3, 23)


def test_huge_string(engine: Engine) -> None:
    filler = "lorem ipsum dolor sit amet é " * 1_400_000  # about 40 MB, 3 slices of 16 MiB
    key = AWS_KEY + " "
    text = filler + key + filler + key
    found = engine.scan(text)
    assert [f.start for f in found] == [len(filler), 2 * len(filler) + len(key)]
    assert all(text[f.start : f.end] == AWS_KEY for f in found)
    red = engine.redact(text)
    assert len(red) == len(text) + 2 * (len("[REDACTED:aws-access-key-id]") - len(AWS_KEY))
    assert AWS_KEY not in red


def test_empty_input(engine: Engine) -> None:
    assert engine.scan("") == [] and engine.scan(b"") == []
    assert engine.redact("") == ""
    s = engine.stream()
    assert s.feed(b"") == [] and s.finish() == []
