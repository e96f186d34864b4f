"""A persistent outbox for 好差评 ratings: kept on disk, resent with back-off when the backend returns.

WHY a file and not memory: a rating given while the network is down must not be lost when the
terminal restarts overnight. WHY JSON lines: one append per rating, readable by staff, and a torn
last line after a power cut only loses that line. Nothing personal is written: the service
reference is the random session id, and a free-text comment is kept only when it has no
number-like text in it (an ID or phone number typed into the comment box).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kiosk.outbox import RETRYABLE, JsonLinesOutbox

__all__ = ["RETRYABLE", "PendingRating", "RatingOutbox", "safe_comment"]

MAX_COMMENT = 200
MAX_REASONS = 10
MAX_PENDING = 5000  # a terminal offline for weeks must not fill its disk
# Six or more digits (with optional spaces/dashes between them), or an ID-card-shaped token: could
# identify a person (ID, phone, card or account number), so such a comment is not stored or sent.
_NUMBERY = re.compile(r"(?:\d[\s\-－]?){6,}|\d{17}[\dXx]|[A-Za-z]{3}\d{9,}")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

Sender = Callable[["PendingRating"], Awaitable[None]]


def safe_comment(text: str | None) -> str | None:
    """The comment as it may be kept and sent, or None when it is empty or looks personal."""
    if not text:
        return None
    cleaned = " ".join(text.split())[:MAX_COMMENT]
    if not cleaned:
        return None
    if _NUMBERY.search(cleaned.translate(_FULLWIDTH_DIGITS)):
        return None
    return cleaned


@dataclass(frozen=True)
class PendingRating:
    service_ref: str  # the random session id, never a person's identifier
    score: int
    reasons: tuple[str, ...] = ()
    comment: str | None = None
    created: float = field(default_factory=time.time)
    key: str = field(default_factory=lambda: secrets.token_hex(6))

    def to_json(self) -> str:
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> PendingRating:
        d = json.loads(line)
        return cls(
            service_ref=str(d["service_ref"]),
            score=int(d["score"]),
            reasons=tuple(str(r) for r in d.get("reasons", ())),
            comment=safe_comment(d.get("comment")),
            created=float(d.get("created", 0.0)),
            key=str(d.get("key") or secrets.token_hex(6)),
        )


class RatingOutbox(JsonLinesOutbox[PendingRating]):
    """Ratings waiting for the backend, in ``<state_dir>/ratings-outbox.jsonl`` (kiosk.outbox:
    written first, sent oldest first with back-off, a final refusal dropped with a log line)."""

    FILE_NAME = "ratings-outbox.jsonl"

    def __init__(
        self,
        state_dir: Path,
        sender: Sender,
        min_delay: float = 2.0,
        max_delay: float = 300.0,
    ) -> None:
        super().__init__(
            Path(state_dir) / self.FILE_NAME,
            sender,
            PendingRating.from_json,
            what="rating",
            max_pending=MAX_PENDING,
            min_delay=min_delay,
            max_delay=max_delay,
        )

    def add(
        self, service_ref: str, score: int, reasons: Sequence[str] = (), comment: str | None = None
    ) -> PendingRating:
        """Keep a rating for delivery (validated; the comment only if it is safe to keep)."""
        if not 1 <= int(score) <= 5:
            raise ValueError(f"score must be 1..5, not {score}")
        item = PendingRating(
            service_ref=str(service_ref)[:64],
            score=int(score),
            reasons=tuple(str(r)[:40] for r in reasons)[:MAX_REASONS],
            comment=safe_comment(comment),
        )
        return self.add_item(item)
