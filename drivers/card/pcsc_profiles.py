"""How identity data is obtained from a PC/SC reader: one function per reader profile.

Each profile gets a ``Transmit`` callable and returns a :class:`ProfileResult`. They do no PC/SC calls
of their own, so the same code runs over pyscard in the adapter and over plain functions in benches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from drivers.card.apdu import ApduStatusError, Transmit, exchange
from drivers.card.errors import MalformedTextBlockError
from drivers.card.identity import CardIdentity
from drivers.card.ssse import Authenticate, read_ssse
from drivers.card.text_block import TEXT_BLOCK_SIZE, parse_text_block

GET_UID = [0xFF, 0xCA, 0x00, 0x00, 0x00]
GET_CHIP_SERIAL = [0x00, 0x36, 0x00, 0x00, 0x08]
PROFILES = ("vendor_sam", "ssse", "plain")


@dataclass(frozen=True, slots=True)
class ProfileResult:
    identity: CardIdentity | None
    reader_extra: dict[str, str] = field(default_factory=dict)  # sam_id / chip_serial / uid for evidence


def read_vendor_sam(transmit: Transmit, text_apdu: Sequence[int], text_offset: int) -> ProfileResult:
    """The vendor pseudo-APDU returns the 256-byte text block at ``text_offset`` in its answer."""
    data = exchange(transmit, text_apdu, "vendor text APDU")
    if len(data) < text_offset + TEXT_BLOCK_SIZE:
        raise MalformedTextBlockError(
            f"reader answered {len(data)} bytes, need {text_offset + TEXT_BLOCK_SIZE} (offset {text_offset})"
        )
    return ProfileResult(parse_text_block(data[text_offset : text_offset + TEXT_BLOCK_SIZE]))


def read_social_security(
    transmit: Transmit, pin: bytes | None = None, authenticate: Authenticate | None = None
) -> ProfileResult:
    identity, ef05 = read_ssse(transmit, pin, authenticate)
    extra = {}
    card_id = ef05.get(0x01, b"").rstrip(b"\x00 ")
    if card_id and card_id.isascii():
        extra["chip_serial"] = card_id.decode("ascii")  # 卡识别码: identifies this card, not the person
    return ProfileResult(identity, extra)


def read_plain(transmit: Transmit) -> ProfileResult:
    """A reader without a SAM: only the UID and the chip serial (no name, no ID number)."""
    extra: dict[str, str] = {}
    for key, apdu in (("uid", GET_UID), ("chip_serial", GET_CHIP_SERIAL)):
        try:
            extra[key] = exchange(transmit, apdu, key).hex().upper()
        except ApduStatusError:
            continue
    return ProfileResult(None, extra)
