"""A scripted e-certificate server on 127.0.0.1 whose records link sealed OFD files, some broken.

It is tests/core/hostile_backend.py's server (genuinely signed demo records over real HTTP) that
also answers ``GET …/ofd`` with a file the test chose. A record whose file has a broken seal is
signed again over that file's SM3 and size, so everything the backend client checks passes (the
issuer's signature, the file's digest and size): only the terminal's own seal check can refuse it.
A file can be held back until the test releases it (a seal check that is still running).
"""

from __future__ import annotations

import asyncio
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

from refserver.ofd import link_for
from refserver.ofd.pki import demo_ca, der_to_pem, sm3_digest
from refserver.ofd.writer import build_ofd
from tests.core.hostile_backend import HostileServer, Signed, resign

PAGE = "Doc_0/Pages/Page_0/Content.xml"
DEMO_SEAL_ANCHOR = der_to_pem(demo_ca().root.cert)  # the trust anchor of the demo files' seals


def _with_changed_byte(data: bytes, name: str, needle: bytes) -> bytes:
    """The same package with one byte of ``name`` changed inside ``needle`` (as in
    tests/refserver/test_ofd_verify.py): the seal's digest of that file no longer matches."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == name:
                at = body.index(needle)
                body = body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]
            dst.writestr(info, body)
    return out.getvalue()


def sealed(signed: Signed, *, broken: bool = False) -> tuple[Signed, bytes]:
    """The record with its OFD link, signed again, and the file it links; ``broken``: one byte of
    the sealed page changed after sealing (TAMPERED), the link naming that file."""
    record = {k: v for k, v in signed.record.items() if k != "ofd"}
    link = link_for(record)
    data = build_ofd(record).data
    if broken:
        data = _with_changed_byte(data, PAGE, str(record["face"][0]["value"]).encode())
        link = {**link, "sm3": sm3_digest(data).hex(), "size": len(data)}
    return resign({**record, "ofd": link}), data


class SealServer(HostileServer):
    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}  # identifier -> the file its link names
        self.held: dict[str, threading.Event] = {}  # identifier -> answered once set

    def serve_sealed(self, listing: list[tuple[Signed, bytes]]) -> None:
        self.serve([s for s, _ in listing])
        self.files = {s.identifier: data for s, data in listing}

    def hold(self, identifier: str) -> threading.Event:
        """Answer this file only once the returned event is set."""
        self.held[identifier] = threading.Event()
        return self.held[identifier]

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
            if method == "GET" and path.endswith("/ofd"):
                identifier = path.rsplit("/", 2)[1]
                held = self.held.get(identifier)
                if held is not None:
                    await asyncio.get_running_loop().run_in_executor(None, held.wait, 30)
                payload = self.files.get(identifier)
                status, kind = (200, "application/ofd") if payload is not None else (404, "application/json")
                payload = payload if payload is not None else b'{"error":{"code":"NOT_FOUND","message":"-"}}'
            else:
                code, answer = self._route(method, path, json.loads(body) if body else {})
                payload = json.dumps(answer, ensure_ascii=False).encode()
                status, kind = code, "application/json"
            writer.write(
                f"HTTP/1.1 {status} X\r\ncontent-type: {kind}\r\ncontent-length: {len(payload)}\r\n"
                "connection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    def stop(self) -> None:
        for held in self.held.values():
            held.set()
        super().stop()


@contextmanager
def seal_server() -> Iterator[SealServer]:
    server = SealServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
