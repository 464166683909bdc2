"""RedactingFilter with real handlers, exceptions, stack info and dictConfig."""

from __future__ import annotations

import io
import logging
import logging.config
import threading
import warnings
from typing import Any, Iterator, Tuple

import pytest

import secretsift.logging as slog
from secretsift import Engine
from secretsift.logging import MARKER, RedactingFilter
from conftest import AWS_KEY, GITHUB_PAT, STRIPE_KEY

RED_AWS = "[REDACTED:aws-access-key-id]"


@pytest.fixture
def logger_and_stream(request: pytest.FixtureRequest) -> Iterator[Tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger(f"test.{request.node.name}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, stream
    logger.removeHandler(handler)


def test_message_and_args(logger_and_stream: Tuple[logging.Logger, io.StringIO]) -> None:
    log, out = logger_and_stream
    log.info("plain %s", "text")
    log.info("key " + AWS_KEY)
    log.info("key %s and %d", AWS_KEY, 7)
    log.info("token %(tok)s user %(user)s", {"tok": GITHUB_PAT, "user": "bob"})
    log.warning("half in the template AKIA%s", AWS_KEY[4:])  # split: template + arg
    log.info("secret in a non-str arg: %s", {"key": STRIPE_KEY})
    log.info({"msg object": AWS_KEY})
    text = out.getvalue()
    for secret in (AWS_KEY, GITHUB_PAT, STRIPE_KEY, AWS_KEY[4:]):
        assert secret not in text
    lines = text.splitlines()
    assert lines[0] == "INFO plain text"
    assert lines[1] == f"INFO key {RED_AWS}"
    assert lines[2] == f"INFO key {RED_AWS} and 7"
    assert lines[3] == "INFO token [REDACTED:github-pat-classic] user bob"
    assert lines[4] == f"WARNING half in the template {RED_AWS}"
    assert "[REDACTED:stripe-secret-key-live]" in lines[5]
    assert lines[6] == "INFO {'msg object': '" + RED_AWS + "'}"


def test_args_are_redacted_and_kept_when_safe() -> None:
    f = RedactingFilter()
    rec = logging.LogRecord("n", logging.INFO, __file__, 1, "key %s n=%d", (AWS_KEY, 3), None)
    assert f.filter(rec) is True
    # The template survives (for tools that group by it) with the argument redacted, so
    # formatting again cannot bring the secret back.
    assert rec.msg == "key %s n=%d" and rec.args == (RED_AWS, 3)
    assert rec.getMessage() == f"key {RED_AWS} n=3"
    # A secret split between template and argument: the formatted message replaces both.
    rec = logging.LogRecord("n", logging.INFO, __file__, 1, "AKIA%s", (AWS_KEY[4:],), None)
    f.filter(rec)
    assert rec.getMessage() == RED_AWS and not rec.args
    # Nothing found: the record is left exactly as it was.
    rec = logging.LogRecord("n", logging.INFO, __file__, 1, "n=%d", (3,), None)
    f.filter(rec)
    assert rec.msg == "n=%d" and rec.args == (3,)


def _fail_with_secret_local() -> None:
    api_key = "stripe " + STRIPE_KEY  # noqa: F841 (a local the traceback shows)
    raise RuntimeError(f"upstream refused key {AWS_KEY}")


def test_exception_text_redacted(logger_and_stream: Tuple[logging.Logger, io.StringIO]) -> None:
    log, out = logger_and_stream
    try:
        _fail_with_secret_local()
    except RuntimeError:
        log.exception("call failed with %s", GITHUB_PAT)
    text = out.getvalue()
    assert "Traceback (most recent call last)" in text
    assert f"RuntimeError: upstream refused key {RED_AWS}" in text
    assert AWS_KEY not in text and GITHUB_PAT not in text


def test_locals_in_tracebacks_redacted() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(capture_locals=True))
    log = logging.getLogger("test.locals")
    log.propagate = False
    log.addHandler(handler)
    try:
        _fail_with_secret_local()
    except RuntimeError:
        log.error("failed", exc_info=True)
    text = stream.getvalue()
    assert "api_key = 'stripe [REDACTED:stripe-secret-key-live]'" in text
    assert STRIPE_KEY not in text and AWS_KEY not in text
    log.removeHandler(handler)


def test_formatter_showing_locals_gets_redacted_text() -> None:
    """A formatter that renders locals itself runs after the filter; standard formatters use
    the filter's redacted exc_text instead of formatting again."""

    class LocalsFormatter(logging.Formatter):
        def formatException(self, ei: Any) -> str:
            import traceback

            return "".join(traceback.TracebackException(*ei, capture_locals=True).format())

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(LocalsFormatter())
    handler.addFilter(RedactingFilter(capture_locals=True))
    log = logging.getLogger("test.localsformatter")
    log.propagate = False
    log.addHandler(handler)
    try:
        _fail_with_secret_local()
    except RuntimeError:
        log.exception("boom")
    assert STRIPE_KEY not in stream.getvalue() and "api_key" in stream.getvalue()
    log.removeHandler(handler)


def test_stack_info_redacted(logger_and_stream: Tuple[logging.Logger, io.StringIO]) -> None:
    log, out = logger_and_stream
    stack_secret = "k=" + AWS_KEY  # noqa: F841
    rec = logging.LogRecord("n", logging.INFO, __file__, 1, "m", None, None, sinfo=f"Stack (most recent call last):\n  x = {AWS_KEY}")
    RedactingFilter().filter(rec)
    assert rec.stack_info is not None and AWS_KEY not in rec.stack_info and RED_AWS in rec.stack_info
    log.info("with stack", stack_info=True)
    assert "Stack (most recent call last)" in out.getvalue()


def test_dictconfig() -> None:
    stream = io.StringIO()
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {
                "secrets": {"()": "secretsift.logging.RedactingFilter"},
                "secrets_locals": {"()": "secretsift.logging.RedactingFilter", "capture_locals": True},
            },
            "formatters": {"plain": {"format": "%(name)s %(message)s"}},
            "handlers": {
                "mem": {
                    "class": "logging.StreamHandler",
                    "stream": stream,
                    "formatter": "plain",
                    "filters": ["secrets", "secrets_locals"],
                }
            },
            "loggers": {"test.dict": {"handlers": ["mem"], "level": "INFO", "propagate": False}},
        }
    )
    log = logging.getLogger("test.dict")
    log.info("key=%s", AWS_KEY)
    log.info("again ok")
    assert stream.getvalue() == f"test.dict key={RED_AWS}\ntest.dict again ok\n"


