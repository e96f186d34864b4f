"""A persistent outbox for 好差评 ratings: kept on disk, resent with back-off when the backend returns.

WHY a file and not memory: a rating given while the network is down must not be lost when the
terminal restarts overnight. WHY JSON lines: one append per rating, readable by staff, and a torn
last line after a power cut only loses that line. Nothing personal is written: the service
reference is the random session id, and a free-text comment is kept only when it has no
number-like text in it (an ID or phone number typed into the comment box).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kiosk.backend.errors import BackendError, BackendErrorKind

log = logging.getLogger(__name__)

# Errors after which trying again later can succeed; anything else (a refused request) is final.
RETRYABLE = frozenset(
    {
        BackendErrorKind.UNAVAILABLE,
        BackendErrorKind.TIMEOUT,
        BackendErrorKind.CIRCUIT_OPEN,
        BackendErrorKind.RATE_LIMITED,
        BackendErrorKind.INTERNAL,
        BackendErrorKind.BAD_RESPONSE,
        BackendErrorKind.CLOCK_SKEW,
        BackendErrorKind.AUTH_FAILED,  # a secret being rotated: keep the rating, staff will fix it
    }
)

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


class RatingOutbox:
    """Ratings waiting for the backend, in ``<state_dir>/ratings-outbox.jsonl``.

    ``add`` writes first and then wakes the sender, so a crash between the two loses nothing.
    ``run`` (a background asyncio task) sends the oldest first; on a retryable failure it waits
    with exponential back-off (``min_delay`` doubling up to ``max_delay``); a final refusal drops the
    rating with a log line (it could never be delivered).
    """

    FILE_NAME = "ratings-outbox.jsonl"

    def __init__(
        self,
        state_dir: Path,
        sender: Sender,
        min_delay: float = 2.0,
        max_delay: float = 300.0,
    ) -> None:
        self.path = Path(state_dir) / self.FILE_NAME
        self._send = sender
        self.min_delay = min_delay
        self.max_delay = max_delay
        self._lock = threading.Lock()
        self._wake: asyncio.Event | None = None
        self.delivered = 0
        self.dropped = 0
        self.failures = 0  # consecutive retryable failures (drives the back-off)

    # ------------------------------------------------------------------ the file
    def pending(self) -> list[PendingRating]:
        with self._lock:
            return self._read()

    def _read(self) -> list[PendingRating]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        items: list[PendingRating] = []
        for line in lines:
            if not line.strip():
                continue
            try:
                items.append(PendingRating.from_json(line))
            except (ValueError, KeyError, TypeError):
                log.warning("skipping a damaged line in the rating outbox")
        return items

    def _write(self, items: Sequence[PendingRating]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for item in items:
                fh.write(item.to_json() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

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
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            items = self._read()
            if len(items) >= MAX_PENDING:
                self._write(items[-(MAX_PENDING - 1) :])
                self.dropped += 1
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(item.to_json() + "\n")
        if self._wake is not None:
            self._wake.set()
        return item

    def _remove(self, key: str) -> None:
        with self._lock:
            self._write([i for i in self._read() if i.key != key])

    # ------------------------------------------------------------------ delivery
    async def flush(self) -> bool:
        """Send everything pending, oldest first; False when the backend is still unreachable.

        The file is read and rewritten (with an fsync) in a worker thread: this runs on the UI's
        loop, where one fsync held a frame for 284 ms in the soak.
        """
        for item in await asyncio.to_thread(self.pending):
            try:
                await self._send(item)
            except BackendError as exc:
                if exc.kind in RETRYABLE:
                    self.failures += 1
                    log.info("rating kept for later", extra={"kind": exc.kind.value})
                    return False
                self.dropped += 1
                log.warning("rating refused by the backend, dropped", extra={"kind": exc.kind.value})
            else:
                self.delivered += 1
            await asyncio.to_thread(self._remove, item.key)
        self.failures = 0
        return True

    def next_delay(self) -> float:
        if self.failures <= 0:
            return self.max_delay
        return min(self.max_delay, self.min_delay * 2 ** (self.failures - 1))

    async def run(self) -> None:
        """Background task: deliver now, then whenever woken or after the back-off delay."""
        self._wake = asyncio.Event()
        while True:
            self._wake.clear()
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:  # a broken backend object must not end the task
                log.exception("rating delivery failed")
                self.failures += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.next_delay())
