"""The person (or business) a session is about, and the evidence that binds a query to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(slots=True)
class Holder:
    """Identity of the citizen for one session only.

    Mutable on purpose: :meth:`wipe` overwrites the fields before the object is dropped, so nothing
    personal survives in the session after it ends even if a stray reference remains.
    """

    name: str
    id_number: str  # holder code: citizen ID number or card number
    holder_type: str = "111"  # 111 = 公民身份号码, 001 = 统一社会信用代码
    card_type: str = (
        "resident"  # resident | hmt_permit | foreign_2017 | foreign_2023 | social_security | token
    )
    name_en: str | None = None
    sex: str | None = None
    nation: str | None = None
    birth_date: date | None = None
    address: str | None = None
    valid_to: date | None = None
    evidence: dict[str, Any] = field(default_factory=dict)  # backend-api.md `evidence`

    @property
    def is_foreign(self) -> bool:
        return self.card_type in ("foreign_2017", "foreign_2023")

    def wipe(self) -> None:
        self.name = ""
        self.id_number = ""
        self.name_en = None
        self.sex = None
        self.nation = None
        self.birth_date = None
        self.address = None
        self.valid_to = None
        self.evidence = {}
