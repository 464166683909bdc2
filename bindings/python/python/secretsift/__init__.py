"""Find and redact secrets (API keys, tokens, private keys) in text and logs.

The scanning engine is Rust (``secretsift._native``); this package re-exports it and adds the
logging integrations (:mod:`secretsift.logging`, :mod:`secretsift.structlog`).

>>> from secretsift import Engine
>>> engine = Engine()                      # build once: compiling the rules takes a while
>>> engine.redact("deploy ok key=AKIA" + "Q3EGRT4WZYPLN5DX")
'deploy ok key=[REDACTED:aws-access-key-id]'

Offsets: for ``str`` input, :class:`Finding` offsets and columns count characters (code
points, the unit of ``str`` indexing); for ``bytes`` input, and in :class:`Stream`, they count
bytes. Lines and columns are 1-based; ``start``/``end`` are 0-based, ``end`` exclusive.
"""

from secretsift._native import Engine, Finding, Stream, __version__
from secretsift._default import default_engine, shared_engine
from secretsift.errors import RulesetError, SecretsiftError

__all__ = [
    "Engine",
    "Finding",
    "RulesetError",
    "SecretsiftError",
    "Stream",
    "__version__",
    "default_engine",
    "shared_engine",
]
