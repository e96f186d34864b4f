"""The reference server refuses bodies over its cap before reading them, and its memory stays bounded.

Issue 19 item 6: the server read every body whole before authenticating; three unsigned 200 MB
requests took it to 2.5 GB, and 1.9 GB stayed held. Each test here talks to a real ``refserver
serve`` subprocess on 127.0.0.1 and reads the process's resident size from /proc.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.backend.signing import new_nonce, sign_headers
from refserver.auth import Guard, Pending
from refserver.gate import DEFAULT_MAX_BODY_BYTES, INLINE_HASH_BYTES
from refserver.store import Store, Terminal
from tests.refserver.inprocess import TERMINAL, serving
from tests.refserver.rawhttp import proc_status, send_oversized
from tests.support.refserver import RefServer, running_refserver

BIG = 200_000_000
QUERY = "/v1/certificates/query"
ELDER = {
    "holder_code": "450206195803120088",
    "holder_type": "111",
    "evidence": {"kind": "id_card"},
    "use_cause": "免证办",
}


@pytest.fixture(scope="module")
def lone_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    """A server of its own: its peak resident size must not carry other tests' work."""
    with running_refserver(tmp_path_factory.mktemp("lone"), faults=False) as server:
        yield server


def terminal_headers(server: RefServer, method: str, path: str, body: bytes) -> dict[str, str]:
    return sign_headers(
        method, path, body, server.embedded.terminal_id, server.embedded.secret, int(time.time()), new_nonce()
    )


def signed_post(server: RefServer, path: str, content: Any, signed_body: bytes) -> httpx.Response:
    headers = terminal_headers(server, "POST", path, signed_body)
    headers["Content-Type"] = "application/json"
    return httpx.post(server.url + path, content=content, headers=headers, trust_env=False, timeout=30)


def error_code(body: bytes) -> str:
    return str(json.loads(body)["error"]["code"])


def test_oversized_bodies_get_413_before_they_are_read_and_memory_stays_bounded(
    lone_server: RefServer,
) -> None:
    body = json.dumps(ELDER).encode()
    assert signed_post(lone_server, QUERY, body, body).status_code == 200  # warm: a real answer first
    before = proc_status(lone_server.embedded.pid)
    # headers a terminal would send (the signature is over another body: it never gets that far)
    headers = terminal_headers(lone_server, "POST", QUERY, body)
    answers = [
        send_oversized(lone_server.url, QUERY, BIG, chunked=chunked, headers=headers)
        for chunked in (False, True, False, True, False, True)
    ]
    after = proc_status(lone_server.embedded.pid)
    for answer in answers:
        assert answer.status == 413 and error_code(answer.body) == "INVALID_REQUEST"
        assert answer.headers.get("connection") == "close"  # not kept alive to drain 200 MB
        assert answer.sent < BIG // 10, "the server answered only after most of the body"
    grown_peak = after["VmHWM"] - before["VmHWM"]
    grown_now = after["VmRSS"] - before["VmRSS"]
    assert grown_peak < 40_000, f"peak resident size grew by {grown_peak} kB"
    assert grown_now < 40_000, f"resident size grew by {grown_now} kB"
    assert signed_post(lone_server, QUERY, body, body).status_code == 200  # and it still serves


def test_an_unsigned_stream_is_refused_before_its_body_is_read(lone_server: RefServer) -> None:
    answer = send_oversized(lone_server.url, QUERY, BIG, chunked=True)
    assert answer.status == 401 and error_code(answer.body) == "AUTH_FAILED"
    assert answer.headers.get("connection") == "close"
    assert answer.sent < BIG // 10


def test_a_public_path_does_not_read_an_oversized_body_either(lone_server: RefServer) -> None:
    answer = send_oversized(lone_server.url, "/v1/health", BIG, chunked=True, method="GET")
    assert answer.status == 413 and answer.sent < BIG // 10


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_the_cap_is_exact(lone_server: RefServer, chunked: bool) -> None:
    """A body of exactly the cap is read (and signed: it reaches validation); one byte more is 413."""

    def post(size: int) -> httpx.Response:
        body = b" " * (size - 2) + b"{}"
        content: Any = iter([body[: size // 2], body[size // 2 :]]) if chunked else body
        return signed_post(lone_server, QUERY, content, body)

    at_cap = post(DEFAULT_MAX_BODY_BYTES)
    assert at_cap.status_code == 400 and at_cap.json()["error"]["code"] == "INVALID_REQUEST"
    over = post(DEFAULT_MAX_BODY_BYTES + 1)
    assert over.status_code == 413 and over.json()["error"]["code"] == "INVALID_REQUEST"


class RecordingGuard(Guard):
    """Notes, for every body it hashes, whether an event loop was running in that thread."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.on_loop: list[bool] = []

    def verify(
        self, pending: Pending, method: str, path: str, body: bytes, now: float | None = None
    ) -> Terminal:
        try:
            asyncio.get_running_loop()
            self.on_loop.append(True)
        except RuntimeError:
            self.on_loop.append(False)
        return super().verify(pending, method, path, body, now)


def test_a_large_body_is_hashed_in_a_worker_thread_not_on_the_event_loop(tmp_path: Path) -> None:
    small = json.dumps(ELDER).encode()
    large = json.dumps({**ELDER, "evidence": {"kind": "id_card", "note": "x" * 40_000}}).encode()
    assert len(small) < INLINE_HASH_BYTES < len(large) < DEFAULT_MAX_BODY_BYTES
    with serving(tmp_path, RecordingGuard) as (url, guard):
        for body in (small, large):
            ts, nonce = int(time.time()), new_nonce()
            headers = sign_headers("POST", QUERY, body, TERMINAL.id, TERMINAL.secret, ts, nonce)
            headers["Content-Type"] = "application/json"
            r = httpx.post(url + QUERY, content=body, headers=headers, trust_env=False)
            assert r.status_code == 200 and r.json() == {"certificates": []}
    assert isinstance(guard, RecordingGuard)
    assert guard.on_loop == [True, False]
