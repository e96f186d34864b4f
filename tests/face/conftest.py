"""One real reference server for the face tests (subprocess on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.refserver import RefServer, refserver_fixture


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    yield from refserver_fixture(tmp_path_factory)
