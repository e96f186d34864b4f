"""A kept-alive connection that the server closes just as the next request goes out (issue 20, item
5: "unavailable after 174 ms" right after a 4.9 s pause, uvicorn closing idle connections at 5 s).

The race is made deterministic: the hostile server answers a connection's first request, then
reads the second and closes the connection without a word, exactly what a server does whose idle
timer fires as the request arrives. The client must send the request again on a fresh connection
and succeed; calls that change something go again byte for byte (same nonce), so that a copy that
did reach the application is refused by the server's replay guard instead of applied twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from kiosk.backend.client import HttpBackend
from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.settings.backend import BackendConfig
from tests.backend.conftest import ELDER_ID, card_holder
from tests.backend.hostile_server import HostileServer, close_on, raw, relay, respond
from tests.support.refserver import RefServer

HEALTH = b'{"status":"ok","version":"1","time":"2026-01-01T00:00:00+08:00","unix":1780000000}'
NO_CERTIFICATES = b'{"certificates":[]}'


@pytest.fixture
def hostile() -> Any:
    with HostileServer() as server:
        yield server


@pytest.fixture
async def backend(hostile: HostileServer) -> AsyncIterator[Callable[..., HttpBackend]]:
    made: list[HttpBackend] = []

    def make(url: str = "", **overrides: Any) -> HttpBackend:
        settings: dict[str, Any] = {
            "url": url or hostile.url,
            "terminal_secret": SecretStr("hostile"),
            "retries": 0,
            "connect_timeout": 1.0,
            "read_timeout": 2.0,
            "total_timeout": 5.0,
            **overrides,
        }
        terminal = settings.pop("terminal_id", "LJ-ZZ-DEMO")
        made.append(HttpBackend(BackendConfig(**settings), terminal))
        return made[-1]

    yield make
    for b in made:
        await b.aclose()


def signature(request: Any) -> tuple[str, str, str]:
    h = request.headers
    return h["x-timestamp"], h["x-nonce"], h["x-signature"]


@pytest.mark.parametrize("reset", [False, True], ids=["closed", "reset"])
async def test_query_on_a_connection_closed_under_it_is_sent_again_unchanged(
    hostile: HostileServer, backend: Callable[..., HttpBackend], reset: bool
) -> None:
    hostile.behave(close_on(2, respond(200, NO_CERTIFICATES), reset=reset))
    client = backend(retries=2)  # the usual setting: a query is still never retried once sent
    holder = card_holder("韦桂兰", ELDER_ID)
    assert await client.query_certificates(holder, "免证办") == []
    assert await client.query_certificates(holder, "免证办") == []  # failed before the fix
    first, dropped, again = hostile.requests
    assert (dropped.connection, dropped.on_connection) == (1, 2)  # the kept connection was reused
    assert (again.connection, again.on_connection) == (2, 1)  # ... and the copy went on a new one
    assert signature(again) == signature(dropped) != signature(first)  # byte for byte: same nonce
    assert again.body == dropped.body


async def test_idempotent_call_goes_again_freshly_signed(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    hostile.behave(close_on(2, respond(200, HEALTH)))
    client = backend(retries=0)  # not one of the configured retries
    await client.health()
    assert (await client.health())["status"] == "ok"
    _, dropped, again = hostile.requests
    assert again.connection == 2 and signature(again)[1] != signature(dropped)[1]


async def test_not_sent_again_on_a_connection_opened_for_it(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    # closed under the FIRST request of a fresh connection: not a stale connection, the server is
    # failing; a query that may have reached it is not sent again
    hostile.behave(close_on(1, respond(200, NO_CERTIFICATES)))
    client = backend(retries=2)
    with pytest.raises(BackendError) as info:
        await client.query_certificates(card_holder("韦桂兰", ELDER_ID), "免证办")
    assert info.value.kind is BackendErrorKind.UNAVAILABLE
    assert len(hostile.requests) == 1


async def test_not_sent_again_once_an_answer_began(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    served = 0

    async def then_half_an_answer(request: Any, writer: asyncio.StreamWriter) -> bool:
        nonlocal served
        served += 1
        if served == 1:
            return await respond(200, NO_CERTIFICATES)(request, writer)
        return await raw(b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"certif')(request, writer)

    hostile.behave(then_half_an_answer)
    client = backend(retries=2)
    holder = card_holder("韦桂兰", ELDER_ID)
    await client.query_certificates(holder, "免证办")
    with pytest.raises(BackendError) as info:
        await client.query_certificates(holder, "免证办")
    assert info.value.kind is BackendErrorKind.UNAVAILABLE
    assert len(hostile.requests) == 2


async def test_a_copy_that_was_applied_is_refused_as_a_replay(
    hostile: HostileServer, backend: Callable[..., HttpBackend], server: RefServer
) -> None:
    """The worst case, on the real reference server behind the hostile one: the dropped query WAS
    carried out (usage logged) and only its answer was lost. The copy comes back REPLAY and the
    usage log holds the query once, not twice."""
    hostile.behave(close_on(2, relay(server.url), applied_upstream=server.url))
    config = server.backend_config()
    client = backend(terminal_secret=config.terminal_secret, retries=2)
    holder = card_holder("韦桂兰", ELDER_ID)
    assert len(await client.query_certificates(holder, "免证办")) == 5
    logged = len(server.usage())
    with pytest.raises(BackendError) as info:
        await client.query_certificates(holder, "免证办")
    assert info.value.kind is BackendErrorKind.REPLAY
    assert len(server.usage()) == logged + 1  # applied once
    assert len(hostile.requests) == 3


async def test_idle_connections_are_dropped_after_keepalive_expiry(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    hostile.behave(respond(200, HEALTH))
    client = backend(keepalive_expiry=0.2)
    await client.health()
    await client.health()
    await asyncio.sleep(0.5)  # past the client's expiry: the next call opens a new connection
    await client.health()
    assert [r.connection for r in hostile.requests] == [1, 1, 2]


def test_keepalive_expiry_default_is_below_uvicorns_five_seconds() -> None:
    assert BackendConfig().keepalive_expiry < 5
    for bad in (0, -1, 61):
        with pytest.raises(ValidationError):
            BackendConfig(keepalive_expiry=bad)
