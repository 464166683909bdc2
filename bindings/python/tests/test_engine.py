"""The Engine / Finding / Stream API."""

from __future__ import annotations

import pathlib
import pickle

import pytest

import secretsift
from secretsift import Engine, Finding, RulesetError, SecretsiftError
from conftest import AWS_KEY, GITHUB_PAT, STRIPE_KEY


def test_public_names() -> None:
    assert set(secretsift.__all__) >= {"Engine", "Finding", "Stream", "RulesetError", "SecretsiftError", "default_engine"}
    assert secretsift.Finding.__module__ == "secretsift._native"


def test_scan_str_finds_and_masks(engine: Engine) -> None:
    text = f"deploy ok key={AWS_KEY}\n"
    [f] = engine.scan(text)
    assert isinstance(f, Finding)
    assert (f.rule_id, f.provider, f.publishable) == ("aws-access-key-id", "aws", False)
    assert (f.start, f.end, f.line, f.column) == (14, 34, 1, 15)
    assert text[f.start : f.end] == AWS_KEY == f.secret()
    assert f.preview == "AKIA************"
    assert AWS_KEY not in repr(f) and AWS_KEY not in str(f)
    assert "AKIA****" in repr(f)


def test_finding_is_frozen_and_hashable(engine: Engine) -> None:
    [f] = engine.scan(AWS_KEY)
    with pytest.raises(AttributeError):
        f.start = 3  # type: ignore[misc]
    assert f == engine.scan(AWS_KEY)[0]
    assert len({f, engine.scan(AWS_KEY)[0]}) == 1
    with pytest.raises(TypeError):
        pickle.dumps(f)  # the raw secret never leaves through pickle


def test_offsets_are_characters_for_str_and_bytes_for_bytes(engine: Engine) -> None:
    line1 = "héllo wörld €€€\n"
    text = line1 + f"日本語 key={GITHUB_PAT} end 😀 {AWS_KEY}"
    found = engine.scan(text)
    assert [f.rule_id for f in found] == ["github-pat-classic", "aws-access-key-id"]
    for f in found:
        assert text[f.start : f.end] == f.secret()
        assert isinstance(f.secret(), str)
        line_start = text.rfind("\n", 0, f.start) + 1
        assert f.column == f.start - line_start + 1
        assert f.line == 2
    data = text.encode()
    found_b = engine.scan(data)
    for fs, fb in zip(found, found_b):
        assert data[fb.start : fb.end] == fb.secret() == fs.secret().encode()  # type: ignore[union-attr]
        assert fb.start == len(text[: fs.start].encode())
        assert fb.column == len(text[text.rfind("\n", 0, fs.start) + 1 : fs.start].encode()) + 1
        assert fb.line == fs.line
        assert isinstance(fb.secret(), bytes)
    # Match spans convert too.
    for f in found:
        assert f.match_start <= f.start <= f.end <= f.match_end


def test_redact(engine: Engine) -> None:
    assert engine.redact(f"a {AWS_KEY} b") == "a [REDACTED:aws-access-key-id] b"
    clean = "nothing to see here " * 10
    assert engine.redact(clean) is clean  # no copy when nothing is found
    assert engine.redact(f"a {AWS_KEY} b".encode()) == b"a [REDACTED:aws-access-key-id] b"
    assert engine.redact(f"ü {AWS_KEY} ü") == "ü [REDACTED:aws-access-key-id] ü"


def test_redact_lines(engine: Engine) -> None:
    lines = [f"k={AWS_KEY}", "clean", "", f"token {GITHUB_PAT} and {STRIPE_KEY}", "ü"]
    out = engine.redact_lines(lines)
    assert out == [
        "k=[REDACTED:aws-access-key-id]",
        "clean",
        "",
        "token [REDACTED:github-pat-classic] and [REDACTED:stripe-secret-key-live]",
        "ü",
    ]
    assert out[1] is lines[1]
    assert engine.redact_lines([]) == []
    assert engine.redact_lines(iter(lines)) == out  # any iterable
    assert engine.redact_lines(tuple(lines)) == out
    assert [engine.redact(x) for x in lines] == out


