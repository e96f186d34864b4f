"""Ops tests: the real app offscreen with the real reference server (fault switches on)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.artifacts import artifacts_dir
from tests.support.ui import UiHarness

# fast recovery for tests: the breaker half-opens after 1 s, a goodbye takes 3 s of the fake clock
FAST = {
    "timeouts": {"goodbye_seconds": 3},
    "ops": {"metrics_port": 0},
    "backend": {"breaker_reset_seconds": 1},
    "devices": {"card_reader": {"simulated_read_delay_seconds": 0.05}},
}


@pytest.fixture(scope="session")
def ops_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from kiosk.wiring.backend import start_embedded_refserver

    server = start_embedded_refserver(
        tmp_path_factory.mktemp("ops-refserver"), faults=True, rate_per_minute=100_000
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ui(ops_server: Any, tmp_path: Path) -> UiHarness:
    return UiHarness(ops_server, tmp_path, artifacts_dir() / "ops")
