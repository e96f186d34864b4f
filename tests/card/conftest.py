"""Fixtures for the card reader tests (the pcscd and card_slot fixtures live in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.card import CardIdentity, load_demo_identities

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_identities() -> list[CardIdentity]:
    return load_demo_identities(REPO / "config" / "demo_identities.toml")
