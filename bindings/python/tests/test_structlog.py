"""The structlog processor, alone and inside a real structlog pipeline."""

from __future__ import annotations

import collections
import io
import json
from typing import Any, Dict

import pytest

from secretsift.structlog import RedactingProcessor
from conftest import AWS_KEY, GITHUB_PAT

RED_AWS = "[REDACTED:aws-access-key-id]"


def test_nested_values() -> None:
    Point = collections.namedtuple("Point", "x y")
    inner = {"token": GITHUB_PAT, "n": 1}
    lst = [AWS_KEY, "ok", (AWS_KEY, 2), {AWS_KEY}, Point(AWS_KEY, 1)]
    event: Dict[str, Any] = {"event": f"login {AWS_KEY}", "ctx": inner, "items": lst, "count": 3, "none": None}
    out = RedactingProcessor()(None, "info", event)
    assert out is event
    assert out["event"] == f"login {RED_AWS}"
    assert out["ctx"] == {"token": "[REDACTED:github-pat-classic]", "n": 1}
    assert out["items"] == [RED_AWS, "ok", (RED_AWS, 2), {RED_AWS}, Point(RED_AWS, 1)]
    assert isinstance(out["items"][4], Point)
    # Application objects are copied, never modified.
    assert inner["token"] == GITHUB_PAT and lst[0] == AWS_KEY
    assert out["count"] == 3 and out["none"] is None


def test_unchanged_event_untouched() -> None:
    ctx = {"a": ["b", ("c",)]}
    event: Dict[str, Any] = {"event": "hello", "ctx": ctx}
    RedactingProcessor()(None, "info", event)
    assert event["ctx"] is ctx


def test_deep_nesting_does_not_recurse_forever() -> None:
    v: Any = AWS_KEY
    for _ in range(100):
        v = [v]
    out = RedactingProcessor()(None, "info", {"deep": v})
    assert AWS_KEY not in repr(out)


def test_real_structlog_pipeline() -> None:
    structlog = pytest.importorskip("structlog")
    buf = io.StringIO()
    logger = structlog.wrap_logger(
        structlog.PrintLogger(buf),
        processors=[
            structlog.processors.format_exc_info,
            RedactingProcessor(),
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
    )
    logger.info("user login", key=AWS_KEY, nested={"list": [GITHUB_PAT]})
    try:
        raise ValueError("bad " + AWS_KEY)
    except ValueError:
        logger.exception("failed")
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert lines[0] == {"event": "user login", "key": RED_AWS, "nested": {"list": ["[REDACTED:github-pat-classic]"]}}
    assert "ValueError: bad " + RED_AWS in lines[1]["exception"]
    assert AWS_KEY not in buf.getvalue() and GITHUB_PAT not in buf.getvalue()
