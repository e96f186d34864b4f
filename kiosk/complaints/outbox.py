"""Sealed 咨询·投诉·举报 waiting for the platform (kiosk.outbox: in order, at least once, back-off).

Each line holds the ticket and the SM2 ciphertext (base64) only: the kind, the text, the phone
number, the identity and the query code are inside the ciphertext, which the terminal cannot open.
The ticket stays readable so that the status page can say "not yet delivered" for it.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.complaints.model import TICKET
from kiosk.outbox import JsonLinesOutbox

MAX_SEALED = 8_000


@dataclass(frozen=True)
class SealedEntry:
    ticket: str
    sealed: bytes
    created: float = field(default_factory=time.time)

    @property
    def key(self) -> str:
        return self.ticket

    def to_json(self) -> str:
        return json.dumps(
            {
                "ticket": self.ticket,
                "sealed": base64.b64encode(self.sealed).decode("ascii"),
                "created": self.created,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, line: str) -> SealedEntry:
        d = json.loads(line)
        ticket = str(d["ticket"])
        sealed = base64.b64decode(str(d["sealed"]), validate=True)
        if not TICKET.match(ticket) or not 0 < len(sealed) <= MAX_SEALED:
            raise ValueError("not a sealed entry")
        return cls(ticket, sealed, float(d.get("created", 0.0)))


class ComplaintOutbox(JsonLinesOutbox[SealedEntry]):
    FILE_NAME = "complaints-outbox.jsonl"

    def __init__(
        self,
        state_dir: Path,
        sender: Callable[[SealedEntry], Awaitable[None]],
        max_pending: int = 2000,
        min_delay: float = 2.0,
        max_delay: float = 300.0,
    ) -> None:
        super().__init__(
            Path(state_dir) / self.FILE_NAME,
            sender,
            SealedEntry.from_json,
            what="complaint",
            max_pending=max_pending,
            min_delay=min_delay,
            max_delay=max_delay,
            sync_add=True,  # added from a worker thread (kiosk.complaints.desk)
        )

    def waiting(self, ticket: str) -> bool:
        return any(e.ticket == ticket for e in self.pending())
