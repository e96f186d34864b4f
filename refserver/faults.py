"""Test-only fault injection (enabled by ``serve --faults``), so clients can be tested against the
failures a real network and a real platform produce: delays, reset connections, 5xx, malformed and
oversized bodies, records whose signature no longer matches, and lists with a mangled identifier.

A fault is set with ``POST /_faults`` ``{"mode", "seconds"?, "status"?, "count"?, "path_prefix"?}``
and cleared with ``DELETE /_faults``. ``count`` limits how many matching requests are hit (default:
all until cleared). These endpoints do not exist unless the flag is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

Mode = Literal["delay", "reset", "status", "malformed", "oversized", "bad_signature", "bad_identifier"]


class FaultSpec(BaseModel):
    mode: Mode
    seconds: float = Field(default=0.0, ge=0, le=60)
    status: int = Field(default=503, ge=500, le=599)
    count: int | None = Field(default=None, ge=1)
    path_prefix: str = "/v1/"
    size: int = Field(default=6_000_000, ge=1, le=50_000_000)


@dataclass
class _Active:
    spec: FaultSpec
    left: int | None


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: _Active | None = None

    def set(self, spec: FaultSpec) -> None:
        with self._lock:
            self._active = _Active(spec, spec.count)

    def clear(self) -> None:
        with self._lock:
            self._active = None

    def take(self, path: str, modes: tuple[str, ...]) -> FaultSpec | None:
        """The fault to apply to this request (and count it), if any."""
        with self._lock:
            a = self._active
            if a is None or a.spec.mode not in modes or not path.startswith(a.spec.path_prefix):
                return None
            if a.left is not None:
                a.left -= 1
                if a.left <= 0:
                    self._active = None
            return a.spec


TRANSPORT_MODES = ("delay", "reset", "status", "malformed", "oversized")


class FaultMiddleware:
    """Pure ASGI middleware: applies transport-level faults before the application answers."""

    def __init__(self, app: Any, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        spec = self.faults.take(scope["path"], TRANSPORT_MODES)
        if spec is None:
            await self.app(scope, receive, send)
            return
        if spec.mode == "delay":
            await asyncio.sleep(spec.seconds)
            await self.app(scope, receive, send)
        elif spec.mode == "reset":
            _reset_connection(send)
        elif spec.mode == "status":
            body = b'{"error":{"code":"INTERNAL","message":"injected fault"}}'
            await _answer(send, spec.status, body)
        elif spec.mode == "malformed":
            await _answer(send, 200, b'{"certificates": [{"identifier": "1.2.156')
        elif spec.mode == "oversized":
            await _oversized(send, spec.size)


async def _answer(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _oversized(send: Any, size: int) -> None:
    """A syntactically valid JSON answer of ``size`` bytes, streamed without a Content-Length."""
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
    )
    head, tail = b'{"certificates": [], "padding": "', b'"}'
    await send({"type": "http.response.body", "body": head, "more_body": True})
    left = max(size - len(head) - len(tail), 0)
    chunk = b"x" * 65536
    while left > 0:
        piece = chunk[: min(left, len(chunk))]
        left -= len(piece)
        try:
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        except OSError:
            return
    await send({"type": "http.response.body", "body": tail})


def _reset_connection(send: Any) -> None:
    """Abort the TCP connection with an RST (SO_LINGER 0), as a crashed proxy would.

    uvicorn's ``send`` is a bound method of its per-request cycle object, which holds the transport.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise RuntimeError("connection reset fault needs uvicorn's transport")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
