"""Leak audit (issue 9), Python host: everything the package prints or raises over inputs with
fake secrets (reprs and strs of findings, engines, streams and errors; logging and structlog
output) shows no full secret, while the explicit ``Finding.secret()`` does return it."""

from __future__ import annotations

import io
import logging
import sys
import traceback
from typing import Any, List

import pytest

from secretsift import Engine, RulesetError
from secretsift.logging import RedactingFilter
from conftest import AWS_KEY, GITHUB_PAT, STRIPE_KEY

SECRETS = [AWS_KEY, GITHUB_PAT, STRIPE_KEY]
DOC = f"aws_access_key_id = {AWS_KEY}\nGITHUB_TOKEN={GITHUB_PAT}\nstripe: \"{STRIPE_KEY}\"\n"


def assert_clean(what: str, text: str) -> None:
    for s in SECRETS:
        assert s not in text, f"{what}: a full secret appears in {text!r}"


def shown(obj: Any) -> str:
    return f"{obj!r}\n{obj!s}\n{obj!a}"


def test_reprs_and_strs_never_show_a_secret(engine: Engine) -> None:
    out: List[str] = []
    for data in (DOC, DOC.encode()):
        findings = engine.scan(data)
        assert len(findings) == 3
        out += [shown(findings), *map(shown, findings), *(shown(f.preview) for f in findings)]
        assert sorted(str(f.secret() if isinstance(f.secret(), str) else f.secret().decode()) for f in findings) == sorted(SECRETS)
    stream = engine.stream()
    got = stream.feed(DOC.encode()) + stream.finish()
    out += [shown(got), shown(stream), shown(engine)]
    out.append(engine.redact(DOC))
    out.append("\n".join(engine.redact_lines(DOC.splitlines())))
    text = "\n".join(out)
    assert "AKIA************" in text
    assert_clean("reprs", text)


def test_errors_never_show_a_secret() -> None:
    texts = [
        f"[[rules]]\nid = \"x\"\nregex = {AWS_KEY}\n",  # syntax error on a line with a secret
        f"[[rules]]\nid = \"x\"\nprovider = \"p\"\nregex = '''(ab'''\nkeywords = [\"ab\"]\nallowlist = {{ stopwords = [\"{GITHUB_PAT}\"] }}\n",
    ]
    for t in texts:
        with pytest.raises(RulesetError) as info:
            Engine(t, default_rules=False)
        e = info.value
        text = shown(e) + "".join(traceback.format_exception(type(e), e, e.__traceback__))
        text += shown(e.args) + shown(vars(e))
        assert_clean("RulesetError", text)
    with pytest.raises(TypeError) as te:
        Engine().scan([AWS_KEY])  # type: ignore[arg-type]
    assert_clean("TypeError", shown(te.value))


def test_logging_output_never_shows_a_secret() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter())
    log = logging.getLogger("leak-audit")
    log.propagate = False
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG)
    log.info(DOC)
    log.info("key %s and %r", AWS_KEY, {"token": GITHUB_PAT})
    log.warning("%(k)s", {"k": STRIPE_KEY})
    log.info({"nested": [AWS_KEY]})
    log.info("stack", stack_info=True)
    try:
        secret = STRIPE_KEY
        raise ValueError(f"bad key {secret}")
    except ValueError:
        log.exception("failed with %s", GITHUB_PAT)
    out = stream.getvalue()
    assert "[REDACTED:aws-access-key-id]" in out
    assert_clean("logging", out)


def test_structlog_output_never_shows_a_secret() -> None:
    structlog = pytest.importorskip("structlog")
    from secretsift.structlog import RedactingProcessor

    buf = io.StringIO()
    structlog.configure(
        processors=[RedactingProcessor(), structlog.processors.KeyValueRenderer()],
        logger_factory=structlog.PrintLoggerFactory(file=buf),
        cache_logger_on_first_use=False,
    )
    try:
        structlog.get_logger().info("login", key=AWS_KEY, nested={"t": GITHUB_PAT}, msg2=DOC)
    finally:
        structlog.reset_defaults()
    assert "REDACTED" in buf.getvalue()
    assert_clean("structlog", buf.getvalue())
