"""The 256-byte identity text block (domain.md §1.1): parse it, and build one for simulators and tests.

All text is UTF-16LE padded with spaces. The type marker (2 bytes at offset 248) selects one of four
layouts. Parsing is strict on purpose: a reader that got a garbled block must say ``malformed`` rather
than show a citizen a half-wrong name, so every field is checked and every failure is a
:class:`MalformedTextBlockError` (or :class:`IdNumberChecksumError`) with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from drivers.card.codes import NATION_CODES, NATION_NAMES, SEX_CODES, SEX_NAMES, gb11643_is_valid
from drivers.card.errors import IdNumberChecksumError, MalformedTextBlockError
from drivers.card.identity import CardIdentity

TEXT_BLOCK_SIZE = 256
MARKER_OFFSET = 248
NO_EXPIRY = "长期"
# Foreign permanent resident cards carry no issuing-authority field: the 2023 card is issued by the
# National Immigration Administration, printed on its face, so it is filled in rather than left blank.
FOREIGN_2023_AUTHORITY = "国家移民管理局"

_MARKERS = {" ": "resident", "\x00": "resident", "J": "hmt_permit", "I": "foreign_2017", "Y": "foreign_2023"}
_MARKER_OF = {"resident": " ", "hmt_permit": "J", "foreign_2017": "I", "foreign_2023": "Y"}


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    offset: int
    size: int


def _layout(*fields: tuple[str, int, int]) -> tuple[_Field, ...]:
    return tuple(_Field(n, o, s) for n, o, s in fields)


# (field, offset, bytes). "-" marks reserved bytes, kept so that each layout visibly sums to 256.
LAYOUTS: dict[str, tuple[_Field, ...]] = {
    "resident": _layout(
        ("name", 0, 30), ("sex", 30, 2), ("nation", 32, 4), ("birth_date", 36, 16), ("address", 52, 70),
        ("id_number", 122, 36), ("authority", 158, 30), ("valid_from", 188, 16), ("valid_to", 204, 16),
        ("-", 220, 36),
    ),
    "hmt_permit": _layout(
        ("name", 0, 30), ("sex", 30, 2), ("-", 32, 4), ("birth_date", 36, 16), ("address", 52, 70),
        ("id_number", 122, 36), ("authority", 158, 30), ("valid_from", 188, 16), ("valid_to", 204, 16),
        ("pass_number", 220, 18), ("issue_count", 238, 4), ("-", 242, 6), ("marker", 248, 2),
        ("-", 250, 6),
    ),
    "foreign_2017": _layout(
        ("name_en", 0, 120), ("sex", 120, 2), ("id_number", 122, 30), ("nationality", 152, 6),
        ("name", 158, 30), ("valid_from", 188, 16), ("valid_to", 204, 16), ("birth_date", 220, 16),
        ("card_version", 236, 4), ("accepting_authority", 240, 8), ("marker", 248, 2), ("-", 250, 6),
    ),
    "foreign_2023": _layout(
        ("name", 0, 30), ("sex", 30, 2), ("issue_count", 32, 4), ("birth_date", 36, 16),
        ("name_en", 52, 70), ("id_number", 122, 36), ("-", 158, 30), ("valid_from", 188, 16),
        ("valid_to", 204, 16), ("name_en_2", 220, 22), ("nationality", 242, 6), ("marker", 248, 2),
        ("previous_card", 250, 6),
    ),
}  # fmt: skip


def _decode(raw: bytes, field: str) -> str:
    try:
        text = raw.decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise MalformedTextBlockError(f"{field}: not UTF-16LE ({exc.reason})") from None
    text = text.rstrip(" \x00")
    if any(ord(c) < 0x20 for c in text):
        raise MalformedTextBlockError(f"{field}: control character in text")
    return text


def _parse_date(text: str, field: str, *, allow_no_expiry: bool = False) -> date | None:
    if allow_no_expiry and text == NO_EXPIRY:
        return None
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise MalformedTextBlockError(f"{field}: expected YYYYMMDD")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise MalformedTextBlockError(f"{field}: not a calendar date") from None


def _sex(code: str) -> str:
    if code not in SEX_NAMES:
        raise MalformedTextBlockError(f"sex: unknown code {code!r}")
    return SEX_NAMES[code]


def _checked_id_number(number: str, field: str = "id_number") -> str:
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        raise MalformedTextBlockError(f"{field}: expected 17 digits and a check character")
    if not gb11643_is_valid(number):
        raise IdNumberChecksumError(f"{field}: GB 11643 check character does not match")
    return number


def card_type_of(block: bytes) -> str:
    """The card type named by the marker at offset 248 (raises on an unknown marker)."""
    if len(block) != TEXT_BLOCK_SIZE:
        raise MalformedTextBlockError(f"text block is {len(block)} bytes, expected {TEXT_BLOCK_SIZE}")
    marker = block[MARKER_OFFSET : MARKER_OFFSET + 2]
    try:
        char = marker.decode("utf-16-le")
    except UnicodeDecodeError:
        char = "?"
    if char not in _MARKERS:
        raise MalformedTextBlockError(f"unknown card type marker {marker.hex(' ')}")
    return _MARKERS[char]


def parse_text_block(block: bytes) -> CardIdentity:
    """Decode a 256-byte text block into a :class:`CardIdentity`.

    Raises :class:`MalformedTextBlockError` or :class:`IdNumberChecksumError` (both ``ValueError``).
    An expired card is still an identity: judging ``valid_to`` is the core's business.
    """
    if not isinstance(block, bytes | bytearray | memoryview):
        raise MalformedTextBlockError("text block must be bytes")
    block = bytes(block)
    card_type = card_type_of(block)
    f = {fd.name: _decode(block[fd.offset : fd.offset + fd.size], fd.name) for fd in LAYOUTS[card_type]}
    if card_type in ("resident", "hmt_permit"):
        if not f["name"]:
            raise MalformedTextBlockError("name: empty")
        nation = None
        if card_type == "resident":
            if f["nation"] not in NATION_NAMES:
                raise MalformedTextBlockError(f"nation: unknown code {f['nation']!r}")
            nation = NATION_NAMES[f["nation"]]
        return CardIdentity(
            card_type=card_type,
            name=f["name"],
            sex=_sex(f["sex"]),
            nation=nation,
            birth_date=_parse_date(f["birth_date"], "birth_date"),
            address=f["address"] or None,
            id_number=_checked_id_number(f["id_number"]),
            authority=f["authority"] or None,
            valid_from=_parse_date(f["valid_from"], "valid_from"),
            valid_to=_parse_date(f["valid_to"], "valid_to", allow_no_expiry=True),
            pass_number=f.get("pass_number") or None,
            issue_count=f.get("issue_count") or None,
        )
    if card_type == "foreign_2017":
        if not f["name_en"] and not f["name"]:
            raise MalformedTextBlockError("name: both English and Chinese names are empty")
        if not f["id_number"].isascii() or not f["id_number"].isalnum():
            raise MalformedTextBlockError("id_number: expected letters and digits")
        return CardIdentity(
            card_type=card_type,
            # Many holders have no Chinese name: the English one is then the name to greet them with.
            name=f["name"] or f["name_en"],
            name_en=f["name_en"] or None,
            sex=_sex(f["sex"]),
            birth_date=_parse_date(f["birth_date"], "birth_date"),
            id_number=f["id_number"],
            valid_from=_parse_date(f["valid_from"], "valid_from"),
            valid_to=_parse_date(f["valid_to"], "valid_to", allow_no_expiry=True),
            nationality=_nationality(f["nationality"]),
        )
    # foreign_2023
    # The English name is split over two fields (35 + 11 characters); join the raw halves so that a
    # space falling on the boundary survives.
    name_en = _decode(block[52:122] + block[220:242], "name_en")
    if not name_en and not f["name"]:
        raise MalformedTextBlockError("name: both English and Chinese names are empty")
    return CardIdentity(
        card_type=card_type,
        name=f["name"] or name_en,
        name_en=name_en or None,
        sex=_sex(f["sex"]),
        birth_date=_parse_date(f["birth_date"], "birth_date"),
        id_number=_checked_id_number(f["id_number"]),
        authority=FOREIGN_2023_AUTHORITY,
        valid_from=_parse_date(f["valid_from"], "valid_from"),
        valid_to=_parse_date(f["valid_to"], "valid_to", allow_no_expiry=True),
        issue_count=f["issue_count"] or None,
        nationality=_nationality(f["nationality"]),
    )


def _nationality(code: str) -> str:
    if len(code) != 3 or not code.isascii() or not code.isalpha() or not code.isupper():
        raise MalformedTextBlockError(f"nationality: expected an ISO 3166 alpha-3 code, got {code!r}")
    return code


# --------------------------------------------------------------------------- encoding


def _put(buf: bytearray, fd: _Field, text: str) -> None:
    raw = text.encode("utf-16-le")
    if len(raw) > fd.size:
        raise ValueError(f"{fd.name}: {text!r} does not fit in {fd.size} bytes")
    buf[fd.offset : fd.offset + fd.size] = raw + " ".encode("utf-16-le") * ((fd.size - len(raw)) // 2)


def _ymd(d: date | None, *, no_expiry: bool = False) -> str:
    if d is None:
        return NO_EXPIRY if no_expiry else ""
    return d.strftime("%Y%m%d")


def encode_text_block(identity: CardIdentity) -> bytes:
    """Build the 256-byte block a card of this type would hold (simulated reader, virtual cards, tests).

    Raises ``ValueError`` if a field does not fit the layout or a code has no table entry.
    """
    if identity.card_type not in LAYOUTS:
        raise ValueError(f"card type {identity.card_type!r} has no text block")
    buf = bytearray(" ".encode("utf-16-le") * (TEXT_BLOCK_SIZE // 2))
    name_en = identity.name_en or ""
    values: dict[str, Callable[[], str]] = {
        "name": lambda: identity.name if identity.name != name_en else "",
        "sex": lambda: SEX_CODES[identity.sex] if identity.sex else "0",
        "nation": lambda: NATION_CODES[identity.nation] if identity.nation else "",
        "birth_date": lambda: _ymd(identity.birth_date),
        "address": lambda: identity.address or "",
        "id_number": lambda: identity.id_number,
        "authority": lambda: identity.authority or "",
        "valid_from": lambda: _ymd(identity.valid_from),
        "valid_to": lambda: _ymd(identity.valid_to, no_expiry=True),
        "pass_number": lambda: identity.pass_number or "",
        "issue_count": lambda: identity.issue_count or "",
        "nationality": lambda: identity.nationality or "",
        "name_en": lambda: name_en[:35] if identity.card_type == "foreign_2023" else name_en,
        "name_en_2": lambda: name_en[35:],
        "marker": lambda: _MARKER_OF[identity.card_type],
    }
    if identity.card_type in ("resident", "hmt_permit"):
        values["name"] = lambda: identity.name
    for fd in LAYOUTS[identity.card_type]:
        if fd.name in values:
            try:
                _put(buf, fd, values[fd.name]())
            except KeyError as exc:
                raise ValueError(f"{fd.name}: no code for {exc.args[0]!r}") from None
    return bytes(buf)