def test_stream_byte_offsets_across_chunks(engine: Engine) -> None:
    text = ("x" * 5000 + f" key={AWS_KEY} " + "y" * 3000 + f"\nghtoken={GITHUB_PAT}\n").encode()
    whole = engine.scan(text)
    for size in (1, 7, 4096):
        s = engine.stream()
        got = []
        for i in range(0, len(text), size):
            got += s.feed(text[i : i + size])
        got += s.finish()
        assert [(f.rule_id, f.start, f.end, f.line, f.column) for f in got] == [
            (f.rule_id, f.start, f.end, f.line, f.column) for f in whole
        ]
        assert s.position == 0  # finish starts a new stream
    s = engine.stream()
    s.feed("é" + AWS_KEY)  # str chunks are UTF-8 encoded: offsets are bytes
    [f] = s.finish()
    assert (f.start, f.secret()) == (2, AWS_KEY.encode())


def test_stream_line_mode(engine: Engine) -> None:
    s = engine.stream(line_mode=True)
    found = s.feed(f"a {AWS_KEY}\n")
    assert [f.rule_id for f in found] == ["aws-access-key-id"]  # final at the newline
    assert s.finish() == []


def test_custom_rules_text_path_and_gitleaks(tmp_path: pathlib.Path) -> None:
    ours = """
[[rules]]
id = "acme-token"
description = "ACME API token"
provider = "acme"
regex = '''\\b(acme_[a-z0-9]{24})\\b'''
keywords = ["acme_"]
"""
    token = "acme_" + "k3j5h7g9f1d3s5a7p9o1i3u5"
    e = Engine(ours, default_rules=False)
    assert e.rule_ids == ["acme-token"]
    [f] = e.scan(f"t={token}")
    assert (f.rule_id, f.provider) == ("acme-token", "acme")
    path = tmp_path / "rules.toml"
    path.write_text(ours)
    for rules in (path, str(path)):
        e2 = Engine(rules)
        assert "acme-token" in e2.rule_ids and "aws-access-key-id" in e2.rule_ids
    gitleaks = """
title = "team rules"
[[rules]]
id = "acme-token"
description = "ACME API token"
regex = '''\\b(acme_[a-z0-9]{24})\\b'''
secretGroup = 1
keywords = ["acme_"]
"""
    e3 = Engine(gitleaks, default_rules=False)
    assert [f.rule_id for f in e3.scan(f"t={token}")] == ["acme-token"]
    with pytest.raises(FileNotFoundError):
        Engine(tmp_path / "missing.toml")


def test_disable_and_entropy(engine: Engine) -> None:
    e = Engine(disable=["aws-access-key-id"])
    assert "aws-access-key-id" not in e.rule_ids
    assert e.scan(AWS_KEY) == []
    assert len(e.rule_ids) == len(engine.rule_ids) - 1
    Engine(entropy=4.5)
    with pytest.raises(ValueError, match="bits per byte"):
        Engine(entropy=9.0)


def test_ruleset_error_names_rule_and_field() -> None:
    bad = """
[[rules]]
id = "broken"
provider = "acme"
regex = '''(acme_[a-z]+'''
keywords = ["acme_"]
"""
    with pytest.raises(RulesetError) as info:
        Engine(bad)
    err = info.value
    assert isinstance(err, SecretsiftError) and isinstance(err, ValueError)
    assert (err.code, err.rule_id, err.field, err.origin) == ("regex", "broken", "regex", "<rules>")
    assert "broken" in str(err) and "regex" in str(err)
    again = pickle.loads(pickle.dumps(err))
    assert (again.code, again.rule_id, again.field, str(again)) == (err.code, err.rule_id, err.field, str(err))

    with pytest.raises(RulesetError) as info:
        Engine("[[rules]]\nid = 'x'\nprovider = 'p'\nregex = 'a(b)'\nkeywords = []\n", default_rules=False)
    assert info.value.code == "no-keyword" and info.value.rule_id == "x"

    with pytest.raises(RulesetError) as info:
        Engine("[[rules]\nid = \n", default_rules=False)
    assert info.value.code == "syntax" and info.value.line is not None

    dup = "[[rules]]\nid = 'aws-access-key-id'\nprovider = 'aws'\nregex = '(AKIA[0-9]{4})'\nkeywords = ['akia']\n"
    with pytest.raises(RulesetError) as info:
        Engine(dup)
    assert info.value.code == "duplicate-id" and info.value.rule_id == "aws-access-key-id"
