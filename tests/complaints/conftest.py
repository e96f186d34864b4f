"""A real reference server on 127.0.0.1 for the complaint tests (fault injection on)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.refserver import RefServer, refserver_fixture


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    yield from refserver_fixture(tmp_path_factory)


@pytest.fixture(autouse=True)
def _clear_faults(request: pytest.FixtureRequest) -> None:
    if "server" in request.fixturenames:
        request.getfixturevalue("server").clear_faults()
