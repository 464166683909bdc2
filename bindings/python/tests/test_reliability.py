"""Reliability (issue 9): bad input raises a Python exception instead of crashing the process,
memory stays flat over a million calls, and the logging filter never raises into the
application whatever the record holds."""

from __future__ import annotations

import gc
import io
import logging
import os
import subprocess
import sys
from typing import Any

import pytest

import secretsift
from secretsift import Engine, RulesetError
from secretsift.logging import MARKER, RedactingFilter
from conftest import AWS_KEY

RED_AWS = "[REDACTED:aws-access-key-id]"


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ---- bad input raises, the process lives ---------------------------------------------------

@pytest.mark.parametrize(
    "rules, code",
    [
        ("[[rules]]\nid = ", "syntax"),  # ends mid-value: the message says so (fuzzing found it empty)
        ("[[rules]]\nid = \"x\"\n# NUL \0 in a comment\n", "syntax"),
        ("[[rules]]\nid='big'\nprovider='p'\nregex='''ab(\\w{1000}){1000}'''\nkeywords=['ab']\n", "limit"),
        ("[[rules]]\nid='long'\nprovider='p'\nregex='''" + "ab" * 8193 + "'''\nkeywords=['ab']\n", "limit"),
        ("[[rules]]\nid='deep'\nprovider='p'\nregex='''" + "(" * 500 + "a" + ")" * 500 + "'''\nkeywords=['ab']\n", "regex"),
    ],
)
def test_bad_rules_raise_a_ruleset_error_with_a_message(rules: str, code: str) -> None:
    with pytest.raises(RulesetError) as info:
        Engine(rules, default_rules=False)
    assert info.value.code == code
    assert str(info.value).strip(), "the error says what is wrong"


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        ({"entropy": "high"}, TypeError),
        ({"entropy": 9.5}, (ValueError, RulesetError)),
        ({"disable": [1, 2]}, TypeError),
        ({"default_rules": "yes"}, TypeError),
    ],
)
def test_bad_options_raise(kwargs: dict[str, Any], exc: Any) -> None:
    with pytest.raises(exc):
        Engine(**kwargs)


def test_huge_and_invalid_input_is_scanned_not_fatal(engine: Engine) -> None:
    big = b"\xff\x00\xfe" * (8 << 20) + b" key=" + AWS_KEY.encode() + b" \x80"
    [f] = engine.scan(big)
    assert big[f.start : f.end] == AWS_KEY.encode()
    lone_surrogate = "a\ud800b key=" + AWS_KEY
    # A str that cannot be UTF-8 encoded: an exception or a result, never a crash.
    try:
        engine.scan(lone_surrogate)
    except (ValueError, UnicodeError):
        pass


def test_a_crash_would_show_here_bad_calls_in_a_child_process() -> None:
    # Bad calls in a fresh interpreter: each must raise, and the process must exit normally
    # (a panic crossing into Python or an abort would end it with a signal).
    code = """
import secretsift
e = secretsift.Engine()
bad = [lambda: e.scan(None), lambda: e.scan(3), lambda: e.redact([1]),
       lambda: e.stream().feed(object()), lambda: secretsift.Engine('[[rules]]\\nid = '),
       lambda: secretsift.Engine(rules=5), lambda: e.redact_lines([None])]
for call in bad:
    try:
        call()
    except Exception:
        pass
    else:
        raise SystemExit('no exception from a bad call')
print('alive')
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (r.returncode, r.stdout.strip()) == (0, "alive"), r.stderr


# ---- memory stays flat over a million calls ------------------------------------------------

def test_memory_is_flat_over_a_million_calls() -> None:
    # A small engine keeps the million calls quick; the binding's per-call work (argument
    # conversion, findings objects, scanner pool) is what could leak, and it is the same.
    engine = Engine(
        "[[rules]]\nid = 'tok'\nprovider = 't'\nregex = '''\\b(tok_[a-z0-9]{20})\\b'''\nkeywords = ['tok_']\n",
        default_rules=False,
    )
    text = "user login tok_" + "k3j4h5g6f7d8s9a0q1w2" + " ok"
    data = text.encode()

    def calls(n: int) -> None:
        for i in range(n):
            if i % 4 == 0:
                assert len(engine.scan(text)) == 1
            elif i % 4 == 1:
                engine.scan(data)
            elif i % 4 == 2:
                engine.redact(text)
            else:
                s = engine.stream()
                s.feed(data)
                s.finish()

    calls(50_000)  # warm-up: pools, caches and the allocator reach their working size
    gc.collect()
    before = rss_bytes()
    calls(1_000_000)
    gc.collect()
    growth = rss_bytes() - before
    # A leak of 8 bytes per call would be 8 MB here.
    assert growth < 4 << 20, f"RSS grew by {growth} bytes over 1,000,000 calls"


# ---- the logging filter never raises into the application ----------------------------------

def logger_with(filt: logging.Filter, name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(filt)
    log = logging.getLogger(f"reliability.{name}")
    log.propagate = False
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG)
    return log, stream


class BrokenEngine:
    """Stands in for an engine whose every call fails."""

    def __getattr__(self, name: str) -> Any:
        def fail(*_: Any, **__: Any) -> Any:
            raise RuntimeError("engine failed")

        return fail


class Unprintable:
    def __str__(self) -> str:
        raise ValueError("no str for you")

    __repr__ = __str__


def test_filter_with_a_failing_engine_passes_records_on_marked(monkeypatch: pytest.MonkeyPatch, recwarn: Any) -> None:
    monkeypatch.setattr(secretsift.logging, "_reported", False)
    filt = RedactingFilter()
    filt.engine = BrokenEngine()  # type: ignore[assignment]
    log, out = logger_with(filt, "broken")
    log.info("hello %s", "world")
    log.info("plain")
    assert out.getvalue().splitlines() == [MARKER + "hello world", MARKER + "plain"]


@pytest.mark.parametrize(
    "msg, args",
    [
        ("%d items", ("not a number",)),  # msg % args fails
        ("%s and %s", ("only one",)),
        ("key %(k)s", ("not a mapping",)),
        (Unprintable(), ()),  # str(msg) fails
        (Unprintable(), ("x",)),
        (b"bytes key=" + AWS_KEY.encode(), ()),  # not a str
        ({"key": AWS_KEY}, ()),
        (12345, ()),
        (None, ()),
    ],
)
def test_filter_never_raises_and_never_drops(msg: Any, args: tuple[Any, ...]) -> None:
    filt = RedactingFilter()
    record = logging.LogRecord("app", logging.INFO, __file__, 1, msg, args or None, None)
    assert filt.filter(record) is True  # kept, no exception
    # What a handler would print shows no secret (or fails the way logging itself would).
    try:
        shown = record.getMessage()
    except Exception:
        return
    assert AWS_KEY not in shown


def test_filter_through_a_real_handler_with_broken_records_keeps_the_app_running() -> None:
    log, out = logger_with(RedactingFilter(), "app")
    old = logging.raiseExceptions
    logging.raiseExceptions = False  # as in production: handlers swallow their own errors
    try:
        log.info("%d items", "nan")
        log.info(Unprintable())
        log.info("after key=%s", AWS_KEY)
    finally:
        logging.raiseExceptions = old
    assert out.getvalue().splitlines()[-1] == "after key=" + RED_AWS
