"""Experience tests: the real app offscreen with the real reference server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.artifacts import artifacts_dir
from tests.support.ui import UiHarness


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from kiosk.wiring.backend import start_embedded_refserver

    # faults=True only adds the test endpoints (/_admin/evaluations: what the server received)
    server = start_embedded_refserver(tmp_path_factory.mktemp("experience-refserver"), faults=True)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ui(ui_server: object, tmp_path: Path) -> UiHarness:
    return UiHarness(ui_server, tmp_path, artifacts_dir() / "experience")
