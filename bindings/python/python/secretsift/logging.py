"""Redact secrets from standard-library log records: :class:`RedactingFilter`.

Attach the filter to a handler (or a logger)::

    import logging
    from secretsift.logging import RedactingFilter

    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())

or from :func:`logging.config.dictConfig`::

    "filters": {"secrets": {"()": "secretsift.logging.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["secrets"]}},

The filter redacts the message (after ``%``-formatting with its args), the args themselves,
the exception text (the traceback, formatted and stored in ``record.exc_text``) and the stack
info. It never drops or reorders records, and never raises into the application: if
redaction fails, the record goes through with the prefix ``[secretsift: redaction failed]``
and the failure is reported once (as a ``RuntimeWarning``, or on stderr).

It changes the record in place, so every handler that sees the record after the filter ran
sees the redacted form; attach it to the logger (or to every handler) to cover them all.
``record.exc_info`` is kept for handlers that need the exception object: standard formatters
print the redacted ``exc_text`` instead of formatting it again, but a formatter that
ignores ``exc_text`` and formats ``exc_info`` itself bypasses the filter.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
import warnings
from typing import Any, Mapping, Optional, Tuple, Union

from secretsift._default import default_engine, shared_engine
from secretsift._native import Engine

__all__ = ["MARKER", "RedactingFilter"]

#: Prefix of a record the filter could not redact.
MARKER = "[secretsift: redaction failed] "

_state_lock = threading.Lock()
_reported = False


def _report_once(exc: BaseException) -> None:
    global _reported
    with _state_lock:
        if _reported:
            return
        _reported = True
    # The exception's message could quote the record, so only its type is named.
    text = (
        f"secretsift.logging.RedactingFilter could not redact a log record "
        f"({type(exc).__name__}); such records are passed on prefixed with "
        f"{MARKER.strip()!r}. This is reported once per process."
    )
    try:
        warnings.warn(text, RuntimeWarning, stacklevel=2)
    except Exception:  # warnings turned into errors: fall back to stderr
        try:
            sys.stderr.write(text + "\n")
        except Exception:
            pass


def _mark(record: logging.LogRecord) -> None:
    try:
        msg = record.msg if isinstance(record.msg, str) else str(record.msg)
    except Exception:
        msg, record.args = "", None
    if not msg.startswith(MARKER):
        record.msg = MARKER + msg


class RedactingFilter(logging.Filter):
    """A :class:`logging.Filter` that redacts secrets from each record and never drops one.

    :param engine: the engine to use; by default the process-wide
        :func:`secretsift.default_engine`, built once.
    :param rules: instead of ``engine``: a rules file (or TOML text) added to the default
        rules; one engine is built per distinct value, per process.
    :param capture_locals: format tracebacks with each frame's local variables (as
        ``traceback.TracebackException(capture_locals=True)`` does), redacted like the rest.
    """

    def __init__(
        self,
        engine: Optional[Engine] = None,
        *,
        rules: Union[str, "os.PathLike[str]", None] = None,
        capture_locals: bool = False,
    ) -> None:
        # No logger name: `logging.Filter(name)` would drop records of other loggers.
        super().__init__()
        if engine is not None and rules is not None:
            raise TypeError("RedactingFilter takes an engine or rules, not both")
        if engine is not None and not isinstance(engine, Engine):
            raise TypeError(f"RedactingFilter(engine=...) expects a secretsift.Engine, got {type(engine).__name__}")
        # Built now, at configuration time, rather than during the first log call.
        self.engine: Engine = engine if engine is not None else (
            shared_engine(rules) if rules is not None else default_engine()
        )
        self.capture_locals = capture_locals

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._redact(record)
        except Exception as exc:
            try:
                _mark(record)
            finally:
                _report_once(exc)
        return True

    def _redact(self, record: logging.LogRecord) -> None:
        redact = self.engine.redact
        msg: Any = record.msg
        args = record.args
        if args:
            self._redact_with_args(record, msg, args)
        elif isinstance(msg, str):
            record.msg = redact(msg)
        else:
            # A non-string message (an exception, a dict) is rendered now, as getMessage would.
            text = str(msg)
            red = redact(text)
            if red is not text:
                record.msg = red
        if record.exc_info and not record.exc_text:
            record.exc_text = self._format_exception(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        message = record.__dict__.get("message")
        if isinstance(message, str):  # set by a formatter that ran before the filter
            record.message = redact(message)

    def _redact_with_args(self, record: logging.LogRecord, msg: Any, args: Any) -> None:
        redact = self.engine.redact
        try:
            final = record.getMessage()
        except Exception:
            # The handler will report the bad format string as it would without the filter;
            # make sure its report shows no secret.
            if isinstance(msg, str):
                record.msg = redact(msg)
            record.args = self._redact_args(args)
            return
        red = redact(final)
        if red is final:
            return  # nothing in the formatted message: keep the template and its args
        # Keep the template form only if formatting the redacted template with the redacted
        # args cannot bring a secret back (a secret split between template and an argument,
        # or in the str() of a non-string argument, would).
        try:
            msg_red = redact(msg) if isinstance(msg, str) else msg
            args_red = self._redact_args(args)
            candidate = str(msg_red) % args_red
            if redact(candidate) is candidate:
                record.msg, record.args = msg_red, args_red
                return
        except Exception:
            pass
        record.msg, record.args = red, None

    def _redact_args(self, args: Any) -> Any:
        engine = self.engine
        if isinstance(args, Mapping):
            keys = [k for k, v in args.items() if isinstance(v, str)]
            done = engine.redact_lines([args[k] for k in keys])
            out = dict(args)
            out.update(zip(keys, done))
            return out
        if isinstance(args, tuple):
            idx = [i for i, v in enumerate(args) if isinstance(v, str)]
            done = engine.redact_lines([args[i] for i in idx])
            items = list(args)
            for i, v in zip(idx, done):
                items[i] = v
            return tuple(items)
        return args

    def _format_exception(self, ei: Any) -> str:
        exc_info: Tuple[Any, Any, Any] = ei
        if self.capture_locals:
            te = traceback.TracebackException(*exc_info, capture_locals=True)
            text = "".join(te.format())
            return text[:-1] if text.endswith("\n") else text
        return logging.Formatter().formatException(exc_info)
