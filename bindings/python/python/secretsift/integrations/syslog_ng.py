"""syslog-ng: a ``python()`` parser that redacts secrets from each message, :class:`Redact`.

syslog-ng (3.x with the Python module, Debian's ``syslog-ng-mod-python``) runs the class in
its embedded interpreter, the system ``python3``, so the secretsift wheel must be importable
from that interpreter: install it into a folder (``pip install --target /opt/secretsift/lib
secretsift-*.whl``; the wheel is abi3, built for CPython 3.9 and later) and put that folder
on ``sys.path`` from the configuration::

    @version: 3.38
    python {
    import sys
    sys.path.insert(0, "/opt/secretsift/lib")
    };

    parser p_secretsift {
        python(class("secretsift.integrations.syslog_ng.Redact")
               options("fields" "MESSAGE,.json.password"));
    };

    log { source(s_net); parser(p_secretsift); destination(d_file); };

Options (all optional; syslog-ng passes them as strings):

``fields``
    Comma-separated name-value pairs to redact; default ``MESSAGE``.
``rules``
    A rules file (secretsift or gitleaks TOML) added to the default rules.
``max_bytes``
    Values longer than this many bytes are passed through unscanned, with :data:`MARKER` in
    front, and counted as failed (bounds the time one message can take).
``stats_file``
    At ``deinit`` (stop or reload), append the counts line to this file.

Each message gets every named value redacted in place: a secret becomes
``[REDACTED:<rule id>]`` and every other byte is kept (values that are not UTF-8 are handled
as bytes). The parser never drops a message: a value it cannot redact goes on prefixed with
:data:`MARKER`, the failure is counted in :attr:`Redact.failed` and reported once through
syslog-ng's internal log. The engine is built once per process at ``init`` (configuration
time), and shared by every worker thread; scans run in parallel with the GIL released.
"""

from __future__ import annotations

import importlib
import os
import threading
from typing import Any, Mapping, Optional, Tuple, Union

from secretsift._default import default_engine, shared_engine
from secretsift._native import Engine
from secretsift.logging import MARKER

__all__ = ["MARKER", "Redact"]

_MARKER_BYTES = MARKER.encode()
_OPTIONS = ("fields", "rules", "max_bytes", "stats_file")


def _log(level: str, text: str) -> None:
    """Writes to syslog-ng's internal log when running inside syslog-ng, else nowhere."""
    try:
        # Only importable inside syslog-ng (and untyped), hence the dynamic import.
        logger = importlib.import_module("syslogng").Logger("secretsift")
        getattr(logger, level)(text)
    except Exception:
        pass


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Redact:
    """The syslog-ng parser: ``python(class("secretsift.integrations.syslog_ng.Redact"))``.

    The counters (read them in tests, or from a subclass) are: :attr:`messages` seen,
    :attr:`redacted` (messages with at least one secret replaced) and :attr:`failed`
    (messages passed through with :data:`MARKER`).
    """

    def __init__(self) -> None:
        self.fields: Tuple[str, ...] = ("MESSAGE",)
        self.max_bytes: Optional[int] = None
        self.stats_file: Optional[str] = None
        self.engine: Optional[Engine] = None
        self.messages = 0
        self.redacted = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._reported = False

    def init(self, options: Optional[Mapping[Any, Any]] = None) -> bool:
        """Reads the options and builds the engine; ``False`` (syslog-ng then refuses the
        configuration) for an unknown option, a bad value or a rules file that does not load."""
        try:
            opts = {_text(k): _text(v) for k, v in (options or {}).items()}
            unknown = sorted(set(opts) - set(_OPTIONS))
            if unknown:
                raise ValueError(f"unknown option(s) {unknown}; known: {list(_OPTIONS)}")
            fields = tuple(f.strip() for f in opts.get("fields", "MESSAGE").split(",") if f.strip())
            if not fields:
                raise ValueError("option 'fields' names no field")
            self.fields = fields
            if "max_bytes" in opts:
                self.max_bytes = int(opts["max_bytes"])
                if self.max_bytes < 0:
                    raise ValueError("option 'max_bytes' must be 0 or more")
            self.stats_file = opts.get("stats_file") or None
            rules = opts.get("rules")
            # Built here, at configuration time, once per process and set of rules.
            self.engine = shared_engine(rules) if rules else default_engine()
        except Exception as exc:
            _log("error", f"secretsift.integrations.syslog_ng.Redact: init failed: {exc}")
            return False
        return True

    def deinit(self) -> None:
        line = self.stats_line()
        _log("info", line)
        if self.stats_file:
            try:
                with open(self.stats_file, "a", encoding="utf-8") as f:
                    f.write(line + "\n")
            except OSError as exc:
                _log("error", f"secretsift: cannot write stats_file {self.stats_file!r}: {exc}")

    def stats_line(self) -> str:
        """``secretsift syslog-ng parser: pid P: N message(s), R redacted, F failed (...)``."""
        return (
            f"secretsift syslog-ng parser: pid {os.getpid()}: {self.messages} message(s), "
            f"{self.redacted} redacted, {self.failed} failed (passed through with the marker)"
        )

    def parse(self, log_message: Any) -> bool:
        """Redacts the configured fields in place. Always ``True``: no message is dropped."""
        changed = failed = False
        for name in self.fields:
            try:
                value = log_message[name]
            except (KeyError, LookupError):
                continue
            if not value:
                continue
            try:
                red = self.redact_value(value)
                if red is not value and red != value:
                    log_message[name] = red
                    changed = True
            except Exception as exc:
                failed = True
                self._mark(log_message, name, value)
                self._report_once(exc)
        with self._lock:
            self.messages += 1
            self.redacted += changed
            self.failed += failed
        return True

    def redact_value(self, value: Union[str, bytes]) -> Union[str, bytes]:
        """One value redacted (``str`` or ``bytes``, as syslog-ng hands it over)."""
        if not isinstance(value, (str, bytes)):
            raise TypeError(f"expected str or bytes, got {type(value).__name__}")
        engine = self.engine
        if engine is None:
            raise RuntimeError("Redact.init() has not run")
        if self.max_bytes is not None:
            size = len(value) if isinstance(value, bytes) else len(value.encode("utf-8", "surrogatepass"))
            if size > self.max_bytes:
                raise ValueError(f"value of {size} bytes is over max_bytes={self.max_bytes}")
        return engine.redact(value)

    @staticmethod
    def _mark(log_message: Any, name: str, value: Any) -> None:
        try:
            if isinstance(value, bytes):
                if not value.startswith(_MARKER_BYTES):
                    log_message[name] = _MARKER_BYTES + value
            else:
                text = str(value)
                if not text.startswith(MARKER):
                    log_message[name] = MARKER + text
        except Exception:
            pass  # the message still goes on; the failure is counted

    def _report_once(self, exc: BaseException) -> None:
        with self._lock:
            if self._reported:
                return
            self._reported = True
        # Only the exception's type: its message could quote the log message.
        _log(
            "warning",
            f"secretsift: a message could not be redacted ({type(exc).__name__}); such "
            f"messages are passed on prefixed with {MARKER.strip()!r} and counted "
            f"(reported once per parser)",
        )
