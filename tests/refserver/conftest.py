"""One real reference server (subprocess on 127.0.0.1) for the reference server's own tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from refserver.bundles import publish
from refserver.store import Store
from tests.support.refserver import RefServer, refserver_fixture

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    for running in refserver_fixture(tmp_path_factory):
        # a bundle for the documented example group, so GET /v1/bundles/{group} answers 200 too
        store = Store(running.embedded.db_path)
        try:
            files = {
                name: (CONFIG / f"{name}.toml").read_text(encoding="utf-8")
                for name in ("matters", "disclosure")
            }
            publish(store, "demo", files)
        finally:
            store.close()
        yield running
