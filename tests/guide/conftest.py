"""Guide and disclosure tests: content files, 免证 matching on the real reference server, search,
and the real app offscreen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.refserver import RefServer, refserver_fixture


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    """The reference server (subprocess, 127.0.0.1) for the matching and receipt tests."""
    yield from refserver_fixture(tmp_path_factory)
