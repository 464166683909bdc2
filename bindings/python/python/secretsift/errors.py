"""The exceptions secretsift raises."""

from __future__ import annotations

from typing import Any, Optional, Tuple

__all__ = ["RulesetError", "SecretsiftError"]


class SecretsiftError(Exception):
    """Base class of every secretsift error."""


class RulesetError(SecretsiftError, ValueError):
    """A rule file or rule text could not be loaded or compiled.

    ``str(error)`` names the place (``file:line``), the rule and the field. The same facts are
    attributes, so programs need not parse the message:

    - ``code``: what went wrong, one of ``"syntax"``, ``"regex"``, ``"no-keyword"``,
      ``"duplicate-id"``, ``"unknown-validator"``, ``"invalid-value"``, ``"limit"``;
    - ``rule_id``: the id of the rule at fault, if one is;
    - ``field``: the field of that rule (``"regex"``, ``"keywords"``, ...), if known;
    - ``origin``: the file (or ``"<rules>"`` for text) the rules came from;
    - ``line``: the 1-based line in ``origin``, for syntax errors.

    Never contains scanned data.
    """

    code: str
    rule_id: Optional[str]
    field: Optional[str]
    origin: Optional[str]
    line: Optional[int]

    def __init__(
        self,
        message: str,
        *,
        code: str = "syntax",
        rule_id: Optional[str] = None,
        field: Optional[str] = None,
        origin: Optional[str] = None,
        line: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.rule_id = rule_id
        self.field = field
        self.origin = origin
        self.line = line

    def __reduce__(self) -> Tuple[Any, ...]:
        # Keyword-only arguments: pickle (multiprocessing, Spark) needs to be told how.
        return (
            _rebuild_ruleset_error,
            (str(self), self.code, self.rule_id, self.field, self.origin, self.line),
        )


def _rebuild_ruleset_error(
    message: str,
    code: str,
    rule_id: Optional[str],
    field: Optional[str],
    origin: Optional[str],
    line: Optional[int],
) -> RulesetError:
    return RulesetError(message, code=code, rule_id=rule_id, field=field, origin=origin, line=line)
