"""Social security card (社会保障卡) SSSE records over PC/SC (domain.md §1.4).

The card is authenticated by the terminal's PSAM (``ssse_auth``) after the issuer file EF05 (which
holds the card identifier the card's keys are diversified by) and before the holder file EF06: no
personal data is read from a card that is not genuine.

Records are tag-length-value; the record number equals the tag (READ RECORD ``00 B2 tag 04 Le``).
Names are GBK; read as GB 18030 (a superset) so that rare characters survive. Dates are 4-byte BCD.

Uncertain from public sources: whether sex (0A) is an ASCII digit or a binary byte, and whether nation
(0B) is BCD. Both encodings are accepted when parsing; the encoder writes ASCII sex and BCD nation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from drivers.card.apdu import Transmit, exchange
from drivers.card.codes import NATION_CODES, NATION_NAMES, SEX_CODES, SEX_NAMES, gb11643_is_valid
from drivers.card.errors import IdNumberChecksumError, SsseRecordError
from drivers.card.identity import CardIdentity

SSSE_AID = bytes.fromhex("7378312E73682E") + "社会保障".encode("gbk")  # "sx1.sh." + 社会保障
SELECT_SSSE = [0x00, 0xA4, 0x04, 0x00, len(SSSE_AID), *SSSE_AID]
SELECT_EF05 = [0x00, 0xA4, 0x02, 0x00, 0x02, 0xEF, 0x05]
SELECT_EF06 = [0x00, 0xA4, 0x02, 0x00, 0x02, 0xEF, 0x06]

# tag → value length (bytes), per file
EF05_RECORDS: dict[int, int] = {0x01: 16, 0x05: 4, 0x06: 4, 0x07: 9}
EF06_RECORDS: dict[int, int] = {0x08: 18, 0x09: 30, 0x0A: 1, 0x0B: 1, 0x0C: 3, 0x0D: 4}


def read_record_apdu(tag: int, length: int) -> list[int]:
    return [0x00, 0xB2, tag, 0x04, length + 2]


def parse_tlv(data: bytes) -> dict[int, bytes]:
    """Split concatenated one-byte-tag, one-byte-length TLVs (trailing 00/FF padding allowed)."""
    out: dict[int, bytes] = {}
    i = 0
    while i < len(data):
        tag = data[i]
        if tag in (0x00, 0xFF) and all(b == tag for b in data[i:]):
            break
        if i + 2 > len(data):
            raise SsseRecordError(f"TLV at {i}: truncated header")
        length = data[i + 1]
        if i + 2 + length > len(data):
            raise SsseRecordError(f"TLV tag {tag:02X}: length {length} runs past the record")
        out[tag] = bytes(data[i + 2 : i + 2 + length])
        i += 2 + length
    return out


def bcd_digits(raw: bytes, field: str) -> str:
    text = raw.hex()
    if not text.isdigit():
        raise SsseRecordError(f"{field}: not BCD ({raw.hex(' ')})")
    return text


def _bcd_date(raw: bytes | None, field: str, *, optional: bool = False) -> date | None:
    if raw is None or (optional and (raw.strip(b"\x00") == b"" or raw.strip(b"\xff") == b"")):
        if optional:
            return None
        raise SsseRecordError(f"{field}: missing")
    if len(raw) != 4:
        raise SsseRecordError(f"{field}: expected 4 BCD bytes")
    text = bcd_digits(raw, field)
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise SsseRecordError(f"{field}: not a calendar date ({text})") from None


def _text(raw: bytes, field: str) -> str:
    try:
        text = raw.rstrip(b"\x00\xff ").decode("gb18030")
    except UnicodeDecodeError:
        raise SsseRecordError(f"{field}: not GBK text") from None
    text = text.strip()
    if any(ord(c) < 0x20 for c in text):
        raise SsseRecordError(f"{field}: control character in text")
    return text


def _sex(raw: bytes | None) -> str | None:
    if not raw:
        return None
    b = raw[0]
    code = chr(b) if 0x30 <= b <= 0x39 else str(b)
    if code not in SEX_NAMES:
        raise SsseRecordError(f"sex: unknown code {raw.hex()}")
    return SEX_NAMES[code]


def _nation(raw: bytes | None) -> str | None:
    if not raw or raw.strip(b"\x00") == b"":
        return None
    code = raw.hex() if len(raw) == 1 else _text(raw, "nation")
    if code not in NATION_NAMES:
        raise SsseRecordError(f"nation: unknown code {raw.hex()}")
    return NATION_NAMES[code]


def identity_from_records(ef05: Mapping[int, bytes], ef06: Mapping[int, bytes]) -> CardIdentity:
    """Build the identity from the parsed EF05 and EF06 records."""
    if 0x08 not in ef06 or 0x09 not in ef06:
        raise SsseRecordError("EF06: social security number or name missing")
    number = _text(ef06[0x08], "social_security_number").upper()
    if len(number) != 18 or not number[:17].isdigit():
        raise SsseRecordError("social_security_number: expected 17 digits and a check character")
    if not gb11643_is_valid(number):
        raise IdNumberChecksumError("social_security_number: GB 11643 check character does not match")
    name = _text(ef06[0x09], "name")
    if not name:
        raise SsseRecordError("name: empty")
    return CardIdentity(
        card_type="social_security",
        name=name,
        id_number=number,
        sex=_sex(ef06.get(0x0A)),
        nation=_nation(ef06.get(0x0B)),
        birth_date=_bcd_date(ef06.get(0x0D), "birth_date", optional=True),
        valid_from=_bcd_date(ef05.get(0x05), "issue_date", optional=True),
        valid_to=_bcd_date(ef05.get(0x06), "expiry_date", optional=True),
    )


# Called with the card link and the card identifier (EF05 01); raises unless the card is genuine.
Authenticate = Callable[[Transmit, bytes], None]


def read_ssse(
    transmit: Transmit, pin: bytes | None = None, authenticate: Authenticate | None = None
) -> tuple[CardIdentity, dict[int, bytes]]:
    """Run the SSSE read over ``transmit``; returns the identity and the raw EF05 records (card ids).

    ``authenticate`` runs between EF05 and EF06 (the reader passes the PSAM authentication; only
    tests of the record parsing leave it out).
    """
    exchange(transmit, SELECT_SSSE, "SELECT SSSE")
    exchange(transmit, SELECT_EF05, "SELECT EF05")
    ef05: dict[int, bytes] = {}
    for tag, length in EF05_RECORDS.items():
        ef05.update(parse_tlv(exchange(transmit, read_record_apdu(tag, length), f"READ RECORD {tag:02X}")))
    if authenticate is not None:
        authenticate(transmit, ef05.get(0x01, b""))
    exchange(transmit, SELECT_EF06, "SELECT EF06")
    if pin:
        exchange(transmit, [0x00, 0x20, 0x00, 0x00, len(pin), *pin], "VERIFY")
    ef06: dict[int, bytes] = {}
    for tag, length in EF06_RECORDS.items():
        ef06.update(parse_tlv(exchange(transmit, read_record_apdu(tag, length), f"READ RECORD {tag:02X}")))
    return identity_from_records(ef05, ef06), ef05


# --------------------------------------------------------------------------- encoding (simulators)


def _bcd(d: date | None) -> bytes:
    return bytes.fromhex(d.strftime("%Y%m%d")) if d else b"\x00" * 4


def _tlv(tag: int, value: bytes, length: int) -> bytes:
    if len(value) > length:
        raise ValueError(f"tag {tag:02X}: value longer than {length} bytes")
    return bytes([tag, length]) + value.ljust(length, b"\x00")


def encode_ssse_records(
    identity: CardIdentity, card_number: str = "A00000001", card_id: str = ""
) -> dict[str, dict[int, bytes]]:
    """The records a social security card holding ``identity`` would return, keyed ``EF05``/``EF06``.

    Each value is the full TLV a READ RECORD answers with.
    """
    card_id = card_id or ("450206" + identity.id_number[-10:]).ljust(16, "0")
    ef05 = {
        0x01: _tlv(0x01, card_id.encode("ascii"), 16),
        0x05: _tlv(0x05, _bcd(identity.valid_from), 4),
        0x06: _tlv(0x06, _bcd(identity.valid_to), 4),
        0x07: _tlv(0x07, card_number.encode("ascii"), 9),
    }
    ef06 = {
        0x08: _tlv(0x08, identity.id_number.encode("ascii"), 18),
        0x09: _tlv(0x09, identity.name.encode("gb18030"), 30),
        0x0A: _tlv(0x0A, SEX_CODES.get(identity.sex or "", "0").encode("ascii"), 1),
        0x0B: _tlv(0x0B, bytes.fromhex(NATION_CODES[identity.nation]) if identity.nation else b"\x00", 1),
        0x0C: _tlv(0x0C, bytes.fromhex("450206"), 3),
        0x0D: _tlv(0x0D, _bcd(identity.birth_date), 4),
    }
    return {"EF05": ef05, "EF06": ef06}
