"""Canonical JSON, the byte string an issuer signs (backend-api.md, "Records and signatures").

Keys sorted, UTF-8, no insignificant white space, non-ASCII characters kept as themselves
(``ensure_ascii=False``) so that a rare character such as 䶮 is signed as its UTF-8 bytes rather than
an escape that another platform might spell differently.
"""

from __future__ import annotations

import json
from typing import Any


def canonical_json(obj: Any) -> bytes:
    """Serialise ``obj`` canonically. Floats are refused: their text form is not stable across
    implementations, and no field of a record needs one."""
    _refuse_floats(obj)
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def _refuse_floats(obj: Any) -> None:
    if isinstance(obj, float):
        raise ValueError("floats are not allowed in signed records")
    if isinstance(obj, dict):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise ValueError("object keys must be strings")
            _refuse_floats(value)
    elif isinstance(obj, list | tuple):
        for value in obj:
            _refuse_floats(value)
