"""A small TOML writer for configuration override files (tables of scalars, lists and tables).

WHY hand-written: the standard library reads TOML but cannot write it, and the configuration's
shapes are few (strings, numbers, booleans, lists of strings, nested tables). JSON string escapes
are valid TOML basic strings, so strings go through ``json.dumps``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _key(key: str) -> str:
    if key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key):
        return key
    return json.dumps(key, ensure_ascii=False)


def _table(lines: list[str], prefix: str, table: Mapping[str, Any]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, Mapping) or _is_inline(k, v)}
    tables = {k: v for k, v in table.items() if k not in scalars}
    if prefix and scalars:
        lines.append(f"[{prefix}]")
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    if scalars:
        lines.append("")
    for key, value in tables.items():
        _table(lines, f"{prefix}.{_key(key)}" if prefix else _key(key), value)


def _is_inline(key: str, value: Mapping[str, Any]) -> bool:
    """Free-form maps (issuer keys) stay inline; configuration sections become tables."""
    return key in ("issuer_keys",)


def dumps(data: Mapping[str, Any]) -> str:
    lines: list[str] = []
    _table(lines, "", data)
    return "\n".join(lines).rstrip() + "\n"
