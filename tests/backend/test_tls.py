"""TLS: the client verifies the server — against a pinned CA when configured, else the system
trust store (which does not know the test CA, so the connection is refused)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.wiring.backend import EmbeddedServer, start_embedded_refserver

TLS = Path(__file__).resolve().parent / "tls"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    server = start_embedded_refserver(
        tmp_path_factory.mktemp("tls"), tls=(TLS / "server.pem", TLS / "server.key")
    )
    try:
        yield server
    finally:
        server.stop()


async def test_pinned_ca_is_trusted(tls_server: EmbeddedServer) -> None:
    assert tls_server.url.startswith("https://127.0.0.1:")
    backend = tls_server.client(ca_file=str(TLS / "ca.pem"))
    try:
        assert (await backend.health())["status"] == "ok"
    finally:
        await backend.aclose()


async def test_unknown_ca_is_refused(tls_server: EmbeddedServer) -> None:
    backend = tls_server.client(retries=0)  # system trust store only
    try:
        with pytest.raises(BackendError) as info:
            await backend.health()
    finally:
        await backend.aclose()
    assert info.value.kind is BackendErrorKind.UNAVAILABLE
