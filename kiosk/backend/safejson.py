"""JSON from the backend, parsed only when it is shallow and made of finite numbers.

``json.loads`` recurses in C for every nested array or object: an answer nested a million levels
deep raised RecursionError out of the client (issue 19), which no caller expected. Depth is
therefore measured first, without recursion and at C speed (bytes operations only), and anything
deeper than :data:`MAX_DEPTH` is refused before the parser sees it. The contract's deepest answer (a
record's face lines) is 4 levels; 32 leaves room for what a newer server may add.

``json.loads`` also accepts ``NaN``, ``Infinity`` and ``1e999`` (which becomes infinity): none is a
JSON number (RFC 8259), and a NaN server time made the clock offset NaN, which compares false with
every limit, so the skew alarm never fired. They are refused here for every field at once.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32

# a JSON string: quotes around anything but quote or backslash, or backslash escapes (linear, no
# nested repetition, so it cannot backtrack badly on hostile input)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_AS_SQUARE = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class JsonRefused(ValueError):
    """The answer is not JSON the terminal will parse (too deep, non-finite number, ...)."""


def check_depth(body: bytes, max_depth: int = MAX_DEPTH) -> None:
    """Refuse ``body`` when its arrays/objects nest deeper than ``max_depth`` (or do not balance).

    Strings are blanked out first (brackets inside them do not nest), then only the brackets are
    kept, and each round removes every innermost pair: after ``max_depth`` rounds a body within the
    limit is empty. Each round is one ``bytes.replace`` over the remaining brackets, so a 4 MB body
    costs at most a few hundred milliseconds, on the backend's own thread.
    """
    brackets = _STRING.sub(b"", body).translate(_AS_SQUARE, _NOT_BRACKETS)
    too_deep = b"[" * (max_depth + 1)
    for _ in range(max_depth):
        if not brackets:
            return
        if too_deep in brackets:  # the usual bomb, found in one search
            break
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            raise JsonRefused("brackets do not balance")
        brackets = shorter
    if brackets:
        raise JsonRefused(f"nested deeper than {max_depth} levels")


def _no_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused("number out of range")
    return value


def loads(body: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` of a checked body: bounded depth, finite numbers only, strict UTF-8."""
    check_depth(body, max_depth)
    # RFC 8259: JSON between systems is UTF-8 (json.loads of bytes would also guess UTF-16/32)
    text = body.decode("utf-8")
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
