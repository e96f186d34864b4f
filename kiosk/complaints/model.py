"""What a citizen hands in: the kind, the matter concerned, the text, a phone number, maybe who they are.

Validation happens here, before anything is sealed: the text is cleaned of control characters and
cut to :data:`MAX_TEXT`, a phone number must be a mainland mobile or landline number, and an
identity is attached only when the citizen said yes on the page (``consented``), never for a
report that asked to stay anonymous.

Ticket numbers are random (``TS-7K4M-9QX2``): the terminal hands one out at once, also while the
network is down, without a counter shared with other terminals, and the number says nothing about
the citizen. The 4-digit query code goes with it; both are printed on the slip. The platform
limits wrong codes per ticket (refserver/complaints.py), so four digits are enough.
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

MAX_TEXT = 500
MIN_TEXT = 2
OTHER_MATTER = "其他"
INTERMEDIARY = "中介机构或中介服务"
TICKET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud at a desk
TICKET = re.compile(r"^(ZX|TS|JB)-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
CODE = re.compile(r"^\d{4}$")

# mainland mobile: 1[3-9] + 9 digits; landline: area code 0 + 2-3 digits, 7-8 digits, optional
# extension (0772-7212345, 07727212345, 0772-7212345-801); 12345-style service numbers are not a
# citizen's number
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９－＋", "0123456789-+")


class Kind(Enum):
    CONSULT = "consult"  # 咨询
    COMPLAINT = "complaint"  # 投诉
    REPORT = "report"  # 举报

    @property
    def label(self) -> str:
        return {"consult": "咨询", "complaint": "投诉", "report": "举报"}[self.value]

    @property
    def prefix(self) -> str:
        return {"consult": "ZX", "complaint": "TS", "report": "JB"}[self.value]


class InvalidEntry(ValueError):
    """What the citizen must change before the entry can be taken; ``message`` is plain Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_text(text: str) -> str:
    """The text as it may be kept: control and format characters removed (they could hide text or
    break a display), whitespace runs kept as single spaces or line breaks, at most MAX_TEXT."""
    out: list[str] = []
    for ch in text:
        if ch in "\n\r":
            out.append("\n")
        elif ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(ch)
    lines = [" ".join(line.split()) for line in "".join(out).split("\n")]
    return "\n".join(line for line in lines if line)[:MAX_TEXT]


def clean_phone(phone: str) -> str | None:
    """The phone number as digits (and a dash before an extension), or None when it is not a
    mainland mobile or landline number."""
    raw = phone.translate(_FULLWIDTH).replace(" ", "").strip()
    if raw.startswith("+86"):
        raw = raw[3:]
    if _MOBILE.match(raw) or _LANDLINE.match(raw):
        return raw
    return None


def new_ticket(kind: Kind) -> str:
    pick = "".join(secrets.choice(TICKET_ALPHABET) for _ in range(8))
    return f"{kind.prefix}-{pick[:4]}-{pick[4:]}"


def new_code() -> str:
    return f"{secrets.randbelow(10_000):04d}"


@dataclass(frozen=True)
class Identity:
    """Who the citizen is, from the card or 亮证码 already read, sent only with their consent."""

    name: str
    id_number: str


@dataclass(frozen=True)
class Entry:
    kind: Kind
    matter: str  # a matter's name from the guide, INTERMEDIARY, or OTHER_MATTER
    text: str
    phone: str | None = None
    identity: Identity | None = None

    @classmethod
    def make(
        cls,
        kind: Kind,
        matter: str,
        text: str,
        phone: str = "",
        identity: Identity | None = None,
        consented: bool = False,
        anonymous: bool = False,
    ) -> Entry:
        """A validated entry, or :class:`InvalidEntry` saying what to change."""
        cleaned = clean_text(text)
        if len(cleaned) < MIN_TEXT:
            raise InvalidEntry("请写下您要反映的内容（至少两个字）")
        matter = clean_text(matter)[:100] or OTHER_MATTER
        number: str | None = None
        if phone.strip():
            number = clean_phone(phone)
            if number is None:
                raise InvalidEntry("电话号码格式不正确：请输入11位手机号或带区号的固定电话")
        if anonymous and kind is not Kind.REPORT:
            raise InvalidEntry("只有举报可以匿名")
        who = identity if (consented and not anonymous and identity is not None) else None
        if anonymous:
            number = None  # an anonymous report carries no way back to the citizen
        return cls(kind, matter, cleaned, number, who)

    def payload(self, ticket: str, code: str, terminal_id: str, at: datetime) -> bytes:
        """The JSON that is sealed to the platform (and only ever written sealed)."""
        body: dict[str, Any] = {
            "v": 1,
            "ticket": ticket,
            "code": code,
            "kind": self.kind.value,
            "matter": self.matter,
            "text": self.text,
            "phone": self.phone,
            "identity": None
            if self.identity is None
            else {"name": self.identity.name, "id_number": self.identity.id_number},
            "terminal": terminal_id,
            "created": at.isoformat(timespec="seconds"),
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
