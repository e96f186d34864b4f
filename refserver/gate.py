"""The gate every request passes before the application: body cap, then calling-system authentication.

WHY a pure ASGI middleware and not a FastAPI dependency: FastAPI reads and parses a request's whole
body before it runs any dependency, so the server used to take in any body whole (three unsigned
200 MB requests: 2.5 GB peak, 1.9 GB still held after) and parse it before asking who sent it
(issue 19 item 6). Here, in this order:

1. a ``Content-Length`` over the cap is answered 413 at once, nothing read;
2. on a signed operation, the headers are checked (:meth:`Guard.precheck`: present, well-formed, timestamp
   window) — a request that fails is answered 401 before its body is read;
3. the body is read with a running count, and a chunked body is answered 413 the moment it passes the
   cap (so memory is bounded by the cap, whatever the client streams);
4. the body is hashed and the HMAC checked (:meth:`Guard.verify`) — in a worker thread when the body
   is large or the hash is pure-Python SM3, so the event loop keeps serving other terminals;
5. the application gets the body replayed and the authenticated terminal in the scope.

A request that names no operation (404, 405) is not authenticated: the application answers it,
after its body is read within the cap, as it answers anyone (the paths and methods are public in
the OpenAPI document anyway, and a 405 then always lists ``Allow``).

An answer sent before the body was read whole carries ``Connection: close``: otherwise the server
would keep the connection alive and read (and discard) the rest of the body, 200 MB of it perhaps.

The signed path is the one on the wire (``raw_path``, still percent-encoded) plus ``?query``, which is
what a client signs: its HTTP library sends the path it encoded, and the server must not compare the
signature against a decoded path that the client never saw.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool

from refserver.auth import AuthProblem, Guard
from refserver.store import Terminal

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# A terminal's requests are a few hundred bytes (the largest, a query naming 50 type codes, about
# 3 KB): 64 KiB leaves a wide margin and bounds what one request can cost (pure-Python SM3 of the
# largest body: a fraction of a second, in a worker thread). ``refserver serve --max-body-bytes``.
DEFAULT_MAX_BODY_BYTES = 64 * 1024
# Hashing more than this runs in a worker thread (SHA-256 of 16 KiB: microseconds; not worth a hop).
INLINE_HASH_BYTES = 16 * 1024
TERMINAL_SCOPE_KEY = "refserver.terminal"


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    pass


def error_json(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode("utf-8")


async def send_error(send: Send, status: int, code: str, message: str, *, close: bool) -> None:
    body = error_json(code, message)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def too_large_message(limit: int) -> str:
    return f"request body larger than {limit} bytes"


class RequestGate:
    """Pure ASGI middleware; ``signed(scope)`` says whether the request needs a terminal's signature."""

    def __init__(
        self, app: ASGIApp, *, guard: Guard, max_body_bytes: int, signed: Callable[[Scope], bool]
    ) -> None:
        if max_body_bytes < 1:
            raise ValueError("max_body_bytes must be at least 1")
        self.app = app
        self.guard = guard
        self.limit = max_body_bytes
        self._signed = signed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                await send_error(send, 400, "INVALID_REQUEST", "bad Content-Length", close=True)
                return
            if int(length) > self.limit:
                await send_error(send, 413, "INVALID_REQUEST", too_large_message(self.limit), close=True)
                return
        pending = None
        if self._signed(scope):
            try:
                pending = self.guard.precheck(headers)
            except AuthProblem as problem:
                await send_error(send, problem.status, problem.code, problem.message, close=True)
                return
        try:
            body = await _read_body(receive, self.limit)
        except BodyTooLarge:
            await send_error(send, 413, "INVALID_REQUEST", too_large_message(self.limit), close=True)
            return
        except ClientGone:
            return
        if pending is not None:
            target = _signed_target(scope)
            args = (pending, scope["method"], target, body)
            try:
                terminal: Terminal
                if self.guard.slow_hash(pending, len(body), INLINE_HASH_BYTES):
                    terminal = await run_in_threadpool(self.guard.verify, *args)
                else:
                    terminal = self.guard.verify(*args)
            except AuthProblem as problem:
                await send_error(send, problem.status, problem.code, problem.message, close=False)
                return
            scope[TERMINAL_SCOPE_KEY] = terminal
        await self.app(scope, _replay(body, receive), send)


def _headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name (the first of repeated ones)."""
    found: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        found.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return found


def _signed_target(scope: Scope) -> str:
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else scope["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    return path + (f"?{query}" if query else "")


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, counted as it arrives; BodyTooLarge the moment it passes ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        if chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the application the body already read, then defers to the server."""
    done = False

    async def replay() -> Message:
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
