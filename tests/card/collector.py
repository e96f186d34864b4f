"""Collects reader events from the driver's thread; tests wait on them, never on fixed sleeps."""

from __future__ import annotations

import queue
import threading
from typing import Any

from drivers.card import CardEvent


class Collector:
    def __init__(self) -> None:
        self.events: queue.Queue[CardEvent] = queue.Queue()
        self.seen: list[CardEvent] = []
        self.threads: set[str] = set()

    def __call__(self, event: Any) -> None:
        self.threads.add(threading.current_thread().name)
        self.events.put(event)

    def next(self, timeout: float = 5.0) -> CardEvent:
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event within {timeout} s; seen so far: {self.described()}") from None
        self.seen.append(event)
        return event

    def described(self) -> list[str]:
        return [e.kind if e.kind != "error" else f"error:{e.error}" for e in self.seen]

    def kinds(self, n: int, timeout: float = 5.0) -> list[str]:
        got = []
        for _ in range(n):
            e = self.next(timeout)
            got.append(e.kind if e.kind != "error" else f"error:{e.error}")
        return got

    def until(self, kind: str, timeout: float = 5.0, reader: str | None = None) -> CardEvent:
        """Skip events until one of ``kind`` (and reader, if given) arrives."""
        while True:
            e = self.next(timeout)
            if e.kind == kind and (reader is None or e.reader == reader):
                return e
