"""The identity read from a card: one frozen value type for every card kind.

It satisfies ``kiosk.ports.CardIdentityLike`` by shape (same field names and types). Frozen so that a
reader thread can hand it to the core without anyone mutating it underway; the core copies what it
needs into its own wipeable Holder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

CardType = Literal["resident", "hmt_permit", "foreign_2017", "foreign_2023", "social_security"]
CARD_TYPES: tuple[str, ...] = ("resident", "hmt_permit", "foreign_2017", "foreign_2023", "social_security")


@dataclass(frozen=True, slots=True)
class CardIdentity:
    card_type: str  # one of CARD_TYPES
    name: str
    id_number: str
    name_en: str | None = None
    sex: str | None = None  # meaning in Chinese: 男 / 女 / 未知 / 未说明
    nation: str | None = None  # GB/T 3304 name, e.g. 壮
    birth_date: date | None = None
    address: str | None = None
    authority: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None  # None = 长期 (no expiry) or not on the card
    pass_number: str | None = None  # hmt_permit: 通行证号码
    issue_count: str | None = None  # hmt_permit: 签发次数; foreign_2023: renewal count
    nationality: str | None = None  # ISO 3166 alpha-3 for foreign cards

    def to_json_dict(self) -> dict[str, str | None]:
        """Plain JSON-able fields (ISO dates, None for 长期) for the technician CLI and logs."""
        out: dict[str, str | None] = {}
        for key in (
            "card_type", "name", "name_en", "sex", "nation", "birth_date", "address", "id_number",
            "authority", "valid_from", "valid_to", "pass_number", "issue_count", "nationality",
        ):  # fmt: skip
            value = getattr(self, key)
            out[key] = value.isoformat() if isinstance(value, date) else value
        return out


def mask_name(name: str) -> str:
    """韦桂兰 → 韦* (project masking rule): enough to recognise a read, nothing more."""
    return name[:1] + "*" if name else ""


def mask_id_number(number: str) -> str:
    """450206195803120088 → 4502**********0088 (project masking rule)."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
