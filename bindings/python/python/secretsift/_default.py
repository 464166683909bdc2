"""The process-wide default engine, built on first use."""

from __future__ import annotations

import threading
from typing import Optional

from secretsift._native import Engine

_lock = threading.Lock()
_engine: Optional[Engine] = None


def default_engine() -> Engine:
    """The engine with the default rules, built once per process on first use (thread-safe).

    Building compiles about 500 rules (well under a second); scanning with one engine
    from many threads at once is safe and runs in parallel.
    """
    global _engine
    engine = _engine
    if engine is None:
        with _lock:
            engine = _engine
            if engine is None:
                engine = _engine = Engine()
    return engine