def test_dictconfig_with_rules_file(tmp_path: Any) -> None:
    rules = tmp_path / "team.toml"
    rules.write_text(
        "[[rules]]\nid = 'acme-token'\nprovider = 'acme'\nregex = '''\\b(acme_[a-z0-9]{24})\\b'''\nkeywords = ['acme_']\n"
    )
    f1 = RedactingFilter(rules=str(rules))
    f2 = RedactingFilter(rules=rules)
    assert f1.engine is f2.engine  # one engine per rules file per process
    rec = logging.LogRecord("n", logging.INFO, __file__, 1, "t=acme_" + "k3j5h7g9f1d3s5a7p9o1i3u5", None, None)
    f1.filter(rec)
    assert rec.msg == "t=[REDACTED:acme-token]"


def test_never_drops_or_reorders() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("test.order")
    log.propagate = False
    log.addFilter(RedactingFilter())
    log.addHandler(handler)
    for i in range(300):
        log.warning("%d %s", i, AWS_KEY if i % 3 == 0 else "clean")
    lines = stream.getvalue().splitlines()
    assert [int(x.split()[0]) for x in lines] == list(range(300))
    assert all(AWS_KEY not in x for x in lines)


def test_internal_error_marks_record_and_reports_once(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def redact(self, text: Any) -> Any:
            raise RuntimeError("engine exploded")

        def redact_lines(self, lines: Any) -> Any:
            raise RuntimeError("engine exploded")

    f = RedactingFilter()
    monkeypatch.setattr(f, "engine", Broken())
    monkeypatch.setattr(slog, "_reported", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        recs = [logging.LogRecord("n", logging.INFO, __file__, 1, f"msg {i}", None, None) for i in range(3)]
        assert all(f.filter(r) is True for r in recs)  # never dropped, never raises
    assert [r.getMessage() for r in recs] == [f"{MARKER}msg {i}" for i in range(3)]
    assert len(caught) == 1 and issubclass(caught[0].category, RuntimeWarning)
    assert "engine exploded" not in str(caught[0].message)  # only the type is named


def test_internal_error_with_warnings_as_errors(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    f = RedactingFilter()

    class Broken:
        def redact(self, text: Any) -> Any:
            raise ValueError

    monkeypatch.setattr(f, "engine", Broken())
    monkeypatch.setattr(slog, "_reported", False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = logging.LogRecord("n", logging.INFO, __file__, 1, "m", None, None)
        assert f.filter(rec) is True
    assert "could not redact" in capsys.readouterr().err


def test_bad_format_string_still_redacted() -> None:
    rec = logging.LogRecord("n", logging.INFO, __file__, 1, "key " + AWS_KEY + " %d", ("not a number",), None)
    RedactingFilter().filter(rec)
    assert AWS_KEY not in rec.msg


def test_filter_is_thread_safe() -> None:
    f = RedactingFilter()
    errors = []

    def work(n: int) -> None:
        for i in range(500):
            rec = logging.LogRecord("n", logging.INFO, __file__, 1, "%d key %s", (i, AWS_KEY), None)
            f.filter(rec)
            if rec.getMessage() != f"{i} key {RED_AWS}":
                errors.append(rec.getMessage())

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_engine_argument_checked() -> None:
    with pytest.raises(TypeError):
        RedactingFilter(engine="nope")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        RedactingFilter(Engine(), rules="x.toml")
