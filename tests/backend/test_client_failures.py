"""Each way the backend can fail, against the real server with injected faults (or no server at
all), asserting the error kind the session controller will see and that it has a Chinese message."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import SecretStr

from kiosk.backend.breaker import BreakerState
from kiosk.backend.client import HttpBackend
from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.backend.messages import message_for
from kiosk.domain.certificate import CertStatus
from kiosk.domain.holder import Holder
from kiosk.settings.backend import BackendConfig
from tests.backend.conftest import ELDER_ID, card_holder
from tests.support.refserver import SOCIAL_SECURITY_TYPE, RefServer

FAST = {"retries": 0, "connect_timeout": 1.0, "read_timeout": 2.0, "total_timeout": 5.0}


async def fails_with(kind: BackendErrorKind, call: Any) -> BackendError:
    with pytest.raises(BackendError) as info:
        await call
    assert info.value.kind is kind, info.value
    assert "请" in message_for(info.value.kind) or "未" in message_for(info.value.kind)
    return info.value


@pytest.fixture
async def elder_certs(server: RefServer) -> list[str]:
    backend = server.client()
    try:
        certs = await backend.query_certificates(card_holder("韦桂兰", ELDER_ID), "免证办")
    finally:
        await backend.aclose()
    return [c.identifier for c in certs]


@pytest.fixture
async def client_factory(server: RefServer) -> AsyncIterator[Callable[..., HttpBackend]]:
    made: list[HttpBackend] = []

    def make(**overrides: Any) -> HttpBackend:
        kwargs = {k: overrides.pop(k) for k in ("clock", "nonce_factory", "today") if k in overrides}
        terminal = overrides.pop("terminal_id", None)
        backend = HttpBackend(
            server.backend_config(**{**FAST, **overrides}), terminal or "LJ-ZZ-DEMO", **kwargs
        )
        made.append(backend)
        return backend

    yield make
    for b in made:
        await b.aclose()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


async def test_server_down_is_unavailable(server: RefServer) -> None:
    config = BackendConfig(url=f"http://127.0.0.1:{closed_port()}", retries=2, terminal_secret=SecretStr("x"))
    backend = HttpBackend(config, "LJ-ZZ-DEMO")
    try:
        await fails_with(BackendErrorKind.UNAVAILABLE, backend.health())
        await fails_with(
            BackendErrorKind.UNAVAILABLE, backend.query_certificates(card_holder("韦桂兰", ELDER_ID), "x")
        )
    finally:
        await backend.aclose()


async def test_connection_reset_on_an_idempotent_call_is_retried(
    server: RefServer, client_factory: Callable[..., HttpBackend], elder_certs: list[str]
) -> None:
    server.set_fault("reset", count=1, path_prefix="/v1/certificates/1.2")
    verified = await client_factory(retries=2).get_certificate(elder_certs[0])
    assert verified.verification.ok


async def test_connection_reset_without_retries(
    server: RefServer, client_factory: Callable[..., HttpBackend], elder_certs: list[str]
) -> None:
    server.set_fault("reset", count=1)
    await fails_with(BackendErrorKind.UNAVAILABLE, client_factory(retries=0).get_certificate(elder_certs[0]))


async def test_query_is_not_retried_once_it_may_have_reached_the_server(
    server: RefServer, client_factory: Callable[..., HttpBackend]
) -> None:
    backend = client_factory(retries=3)
    holder = card_holder("韦桂兰", ELDER_ID)
    server.set_fault("reset", count=1, path_prefix="/v1/certificates/query")
    await fails_with(BackendErrorKind.UNAVAILABLE, backend.query_certificates(holder, "免证办"))
    server.set_fault("status", status=503, count=1, path_prefix="/v1/certificates/query")
    await fails_with(BackendErrorKind.INTERNAL, backend.query_certificates(holder, "免证办"))
    # the faults were for one request each: had the client retried, the calls above would have worked
    assert len(await backend.query_certificates(holder, "免证办")) == 5


async def test_gateway_error_on_an_idempotent_call_is_retried(
    server: RefServer, client_factory: Callable[..., HttpBackend], elder_certs: list[str]
) -> None:
    server.set_fault("status", status=503, count=2, path_prefix="/v1/certificates/1.2")
    assert (await client_factory(retries=2).get_certificate(elder_certs[0])).verification.ok


async def test_internal_error(server: RefServer, client_factory: Callable[..., HttpBackend]) -> None:
    server.set_fault("status", status=500)
    await fails_with(BackendErrorKind.INTERNAL, client_factory(retries=2).health())


async def test_slow_answer_times_out(server: RefServer, client_factory: Callable[..., HttpBackend]) -> None:
    server.set_fault("delay", seconds=3)
    await fails_with(BackendErrorKind.TIMEOUT, client_factory(read_timeout=0.3).health())


async def test_total_timeout_bounds_the_whole_call(
    server: RefServer, client_factory: Callable[..., HttpBackend]
) -> None:
    server.set_fault("delay", seconds=3)
    backend = client_factory(read_timeout=10.0, total_timeout=0.5)
    started = time.monotonic()
    await fails_with(BackendErrorKind.TIMEOUT, backend.health())
    assert time.monotonic() - started < 3  # gave up before the server answered


async def test_malformed_json(server: RefServer, client_factory: Callable[..., HttpBackend]) -> None:
    server.set_fault("malformed")
    holder = card_holder("韦桂兰", ELDER_ID)
    await fails_with(BackendErrorKind.BAD_RESPONSE, client_factory().query_certificates(holder, "免证办"))


async def test_oversized_answer(server: RefServer, client_factory: Callable[..., HttpBackend]) -> None:
    server.set_fault("oversized", size=3_000_000)
    holder = card_holder("韦桂兰", ELDER_ID)
    backend = client_factory(max_response_bytes=100_000)
    await fails_with(BackendErrorKind.BAD_RESPONSE, backend.query_certificates(holder, "免证办"))


async def test_answer_of_the_wrong_shape(
    server: RefServer, client_factory: Callable[..., HttpBackend]
) -> None:
    # health's answer sent where a certificate list is expected: valid JSON, wrong contract
    server.set_fault("oversized", size=40)
    holder = card_holder("韦桂兰", ELDER_ID)
    backend = client_factory()
    await fails_with(BackendErrorKind.BAD_RESPONSE, backend.health())
    server.clear_faults()
    assert len(await backend.query_certificates(holder, "免证办")) == 5


async def test_wrong_secret_and_unknown_terminal(client_factory: Callable[..., HttpBackend]) -> None:
    await fails_with(
        BackendErrorKind.AUTH_FAILED,
        client_factory(terminal_secret="wrong").get_certificate(
            "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F"
        ),
    )
    holder = card_holder("韦桂兰", ELDER_ID)
    await fails_with(
        BackendErrorKind.AUTH_FAILED,
        client_factory(terminal_id="LJ-ZZ-NOBODY").query_certificates(holder, "免证办"),
    )


async def test_tampered_record_is_refused_by_the_client(
    server: RefServer, client_factory: Callable[..., HttpBackend], elder_certs: list[str]
) -> None:
    server.set_fault("bad_signature", count=1)
    verified = await client_factory().get_certificate(elder_certs[0])
    assert verified.verification.status is CertStatus.UNVERIFIED
    assert verified.verification.reason == "签名验证失败，该证照可能被篡改"


async def test_record_signed_by_an_unknown_issuer(
    client_factory: Callable[..., HttpBackend], elder_certs: list[str]
) -> None:
    verified = await client_factory(issuer_keys={}).get_certificate(elder_certs[0])
    assert verified.verification.status is CertStatus.UNVERIFIED


async def test_replayed_nonce(client_factory: Callable[..., HttpBackend]) -> None:
    fixed = "ab" * 16 + format(time.time_ns(), "x")
    backend = client_factory(nonce_factory=lambda: fixed)
    holder = card_holder("韦桂兰", ELDER_ID)
    await backend.query_certificates(holder, "免证办")
    await fails_with(BackendErrorKind.REPLAY, backend.query_certificates(holder, "免证办"))


async def test_clock_skew(client_factory: Callable[..., HttpBackend]) -> None:
    backend = client_factory(clock=lambda: time.time() - 1000)
    await fails_with(
        BackendErrorKind.CLOCK_SKEW, backend.query_certificates(card_holder("韦桂兰", ELDER_ID), "x")
    )


async def test_forbidden_certificate_type(server: RefServer, elder_certs: list[str]) -> None:
    backend = server.limited_client(**FAST)
    holder = card_holder("韦桂兰", ELDER_ID)
    try:
        visible = await backend.query_certificates(holder, "社保业务")
        assert [c.type_code for c in visible] == [SOCIAL_SECURITY_TYPE]
        await fails_with(
            BackendErrorKind.FORBIDDEN_TYPE,
            backend.query_certificates(holder, "免证办", type_codes=[elder_certs[0].split(".")[5]]),
        )
        await fails_with(BackendErrorKind.FORBIDDEN_TYPE, backend.get_certificate(elder_certs[0]))
    finally:
        await backend.aclose()


async def test_rate_limited(server: RefServer) -> None:
    backend = server.throttled_client(**FAST)
    holder = card_holder("韦桂兰", ELDER_ID)
    try:
        for _ in range(3):
            await backend.query_certificates(holder, "免证办")
        await fails_with(BackendErrorKind.RATE_LIMITED, backend.query_certificates(holder, "免证办"))
        assert backend.breaker.state is BreakerState.CLOSED  # being throttled is not the server failing
    finally:
        await backend.aclose()


async def test_circuit_breaker_opens_and_recovers(
    server: RefServer, client_factory: Callable[..., HttpBackend]
) -> None:
    backend = client_factory(breaker_failures=2, breaker_reset_seconds=1)
    server.set_fault("status", status=500, count=2)
    await fails_with(BackendErrorKind.INTERNAL, backend.health())
    await fails_with(BackendErrorKind.INTERNAL, backend.health())
    # the fault is used up, so the server would answer now: the breaker answers instead, at once
    await fails_with(BackendErrorKind.CIRCUIT_OPEN, backend.health())
    assert backend.breaker.state is BreakerState.OPEN
    await asyncio.sleep(1.1)
    assert backend.breaker.state is BreakerState.HALF_OPEN
    assert (await backend.health())["status"] == "ok"
    assert backend.breaker.state is BreakerState.CLOSED


async def test_half_open_failure_opens_again(
    server: RefServer, client_factory: Callable[..., HttpBackend]
) -> None:
    backend = client_factory(breaker_failures=1, breaker_reset_seconds=1)
    server.set_fault("malformed", count=2)
    await fails_with(BackendErrorKind.BAD_RESPONSE, backend.health())
    await fails_with(BackendErrorKind.CIRCUIT_OPEN, backend.health())
    await asyncio.sleep(1.1)
    await fails_with(BackendErrorKind.BAD_RESPONSE, backend.health())  # the one trial call
    await fails_with(BackendErrorKind.CIRCUIT_OPEN, backend.health())


async def test_business_errors_do_not_open_the_breaker(client_factory: Callable[..., HttpBackend]) -> None:
    backend = client_factory(breaker_failures=1)
    for _ in range(3):
        await fails_with(BackendErrorKind.NOT_FOUND, backend.resolve_token("LZ1-unknown", "免证办"))
    assert (await backend.health())["breaker"] == "closed"


def test_plain_http_only_to_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        HttpBackend(BackendConfig(url="http://example.org:8080"), "LJ-ZZ-DEMO")


async def test_bad_identifier_is_refused_before_sending(client_factory: Callable[..., HttpBackend]) -> None:
    backend = client_factory()
    await fails_with(BackendErrorKind.INVALID_REQUEST, backend.get_certificate("1.2.156.3005.2.A.B.C.001.X"))
    await fails_with(BackendErrorKind.INVALID_REQUEST, backend.get_certificate("../../etc/passwd"))


async def test_unknown_certificate(client_factory: Callable[..., HttpBackend]) -> None:
    from kiosk.domain.identifiers import make_certificate_identifier

    ident = make_certificate_identifier("11100000000000001M001", "11450206MB0000001L", "1999999999")
    await fails_with(BackendErrorKind.NOT_FOUND, client_factory().get_certificate(ident))


async def test_holder_is_not_mutated(client_factory: Callable[..., HttpBackend]) -> None:
    holder: Holder = card_holder("韦桂兰", ELDER_ID)
    before = dict(holder.evidence)
    await client_factory().query_certificates(holder, "免证办")
    assert holder.evidence == before


async def test_summary_with_a_bad_identifier_is_dropped(
    server: RefServer, client_factory: Callable[..., HttpBackend]
) -> None:
    server.set_fault("bad_identifier", count=1)
    backend = client_factory()
    holder = card_holder("韦桂兰", ELDER_ID)
    damaged = await backend.query_certificates(holder, "免证办")
    whole = await backend.query_certificates(holder, "免证办")
    assert len(damaged) == len(whole) - 1
    assert {c.identifier for c in damaged} < {c.identifier for c in whole}


async def test_call_after_close_is_a_backend_error(server: RefServer) -> None:
    backend = server.client()
    await backend.aclose()
    await fails_with(BackendErrorKind.UNAVAILABLE, backend.health())


async def test_hmac_sm3_signing(server: RefServer) -> None:
    good = server.sm3_client(signature_algorithm="hmac-sm3", **FAST)
    wrong = server.sm3_client(**FAST)  # signs with HMAC-SHA256, the registry says SM3
    try:
        assert len(await good.query_certificates(card_holder("韦桂兰", ELDER_ID), "免证办")) == 5
        await fails_with(
            BackendErrorKind.AUTH_FAILED, wrong.query_certificates(card_holder("韦桂兰", ELDER_ID), "x")
        )
    finally:
        await good.aclose()
        await wrong.aclose()
