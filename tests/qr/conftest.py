"""Fixtures for the QR tests: scanners are always stopped, whatever the test does."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from drivers.camera.scanner import QrScanner


class Collector:
    """Thread-safe sink for ``on_text`` with a bounded wait (tests never hang)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._cond = threading.Condition()

    def __call__(self, text: str) -> None:
        with self._cond:
            self.items.append(text)
            self._cond.notify_all()

    def wait_for(self, count: int, timeout: float = 15.0) -> list[str]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.items) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return list(self.items)


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def collector() -> Collector:
    return Collector()


@pytest.fixture
def scanners() -> Iterator[list[QrScanner]]:
    """Register scanners here; they are stopped at teardown."""
    started: list[QrScanner] = []
    yield started
    for s in started:
        s.stop(wait=5.0)
