"""Fixtures for the card reader tests (the real pcscd fixture lives in tests/support/pcsc.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.card import CardIdentity, load_demo_identities
from tests.support.pcsc import CardSlot, PcscDaemon

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_identities() -> list[CardIdentity]:
    return load_demo_identities(REPO / "config" / "demo_identities.toml")


@pytest.fixture(scope="session")
def pcscd() -> Iterator[PcscDaemon]:
    """A real ``pcscd --foreground`` with vsmartcard-vpcd, started and stopped by PID."""
    daemon = PcscDaemon()
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def card_slot(pcscd: PcscDaemon) -> Iterator[CardSlot]:
    """Insert virtual cards into ``Virtual PCD 00 00``; any card left in is removed afterwards and
    the test ends only when pcscd reports the reader empty (so the next test starts clean)."""
    slot = CardSlot()
    try:
        yield slot
    finally:
        slot.clear()
