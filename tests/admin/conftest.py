"""Admin tests: PIN, lockout, config store; the UI run uses the real app offscreen with the real
reference server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.admin.as_user import shared_dir

PIN = "482915"


@pytest.fixture(scope="session")
def pin_hash() -> str:
    from kiosk.admin.pin import hash_pin

    return hash_pin(PIN)


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary directory the test user of tests.admin.as_user can reach."""
    with shared_dir() as path:
        yield path
