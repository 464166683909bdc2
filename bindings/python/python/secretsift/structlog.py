"""Redact secrets from structlog event dicts: :class:`RedactingProcessor`.

Put it after the processors that render exceptions into strings (``format_exc_info``,
``dict_tracebacks``) and before the renderer::

    import structlog
    from secretsift.structlog import RedactingProcessor

    structlog.configure(processors=[
        structlog.processors.add_log_level,
        structlog.processors.format_exc_info,
        RedactingProcessor(),
        structlog.processors.JSONRenderer(),
    ])

Every string value is redacted, inside nested dicts, lists, tuples and sets too (one call
into the engine per event). Nested containers that change are copied, never modified, since
they may belong to the application. structlog itself is not needed to import this module.
"""

from __future__ import annotations

from typing import Any, Iterator, List, MutableMapping, Optional

from secretsift._default import default_engine
from secretsift._native import Engine

__all__ = ["RedactingProcessor"]

#: Containers nested deeper than this are replaced by their redacted ``repr``.
MAX_DEPTH = 32


class RedactingProcessor:
    """A structlog processor: ``processor(logger, method_name, event_dict) -> event_dict``.

    :param engine: the engine to use; by default :func:`secretsift.default_engine`.
    """

    def __init__(self, engine: Optional[Engine] = None) -> None:
        self.engine: Engine = engine if engine is not None else default_engine()

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        strings: List[str] = []
        for value in event_dict.values():
            _collect(value, strings, 0)
        if not strings:
            return event_dict
        redacted = self.engine.redact_lines(strings)
        if all(a is b for a, b in zip(redacted, strings)):
            return event_dict
        it = iter(redacted)
        for key, value in list(event_dict.items()):
            new = _rebuild(value, it, 0)
            if new is not value:
                event_dict[key] = new
        return event_dict


def _too_deep(value: Any) -> str:
    return repr(value)


def _collect(value: Any, out: List[str], depth: int) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, (dict, list, tuple, set, frozenset)):
        if depth >= MAX_DEPTH:
            out.append(_too_deep(value))
            return
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            _collect(item, out, depth + 1)


def _rebuild(value: Any, it: Iterator[str], depth: int) -> Any:
    """`value` with each string replaced by the next redacted one (same traversal order)."""
    if isinstance(value, str):
        return next(it)
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        if depth >= MAX_DEPTH:
            new_text = next(it)
            return value if new_text == _too_deep(value) else new_text
        if isinstance(value, dict):
            new_items = {k: _rebuild(v, it, depth + 1) for k, v in value.items()}
            if all(new_items[k] is v for k, v in value.items()):
                return value
            out = dict(value)
            out.update(new_items)
            return out
        olds = list(value)
        news = [_rebuild(v, it, depth + 1) for v in olds]
        if all(a is b for a, b in zip(news, olds)):
            return value
        if isinstance(value, list):
            return news
        if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
            return type(value)(*news)
        return type(value)(news)
    return value
