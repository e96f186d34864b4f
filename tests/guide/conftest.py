"""Guide and disclosure tests: content files, 免证 matching on the real reference server, search,
and the real app offscreen (fixtures ``ui_server`` / ``ui`` as in tests/ui)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.artifacts import artifacts_dir
from tests.support.refserver import RefServer, refserver_fixture
from tests.support.ui import UiHarness


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from kiosk.wiring.backend import start_embedded_refserver

    server = start_embedded_refserver(tmp_path_factory.mktemp("guide-ui-refserver"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ui(ui_server: object, tmp_path: Path) -> UiHarness:
    return UiHarness(ui_server, tmp_path, artifacts_dir() / "guide")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    """The reference server (subprocess, 127.0.0.1) for the matching and receipt tests."""
    yield from refserver_fixture(tmp_path_factory)
