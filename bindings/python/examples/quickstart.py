"""secretsift in a few lines: scan, redact, and redact every log record.

Run: python examples/quickstart.py
"""

from __future__ import annotations

import logging
import logging.config
from typing import List

import secretsift
from secretsift import Engine, Finding, RulesetError
from secretsift.logging import RedactingFilter

# A fake key, assembled at run time so this file does not itself look like a leak.
KEY = "AKIA" + "Q3EGRT4WZYPLN5DX"


def scan_and_redact(engine: Engine) -> None:
    text = f"deploy ok aws_key={KEY} région=eu"
    findings: List[Finding] = engine.scan(text)
    for f in findings:
        # Offsets count characters for str (bytes for bytes); repr shows the masked preview.
        print(f, text[f.start : f.end] == f.secret())
    print(engine.redact(text))
    print(engine.redact_lines(["clean line", f"key={KEY}"]))
    stream = engine.stream()
    found = stream.feed(b"first chunk aws_key=AKIA") + stream.feed(KEY[4:].encode() + b"\n") + stream.finish()
    print([(f.rule_id, f.start, f.end) for f in found])  # byte offsets from the stream's start


def team_rules() -> Engine:
    rules = """
[[rules]]
id = "acme-token"
description = "ACME API token"
provider = "acme"
regex = '''\\b(acme_[a-z0-9]{24})\\b'''
keywords = ["acme_"]
"""
    try:
        return Engine(rules)  # added to the default rules
    except RulesetError as e:
        print(e.code, e.rule_id, e.field)
        raise


def configure_logging() -> logging.Logger:
    logging.config.dictConfig(
        {
            "version": 1,
            "filters": {"secrets": {"()": "secretsift.logging.RedactingFilter"}},
            "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["secrets"]}},
            "root": {"handlers": ["console"], "level": "INFO"},
        }
    )
    return logging.getLogger("app")


def main() -> None:
    engine = secretsift.default_engine()  # built once per process
    scan_and_redact(engine)
    print(team_rules().rule_ids[-1])
    log = configure_logging()
    log.info("connecting with key %s", KEY)  # printed as key [REDACTED:aws-access-key-id]
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter(engine, capture_locals=True))


if __name__ == "__main__":
    main()
