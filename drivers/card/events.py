"""Events a card reader emits, and the evidence that goes with an identity.

:class:`CardEvent` satisfies ``kiosk.ports.CardEventLike`` by shape. The error codes are stable
strings the core maps to plain-Chinese messages; ``detail`` is an English reason for logs (never
personal data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from drivers.card.identity import CardIdentity, mask_id_number, mask_name

EVENT_KINDS = ("reader_added", "reader_removed", "card_inserted", "card_removed", "identity", "error")
ERROR_CODES = (
    "removed_mid_read",
    "unreadable",
    "checksum",
    "malformed",
    "no_identity_support",
    "reader_failure",
    "not_genuine",
)


@dataclass(frozen=True, slots=True)
class CardEvent:
    kind: str
    reader: str
    identity: CardIdentity | None = None
    error: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    detail: str = ""

    def masked(self) -> str:
        """One log-safe line: masked name and number, never the full identity."""
        text = f"{self.kind} [{self.reader}]"
        if self.identity is not None:
            ident = self.identity
            text += f" {ident.card_type} {mask_name(ident.name)} {mask_id_number(ident.id_number)}"
            if ident.valid_to is not None:
                text += f" valid_to={ident.valid_to.isoformat()}"
        if self.error:
            text += f" error={self.error}"
        if self.detail:
            text += f" ({self.detail})"
        return text


def identity_evidence(
    card_type: str,
    reader_kind: str,
    reader_name: str,
    *,
    sam_id: str | None = None,
    chip_serial: str | None = None,
) -> dict[str, Any]:
    """The evidence dict the core puts in the backend query (backend-api.md ``evidence``)."""
    reader: dict[str, Any] = {"kind": reader_kind, "name": reader_name}
    if sam_id:
        reader["sam_id"] = sam_id
    if chip_serial:
        reader["chip_serial"] = chip_serial
    return {
        "kind": "id_card",
        "card_type": card_type,
        "read_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "reader": reader,
    }
