"""Type stubs for the native module (checked against it with ``mypy.stubtest``)."""

import os
from typing import Iterable, List, Optional, Union, final, overload

__all__ = ["Engine", "Finding", "Stream", "__version__"]
__version__: str

@final
class Finding:
    """A secret found by :meth:`Engine.scan` or a :class:`Stream`. Frozen and hashable.

    ``start``/``end`` (0-based, ``end`` exclusive) span the secret, and
    ``match_start``/``match_end`` the whole match; ``line`` and ``column`` are 1-based. All count
    characters for ``str`` input and bytes for ``bytes`` input and streams.
    ``repr`` shows the masked ``preview`` only; :meth:`secret` returns the raw value.
    """

    @property
    def rule_id(self) -> str: ...
    @property
    def provider(self) -> str: ...
    @property
    def publishable(self) -> bool: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def match_start(self) -> int: ...
    @property
    def match_end(self) -> int: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def preview(self) -> str: ...
    def secret(self) -> Union[str, bytes]:
        """The raw secret: ``str`` for ``str`` input; ``bytes`` for ``bytes`` input and streams."""
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Stream:
    """Scans one stream fed in chunks. Offsets are absolute byte offsets from its start.

    Not shareable between threads: use one stream per thread (concurrent calls raise
    ``RuntimeError``).
    """

    def feed(self, chunk: Union[str, bytes, bytearray]) -> List[Finding]:
        """Feeds the next chunk (``str`` is encoded as UTF-8); returns the findings decided so far."""
    def finish(self) -> List[Finding]:
        """Ends the stream, returns the remaining findings, and starts a new stream."""
    @property
    def position(self) -> int: ...

@final
class Engine:
    """Compiled rules: build once, share between threads (scans release the GIL).

    ``rules`` is a path or TOML text, in secretsift's format or gitleaks'; its rules are added
    to the default set, or replace it with ``default_rules=False``. ``entropy`` sets the minimum
    entropy (bits per byte, 0-8) of values found by generic rules. ``disable`` lists rule ids
    to leave out. Raises :class:`secretsift.RulesetError` for a bad rule.
    """

    def __new__(
        cls,
        rules: Union[str, "os.PathLike[str]", None] = None,
        *,
        default_rules: bool = True,
        entropy: Optional[float] = None,
        disable: Optional[Iterable[str]] = None,
    ) -> "Engine": ...
    def scan(self, data: Union[str, bytes, bytearray]) -> List[Finding]:
        """Finds secrets; offsets count characters for ``str``, bytes for ``bytes``."""
    @overload
    def redact(self, text: str) -> str: ...
    @overload
    def redact(self, text: bytes) -> bytes: ...
    @overload
    def redact(self, text: bytearray) -> bytearray: ...
    def redact_lines(self, lines: Iterable[str]) -> List[str]:
        """Redacts each string on its own, in one call into Rust with the GIL released."""
    def stream(self, *, line_mode: bool = False) -> Stream:
        """A new :class:`Stream`; in line mode no match crosses a newline."""
    @property
    def rule_ids(self) -> List[str]: ...
