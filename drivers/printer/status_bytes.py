"""Decoding the answers to ``DLE EOT n`` (real-time status transmission, ESC/POS).

Each answer is one byte whose bits 1 and 4 are always 1 and bits 0 and 7 always 0 (``0x12`` when
nothing is wrong). A byte that does not have that shape is not a status answer (a stale or garbled
byte), so it decodes to "unknown" rather than to a guess.
"""

from __future__ import annotations

from drivers.printer.types import Paper

DLE_EOT_ONLINE = b"\x10\x04\x01"  # n=1 printer status: bit 3 = offline
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"  # n=2: bit 2 cover open, bit 5 stopped at paper end
DLE_EOT_PAPER = b"\x10\x04\x04"  # n=4 roll paper sensor: bits 2+3 near end, bits 5+6 paper end

_FIXED_MASK = 0x93
_FIXED_VALUE = 0x12


def is_status_byte(value: int) -> bool:
    return (value & _FIXED_MASK) == _FIXED_VALUE


def decode_online(answer: bytes) -> bool | None:
    if not answer or not is_status_byte(answer[-1]):
        return None
    return not (answer[-1] & 0x08)


def decode_cover_open(answer: bytes) -> bool | None:
    if not answer or not is_status_byte(answer[-1]):
        return None
    return bool(answer[-1] & 0x04)


def decode_paper_end_stop(answer: bytes) -> bool | None:
    """n=2 bit 5: printing stopped because the paper ran out."""
    if not answer or not is_status_byte(answer[-1]):
        return None
    return bool(answer[-1] & 0x20)


def decode_paper(answer: bytes) -> Paper:
    if not answer or not is_status_byte(answer[-1]):
        return "unknown"
    value = answer[-1]
    if value & 0x60:
        return "out"
    if value & 0x0C:
        return "near_end"
    return "ok"
