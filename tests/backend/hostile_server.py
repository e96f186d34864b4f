"""A small hostile HTTP/1.1 server on 127.0.0.1: it answers the client's requests with whatever a
test tells it to — bombs, lies, garbage, drips — on raw sockets, where a real framework would refuse
to misbehave.

It runs its own event loop in a thread, so the client under test (in the test's loop, or in a
subprocess) competes with it for nothing. Every request is recorded (method, target, headers,
body, and which connection it came on). A behaviour is an async function ``(request, writer)``
that writes what it likes and returns whether to keep the connection for the next request::

    with HostileServer() as server:
        server.behave(respond(200, b'{"a": 1}'))
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import struct
import threading
import zlib
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field

import httpx

Behaviour = Callable[["Request", asyncio.StreamWriter], Awaitable[bool]]


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    connection: int  # 1 for the server's first connection, 2 for the next, ...
    on_connection: int  # 1 for a connection's first request, ...


@dataclass
class HostileServer:
    behaviour: Behaviour | None = None
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def behave(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour

    def __enter__(self) -> HostileServer:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop

            async def start() -> None:
                self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
                self.port = self._server.sockets[0].getsockname()[1]
                ready.set()

            loop.run_until_complete(start())
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="hostile-server", daemon=True)
        self._thread.start()
        ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        loop = self._loop
        assert loop is not None and self._thread is not None

        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(5)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        connection = self.connections
        count = 0
        try:
            while True:
                request = await _read_request(reader, connection, count + 1)
                if request is None:
                    return
                count += 1
                self.requests.append(request)
                behaviour = self.behaviour or respond(200, b"{}")
                if not await behaviour(request, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return  # the client hung up on us: what these tests expect it to do
        finally:
            with contextlib.suppress(Exception):
                writer.close()


async def _read_request(reader: asyncio.StreamReader, connection: int, index: int) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None  # the client closed an idle connection
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Request(method, target, headers, body, connection, index)


# ---------------------------------------------------------------------- answers


def head(status: int, headers: Iterable[tuple[str, str]] = ()) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(
    status: int,
    body: bytes,
    headers: Iterable[tuple[str, str]] = (("Content-Type", "application/json"),),
    *,
    keep_alive: bool = True,
) -> Behaviour:
    """A well-framed answer (Content-Length) with ``body`` as it is."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> bool:
        writer.write(head(status, [*headers, ("Content-Length", str(len(body)))]) + body)
        await writer.drain()
        return keep_alive

    return behaviour


def stream(
    status: int,
    chunks: Callable[[], Iterator[bytes]],
    headers: Iterable[tuple[str, str]] = (("Content-Type", "application/json"),),
    *,
    delay: float = 0.0,
) -> Behaviour:
    """A chunked answer from an iterator (endless if it is), each chunk ``delay`` seconds apart."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> bool:
        writer.write(head(status, [*headers, ("Transfer-Encoding", "chunked")]))
        for chunk in chunks():
            if delay:
                await asyncio.sleep(delay)
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True

    return behaviour


def raw(data: bytes, *, then_close: bool = True) -> Behaviour:
    """Exactly these bytes, framing and all (lies included), then close the connection or keep it."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> bool:
        writer.write(data)
        await writer.drain()
        if not then_close:
            await asyncio.sleep(3600)  # keep it open and silent: the client's timeouts must act
        return False

    return behaviour


def drip(data: bytes, every: float) -> Behaviour:
    """A correct Content-Length, then the body one byte at a time, ``every`` seconds apart."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> bool:
        writer.write(head(200, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]))
        for i in range(len(data)):
            await writer.drain()
            await asyncio.sleep(every)
            writer.write(data[i : i + 1])
        await writer.drain()
        return True

    return behaviour


def close_on(
    index: int, behaviour: Behaviour, *, reset: bool = False, applied_upstream: str = ""
) -> Behaviour:
    """``behaviour``, except that the ``index``-th request on a connection is read and then the
    connection is closed without a word — what a server does whose idle timeout fires just as the
    request arrives. ``reset``: close with a TCP reset instead of a FIN. ``applied_upstream``: the
    worst case instead — the request is carried out by that server, and only its answer is lost."""

    async def closing(request: Request, writer: asyncio.StreamWriter) -> bool:
        if request.on_connection != index:
            return await behaviour(request, writer)
        if applied_upstream:
            await forward(applied_upstream, request)
        if reset:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort() if reset else writer.close()
        return False

    return closing


def in_turn(*behaviours: Behaviour) -> Behaviour:
    """The first request overall gets the first behaviour, the second the second, ...; the last
    behaviour serves every request after that."""
    served = 0

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> bool:
        nonlocal served
        chosen = behaviours[min(served, len(behaviours) - 1)]
        served += 1
        return await chosen(request, writer)

    return behaviour


async def forward(upstream: str, request: Request) -> httpx.Response:
    """``request`` as the client signed it, sent on to a real server (the reference server)."""
    headers = {k: v for k, v in request.headers.items() if k not in ("host", "connection")}
    async with httpx.AsyncClient(base_url=upstream, trust_env=False, timeout=10) as client:
        return await client.request(request.method, request.target, headers=headers, content=request.body)


def relay(upstream: str) -> Behaviour:
    """A transparent proxy to ``upstream``, one request at a time."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> bool:
        answer = await forward(upstream, request)
        headers = [("Content-Type", answer.headers.get("content-type", ""))]
        writer.write(head(answer.status_code, [*headers, ("Content-Length", str(len(answer.content)))]))
        writer.write(answer.content)
        await writer.drain()
        return True

    return behaviour


# ---------------------------------------------------------------------- payloads


def bomb_blocks(wbits: int, megabytes: int, per_chunk: int = 60) -> Iterator[bytes]:
    """A deflate/gzip stream of ``megabytes`` MiB of zeros, about 1 KB on the wire per MiB, made
    without compressing gigabytes: after a full flush every MiB of zeros compresses to the same
    bytes, so one block is repeated. Yielded ``per_chunk`` MiB (~60 KB, a network read) at a time.
    The stream has no end (a client must stop long before)."""
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(1 << 20)
    first = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    yield first + block * (per_chunk - 1)
    for _ in range(megabytes // per_chunk - 1):
        yield block * per_chunk


def stacked_gzip_bomb(megabytes: int) -> bytes:
    """gzip of a gzip bomb: a few KB that decode to ``megabytes`` MiB of zeros in two steps."""
    inner = b"".join(bomb_blocks(31, megabytes))
    return gzip.compress(inner, 9)


def deep_json(depth: int, kind: str = "array") -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def health_json(unix: str) -> bytes:
    return b'{"status":"ok","version":"1","time":"2026-01-01T00:00:00+08:00","unix":%s}' % unix.encode()
