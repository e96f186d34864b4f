"""Change one value in a TOML file that people also edit by hand, keeping their comments.

tomlkit (a maintained round-trip TOML library) parses the file into a document that remembers its
comments, blank lines and key order, sets the value, and writes it back with correct escapes — the
hand-written writer this replaces wrote U+007F unescaped and integers beyond 64 bits, which every
TOML parser refuses. What TOML cannot hold is refused before anything is written.

WHY tomlkit is imported on first use: staff save a setting a few times in a terminal's life, and
the library's modules stay resident for good once loaded (about 2.5 MB of Python objects).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tomlkit

INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # TOML integers are 64-bit signed


class Unrepresentable(ValueError):
    """The value cannot be written as TOML; the message is plain Chinese for the staff member."""


class NotToml(ValueError):
    """The existing file is not TOML that can be edited."""


def check_representable(value: Any) -> None:
    """Raise :class:`Unrepresentable` for what a TOML file cannot hold exactly."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise Unrepresentable("数值超出可保存的范围（整数须在 -2^63 到 2^63-1 之间）")
    elif isinstance(value, float):
        if math.isnan(value):
            raise Unrepresentable("不是一个数值")
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Unrepresentable("含有无法保存的字符") from None
    elif isinstance(value, list | tuple):
        for item in value:
            check_representable(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_representable(str(key))
            check_representable(item)
    else:
        raise Unrepresentable(f"无法保存此类型的值（{type(value).__name__}）")


def parse(text: str) -> tomlkit.TOMLDocument:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise NotToml(str(exc)) from None


def set_value(text: str, path: str, value: Any) -> str:
    """``text`` with ``path`` (dotted) set to ``value``; tables are created as needed, comments kept."""
    import tomlkit
    from tomlkit.items import AoT, InlineTable, Table

    check_representable(value)
    doc = parse(text)
    parts = path.split(".")
    node: Any = doc
    for part in parts[:-1]:
        child = node.get(part)
        if isinstance(child, AoT) or not isinstance(child, Table | InlineTable | dict):
            # a missing section (or a stray scalar where a section belongs) becomes a table;
            # an implicit super-table keeps "[devices.printer]" instead of an empty "[devices]"
            child = tomlkit.table(is_super_table=True)
            node[part] = child
            child = node[part]
        node = child
    node[parts[-1]] = value
    return tomlkit.dumps(doc)
