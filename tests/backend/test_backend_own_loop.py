"""The backend client on its own loop and thread (kiosk.backend.loop_thread), against the real
reference server: answers and errors come back to the caller's loop, the client's work runs on the
backend thread, a cancelled caller cancels its request, and closing stops the thread."""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from typing import Any

import pytest

from kiosk.backend.client import HttpBackend
from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.backend.loop_thread import THREAD_NAME, BackendOnOwnLoop
from kiosk.backend.signing import new_nonce
from kiosk.domain.certificate import CertStatus
from kiosk.domain.holder import Holder
from kiosk.ports import BackendPort
from tests.support.refserver import RefServer


def wrapped(server: RefServer, signed_on: list[str]) -> BackendOnOwnLoop:
    """The real client, wrapped; every request it signs notes the thread it was signed on."""

    def nonce() -> str:
        signed_on.append(threading.current_thread().name)
        return new_nonce()

    inner = HttpBackend(server.backend_config(), server.embedded.terminal_id, nonce_factory=nonce)
    return BackendOnOwnLoop(inner)


def backend_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


async def test_answers_come_back_and_the_work_runs_on_the_backend_thread(
    server: RefServer, business: Holder
) -> None:
    signed_on: list[str] = []
    backend = wrapped(server, signed_on)
    try:
        certs = await backend.query_certificates(business, "办理不动产登记")
        record = await backend.get_certificate(certs[0].identifier)
        health = await backend.health()
    finally:
        await backend.aclose()
    assert len(certs) == 10
    assert record.record.summary.identifier == certs[0].identifier
    assert record.verification.status is CertStatus.VALID
    assert health.get("status") == "ok"
    assert signed_on and set(signed_on) == {THREAD_NAME}
    assert threading.current_thread().name != THREAD_NAME


async def test_errors_keep_their_kind(server: RefServer, business: Holder) -> None:
    backend = wrapped(server, [])
    server.set_fault("status", status=500)
    try:
        with pytest.raises(BackendError) as caught:
            await backend.query_certificates(business, "办理不动产登记")
    finally:
        await backend.aclose()
    assert caught.value.kind is BackendErrorKind.INTERNAL


async def test_the_callers_loop_runs_while_the_backend_is_slow(server: RefServer, business: Holder) -> None:
    backend = wrapped(server, [])
    server.set_fault("delay", seconds=1.0, path_prefix="/v1/certificates")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        certs = await backend.query_certificates(business, "办理不动产登记")
    finally:
        ticker.cancel()
        await backend.aclose()
    assert len(certs) == 10
    assert ticks >= 20  # a second of waiting: the caller's loop kept turning all along


async def test_cancelling_the_caller_cancels_the_request(server: RefServer, business: Holder) -> None:
    backend = wrapped(server, [])
    server.set_fault("delay", seconds=5.0, path_prefix="/v1/certificates")
    try:
        call = asyncio.create_task(backend.query_certificates(business, "办理不动产登记"))
        await asyncio.sleep(0.3)
        started = time.monotonic()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert time.monotonic() - started < 1.0

        async def left() -> int:
            me = asyncio.current_task()
            return len([t for t in asyncio.all_tasks() if t is not me])

        for _ in range(50):  # the backend loop cancels its task on its next turn
            if await backend._on_loop(left()) == 0:
                break
            await asyncio.sleep(0.02)
        assert await backend._on_loop(left()) == 0
    finally:
        await backend.aclose()


async def test_close_stops_the_thread_and_later_calls_fail_cleanly(
    server: RefServer, business: Holder
) -> None:
    before = len(backend_threads())
    backend = wrapped(server, [])
    assert len(backend_threads()) == before + 1
    await backend.health()
    await backend.aclose()
    await backend.aclose()  # twice is harmless (the controller and the app may both close it)
    assert len(backend_threads()) == before
    with pytest.raises(BackendError) as caught:
        await backend.query_certificates(business, "办理不动产登记")
    assert caught.value.kind is BackendErrorKind.UNAVAILABLE


def _public_calls(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(fn)
        for name, fn in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }


def _parameters(signature: inspect.Signature) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


def test_every_call_of_the_port_and_the_client_is_forwarded() -> None:
    """``kiosk run`` wraps the client (kiosk.wiring.backend), while most tests use it bare: a call
    the client has and the wrapper lacks fails only on a terminal (fetch_bundle did: the bundle
    poller failed on AttributeError at every poll). The port's calls and every public call of the
    client must be on the wrapper, with the same parameters."""
    wrapper = _public_calls(BackendOnOwnLoop)
    for source in (BackendPort, HttpBackend):
        calls = _public_calls(source)
        assert calls, source  # the comparison found something to compare
        for name, signature in calls.items():
            assert name in wrapper, f"BackendOnOwnLoop does not forward {source.__name__}.{name}"
            assert _parameters(wrapper[name]) == _parameters(signature), name


async def test_bundle_and_second_opinion_calls_reach_the_server_through_the_wrapper(
    server: RefServer, business: Holder
) -> None:
    signed_on: list[str] = []
    backend = wrapped(server, signed_on)
    try:
        certs = await backend.query_certificates(business, "办理不动产登记")
        valid, status, _reason = await backend.server_verify(certs[0].identifier)
        with pytest.raises(BackendError) as caught:  # no bundle published for this group
            await backend.fetch_bundle("no-such-group")
    finally:
        await backend.aclose()
    assert valid and status == "valid"
    assert caught.value.kind is BackendErrorKind.NOT_FOUND
    assert len(signed_on) == 3 and set(signed_on) == {THREAD_NAME}
