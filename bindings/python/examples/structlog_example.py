"""structlog with secrets redacted from every value of every event.

Run: python examples/structlog_example.py   (needs structlog)
"""

from __future__ import annotations

import structlog

from secretsift.structlog import RedactingProcessor

KEY = "AKIA" + "Q3EGRT4WZYPLN5DX"  # fake, assembled at run time


def main() -> None:
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.format_exc_info,
            RedactingProcessor(),  # after exceptions are rendered, before the renderer
            structlog.processors.JSONRenderer(),
        ]
    )
    log = structlog.get_logger()
    log.info("login", user="bob", credentials={"aws": [KEY]})


if __name__ == "__main__":
    main()
