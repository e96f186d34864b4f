"""Admin tests: PIN, lockout, config store; the UI run uses the real app offscreen with the real
reference server on 127.0.0.1."""

from __future__ import annotations

import pytest

PIN = "482915"


@pytest.fixture(scope="session")
def pin_hash() -> str:
    from kiosk.admin.pin import hash_pin

    return hash_pin(PIN)
