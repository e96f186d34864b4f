"""A persistent outbox: items kept in a JSON-lines file until the backend has them, oldest first.

WHY a file and not memory: what a citizen handed the terminal while the network was down must not
be lost when the terminal restarts overnight. WHY JSON lines: one append per item, and a torn last
line after a power cut only loses that line. Used by 好差评 ratings (kiosk.rating) and by
咨询·投诉·举报 (kiosk.complaints, whose items are sealed to the platform's key before they get here).

Delivery is in order and stops at the first retryable failure, so a later item never overtakes an
earlier one; an item leaves the file only once the backend answered (at-least-once: the receiving
side must accept a repeat, which both the evaluation and the complaint endpoints are built for).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Generic, Protocol, TypeVar

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
        BackendErrorKind.AUTH_FAILED,  # a secret being rotated: keep the item, staff will fix it
    }
)


class OutboxItem(Protocol):
    @property
    def key(self) -> str: ...

    def to_json(self) -> str: ...


T = TypeVar("T", bound=OutboxItem)


class JsonLinesOutbox(Generic[T]):
    """Items of one kind waiting for the backend, in ``<state_dir>/<file_name>``.

    ``add_item`` writes first and then wakes the sender, so a crash between the two loses nothing.
    ``run`` (a background asyncio task) sends the oldest first; on a retryable failure it waits
    with exponential back-off (``min_delay`` doubling up to ``max_delay``); a final refusal drops
    the item with a log line (it could never be delivered).
    """

    def __init__(
        self,
        path: Path,
        sender: Callable[[T], Awaitable[None]],
        parse: Callable[[str], T],
        *,
        what: str,
        max_pending: int,
        min_delay: float = 2.0,
        max_delay: float = 300.0,
        sync_add: bool = False,
    ) -> None:
        self.path = Path(path)
        # fsync each added item: for callers that add from a worker thread (complaints); the rating
        # is added on the UI loop, where an fsync can hold a frame (see flush)
        self.sync_add = sync_add
        self._send = sender
        self._parse = parse
        self.what = what  # for the log lines: "rating", "complaint"
        self.max_pending = max_pending
        self.min_delay = min_delay
        self.max_delay = max_delay
        self._lock = threading.Lock()
        self._wake: asyncio.Event | None = None
        self.delivered = 0
        self.dropped = 0
        self.failures = 0  # consecutive retryable failures (drives the back-off)

    # ------------------------------------------------------------------ the file
    def pending(self) -> list[T]:
        with self._lock:
            return self._read()

    def _read(self) -> list[T]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        items: list[T] = []
        for line in lines:
            if not line.strip():
                continue
            try:
                items.append(self._parse(line))
            except (ValueError, KeyError, TypeError):
                log.warning("skipping a damaged line in the %s outbox", self.what)
        return items

    def _write(self, items: Sequence[T]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for item in items:
                fh.write(item.to_json() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def add_item(self, item: T) -> T:
        """Keep ``item`` (after the oldest is dropped when ``max_pending`` are waiting)."""
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            items = self._read()
            if len(items) >= self.max_pending:
                self._write(items[-(self.max_pending - 1) :])
                self.dropped += 1
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(item.to_json() + "\n")
                if self.sync_add:
                    fh.flush()
                    os.fsync(fh.fileno())
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
                    log.info("%s kept for later", self.what, extra={"kind": exc.kind.value})
                    return False
                self.dropped += 1
                log.warning("%s refused by the backend, dropped", self.what, extra={"kind": exc.kind.value})
            else:
                self.delivered += 1
            await asyncio.to_thread(self._remove, item.key)
        self.failures = 0
        return True

    def next_delay(self) -> float:
        if self.failures <= 0:
            return self.max_delay
        return min(self.max_delay, self.min_delay * 2 ** (self.failures - 1))

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

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
                log.exception("%s delivery failed", self.what)
                self.failures += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.next_delay())
