"""Fixtures for the card reader tests (the pcscd and card_slot fixtures live in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.card import CardIdentity, load_demo_identities
from tests.support.pcsc import READER_1, CardSlot, PcscDaemon

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_identities() -> list[CardIdentity]:
    return load_demo_identities(REPO / "config" / "demo_identities.toml")


@pytest.fixture
def psam_slot(pcscd: PcscDaemon) -> Iterator[CardSlot]:
    """The PSAM's slot (the second virtual reader), emptied after the test."""
    slot = CardSlot(READER_1)
    try:
        yield slot
    finally:
        slot.clear()
