"""Engines shared within a process: built once on first use, then reused (thread-safe)."""

from __future__ import annotations

import os
import threading
from typing import Dict, Iterable, Optional, Tuple, Union

from secretsift._native import Engine

_lock = threading.Lock()
_engines: Dict[Tuple[object, ...], Engine] = {}
_default: Optional[Engine] = None
# Engines this process has built through this module (the distributed examples' tests read it).
_builds = 0


def shared_engine(
    rules: Union[str, "os.PathLike[str]", None] = None,
    *,
    default_rules: bool = True,
    entropy: Optional[float] = None,
    disable: Optional[Iterable[str]] = None,
) -> Engine:
    """The engine for these arguments (as :class:`Engine` takes them), built once per process.

    Use it wherever code runs many times in one process but cannot easily hold an object:
    logging filters, UDFs of Spark or Beam workers (each worker process builds its engine
    once, not once per row or batch), request handlers. Thread-safe.
    """
    global _builds
    key = (
        os.fspath(rules) if rules is not None else None,
        default_rules,
        entropy,
        tuple(sorted(disable)) if disable is not None and not isinstance(disable, str) else disable,
    )
    engine = _engines.get(key)
    if engine is None:
        with _lock:
            engine = _engines.get(key)
            if engine is None:
                engine = Engine(rules, default_rules=default_rules, entropy=entropy, disable=disable)
                _engines[key] = engine
                _builds += 1
    return engine


def default_engine() -> Engine:
    """The engine with the default rules, built once per process on first use (thread-safe).

    Building compiles about 500 rules (well under a second); scanning with one engine from
    many threads at once is safe and runs in parallel.
    """
    global _default
    engine = _default
    if engine is None:
        engine = _default = shared_engine()
    return engine
