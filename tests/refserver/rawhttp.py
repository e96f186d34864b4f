"""HTTP/1.1 by hand over a socket, for requests no client library sends: a body far larger than it
should be, announced by Content-Length or streamed chunked, sent only until the server answers.

A well-behaved client (httpx, requests) sends its whole body before reading the answer; a server
that refuses early would then look like a broken connection. This one watches the socket between
chunks and stops sending as soon as the server has said something or closed.
"""

from __future__ import annotations

import contextlib
import select
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

CHUNK = 1 << 20


@dataclass
class RawAnswer:
    status: int  # 0: the connection closed without an answer
    headers: dict[str, str]
    body: bytes
    sent: int  # body bytes the server let us send before it answered or closed


def send_oversized(
    url: str,
    path: str,
    size: int,
    *,
    chunked: bool = False,
    headers: dict[str, str] | None = None,
    method: str = "POST",
) -> RawAnswer:
    """Send ``size`` body bytes (or fewer, if the server answers first) and read the answer."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=30)
    with sock:
        head = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Content-Type: application/json"]
        head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        sent = 0
        piece = b"x" * CHUNK
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            while sent < size:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    break  # the server has answered (or closed): stop sending
                data = piece[: min(CHUNK, size - sent)]
                sock.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
                sent += len(data)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        return _read_answer(sock, sent)


def _read_answer(sock: socket.socket, sent: int) -> RawAnswer:
    data = b""
    with contextlib.suppress(ConnectionResetError, TimeoutError):
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            if not more:
                break
            data += more
    if b"\r\n\r\n" not in data:
        return RawAnswer(0, {}, b"", sent)
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    with contextlib.suppress(ConnectionResetError, TimeoutError):
        while len(rest) < length:
            more = sock.recv(65536)
            if not more:
                break
            rest += more
    return RawAnswer(status, headers, rest[:length], sent)


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident size) of a process, in kB, from /proc."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
    return values
