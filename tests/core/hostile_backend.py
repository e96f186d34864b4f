"""A small scripted e-certificate server on 127.0.0.1 that answers with GENUINELY signed records.

It speaks the contract (backend-api.md) over real HTTP/1.1 sockets, but its answers come from the
test: a list that mixes in another holder's certificate, a summary that lies about its holder, a
token that brings someone else's certificate, records that fail with 500. The records are the demo
data of the reference server (config/demo_identities.toml, refserver.seed), signed with the demo
issuer key, so the terminal's signature check passes: only holder binding can refuse them.

Requests are not authenticated (the terminal still signs them); one connection per request.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from refserver.app import SUMMARY_KEYS
from refserver.seed import build_record, certificates_for, load_identities
from refserver.signing import Issuer

ISSUER = Issuer()  # the demo issuer key (public key: ISSUER.public_hex)


@dataclass(frozen=True)
class Signed:
    record: dict[str, Any]
    signature: str

    @property
    def identifier(self) -> str:
        return str(self.record["identifier"])

    @property
    def summary(self) -> dict[str, Any]:
        return {k: self.record[k] for k in SUMMARY_KEYS}


def identity(key: str) -> dict[str, Any]:
    return next(p for p in load_identities() if p["key"] == key)


def signed_records(key: str) -> list[Signed]:
    """The demo holder's certificates as the reference server seeds them, signed by the demo issuer."""
    people = load_identities()
    n = next(i for i, p in enumerate(people, start=1) if p["key"] == key)
    p = people[n - 1]
    out = []
    for i, c in enumerate(certificates_for(p), start=1):
        record = build_record(p, c, f"{c.issue.year}{n:02d}{i:05d}", ISSUER.key_id)
        out.append(Signed(record, ISSUER.sign(record)))
    return out


def resign(record: dict[str, Any]) -> Signed:
    """A record changed by the test and signed again: still genuinely signed by the issuer."""
    record = copy.deepcopy(record)
    return Signed(record, ISSUER.sign(record))


@dataclass
class Script:
    """What the server answers; tests change it between steps."""

    listing: list[dict[str, Any]] = field(default_factory=list)  # summaries for query and token
    records: dict[str, Signed] = field(default_factory=dict)  # GET /v1/certificates/{identifier}
    token_holder: dict[str, str] | None = None  # the holder a token resolves to
    failing: set[str] = field(default_factory=set)  # identifiers whose GET answers 500
    requests: list[str] = field(default_factory=list)  # "METHOD path", in order


class HostileServer:
    def __init__(self) -> None:
        self.script = Script()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="hostile-backend", daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop
        )
        self._server = started.result(10)
        self.port = int(self._server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def serve(self, listing: list[Signed], records: list[Signed] | None = None) -> None:
        """List these certificates and answer their records (``records`` default: the same)."""
        self.script.listing = [s.summary for s in listing]
        self.script.records = {s.identifier: s for s in (listing if records is None else records)}

    # ------------------------------------------------------------------ HTTP
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            headers = {
                k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            path = target.split("?", 1)[0]
            self.script.requests.append(f"{method} {path}")
            status, answer = self._route(method, path, json.loads(body) if body else {})
            payload = json.dumps(answer, ensure_ascii=False).encode()
            writer.write(
                f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {len(payload)}\r\n"
                "connection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    def _route(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        s = self.script
        if method == "GET" and path == "/v1/health":
            import time

            return 200, {"status": "ok", "version": "hostile", "time": "", "unix": time.time()}
        if method == "POST" and path == "/v1/certificates/query":
            return 200, {"certificates": s.listing}
        if method == "POST" and path == "/v1/lz-tokens/resolve" and s.token_holder is not None:
            return 200, {"holder": s.token_holder, "certificates": s.listing}
        if method == "GET" and path.startswith("/v1/certificates/"):
            identifier = path.rsplit("/", 1)[1]
            if identifier in s.failing:
                return 500, {"error": {"code": "INTERNAL", "message": "internal error"}}
            rec = s.records.get(identifier)
            if rec is not None:
                signature = {"algorithm": "SM2-SM3", "key_id": ISSUER.key_id, "value": rec.signature}
                return 200, {"record": rec.record, "signature": signature}
        return 404, {"error": {"code": "NOT_FOUND", "message": "no such thing"}}


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    server = HostileServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
