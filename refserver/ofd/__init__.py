"""The certificates as issued: sealed OFD files of the demo records (测试数据, demo seals only).

``link_for(record)`` makes the record's OFD and returns the entry the record carries (signed with
it): ``{"url", "sm3", "size", "media_type", "unit", "page": [w, h], "fields": [{"label", "box"}]}``,
boxes on page 0 as x, y of the top-left corner (y downwards), width, height, in hundredths of a
millimetre (``unit`` = ``"0.01mm"``): integers, because signed records hold no floats (the
canonical JSON of a float is not the same in every language). ``file_for(record)`` gives the
file's bytes for GET /v1/certificates/{identifier}/ofd: made again from the record (the writer is
deterministic) and served only if its SM3 digest is the one the record carries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from refserver.ofd.pki import demo_ca, der_to_pem, sm3_digest
from refserver.ofd.writer import OfdFile, build_ofd

MEDIA_TYPE = "application/ofd"
_CACHE_SIZE = 64

_lock = threading.Lock()
_cache: OrderedDict[str, bytes] = OrderedDict()  # sm3 hex → file


UNIT = "0.01mm"


def _hundredths(mm: float) -> int:
    return round(mm * 100)


def ofd_path(identifier: str) -> str:
    return f"/v1/certificates/{identifier}/ofd"


def _without_link(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "ofd"}


def _remember(made: OfdFile) -> None:
    with _lock:
        _cache[made.sm3] = made.data
        _cache.move_to_end(made.sm3)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def link_for(record: dict[str, Any]) -> dict[str, Any]:
    made = build_ofd(_without_link(record))
    _remember(made)
    return {
        "url": ofd_path(str(record["identifier"])),
        "sm3": made.sm3,
        "size": made.size,
        "media_type": MEDIA_TYPE,
        "unit": UNIT,
        "page": [_hundredths(v) for v in made.page_size],
        "fields": [{"label": f.label, "box": [_hundredths(v) for v in f.box]} for f in made.fields],
    }


def file_for(record: dict[str, Any]) -> bytes | None:
    """The record's OFD file, or None when the record has none or it cannot be made the same."""
    link = record.get("ofd")
    if not isinstance(link, dict):
        return None
    digest = str(link.get("sm3", ""))
    with _lock:
        cached = _cache.get(digest)
    if cached is not None:
        return cached
    made = build_ofd(_without_link(record))
    if made.sm3 != digest:  # not the file the record was signed with: serve nothing rather than it
        return None
    _remember(made)
    return made.data


def demo_anchor_pem() -> str:
    """The demo CA certificate (PEM): the terminal's OFD seal trust anchor in demo mode."""
    return der_to_pem(demo_ca().root.cert)


__all__ = ["MEDIA_TYPE", "build_ofd", "demo_anchor_pem", "file_for", "link_for", "ofd_path", "sm3_digest"]
