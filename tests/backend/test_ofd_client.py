"""The client fetches a record's OFD file (its 照面 as issued) and takes it only when it is the file
the signed record names: size within the cap, exactly the linked size, the linked SM3 digest, from
a path on the configured backend. Against the real reference server and a hostile one."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, SecretStr

from kiosk.backend.client import HttpBackend
from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.backend.schemas import OfdFieldBoxModel, OfdLinkModel
from kiosk.settings.backend import BackendConfig
from refserver.demo_issuer_key import DEMO_KEY_ID, DEMO_PUBLIC_KEY_HEX
from refserver.ofd import link_for
from refserver.ofd.writer import build_ofd
from refserver.seed import build_record, certificates_for, load_identities
from refserver.signing import Issuer
from tests.backend.hostile_server import Behaviour, HostileServer, Request, respond
from tests.support.refserver import RefServer

OFD = ("Content-Type", "application/ofd")


def _demo_record() -> dict[str, Any]:
    person = load_identities()[0]
    cert = certificates_for(person)[0]
    record = build_record(person, cert, f"{cert.issue.year}0100001", DEMO_KEY_ID)
    record["ofd"] = link_for(record)
    return record


RECORD = _demo_record()
FILE = build_ofd({k: v for k, v in RECORD.items() if k != "ofd"}).data


def _answer(record: dict[str, Any], *, sign: bool = True) -> bytes:
    signature = Issuer().sign(record) if sign else "00" * 64
    body = {
        "record": record,
        "signature": {"algorithm": "SM2-SM3", "key_id": DEMO_KEY_ID, "value": signature},
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _routes(record_answer: bytes, ofd: Behaviour) -> Behaviour:
    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> bool:
        if request.target.endswith("/ofd"):
            return await ofd(request, writer)
        return await respond(200, record_answer)(request, writer)

    return behaviour


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
async def backend(hostile: HostileServer) -> AsyncIterator[Callable[..., HttpBackend]]:
    made: list[HttpBackend] = []

    def make(**overrides: Any) -> HttpBackend:
        settings: dict[str, Any] = {
            "url": hostile.url,
            "terminal_secret": SecretStr("hostile"),
            "issuer_keys": {DEMO_KEY_ID: DEMO_PUBLIC_KEY_HEX},
            "retries": 0,
            "total_timeout": 5.0,
            **overrides,
        }
        made.append(HttpBackend(BackendConfig(**settings), "LJ-ZZ-DEMO"))
        return made[-1]

    yield make
    for b in made:
        await b.aclose()


def _ofd_requests(hostile: HostileServer) -> list[Request]:
    return [r for r in hostile.requests if r.target.endswith("/ofd")]


async def test_the_file_from_the_reference_server_is_the_one_the_record_names(server: RefServer) -> None:
    backend = server.client()
    try:
        cert = await backend.get_certificate(RECORD["identifier"])
        assert cert.verification.ok
        link, data = await backend.fetch_ofd(cert)
    finally:
        await backend.aclose()
    assert hashlib.new("sm3", data).hexdigest() == link.sm3 and len(data) == link.size
    assert link.url.endswith("/ofd") and link.page[0] == 21000
    assert [f.label for f in link.fields][:2] == ["姓名", "性别"]


async def test_a_file_with_one_byte_changed_is_refused(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    changed = bytearray(FILE)
    changed[len(changed) // 2] ^= 0x01
    hostile.behave(_routes(_answer(RECORD), respond(200, bytes(changed), [OFD])))
    client = backend()
    cert = await client.get_certificate(RECORD["identifier"])
    with pytest.raises(BackendError) as info:
        await client.fetch_ofd(cert)
    assert info.value.kind is BackendErrorKind.BAD_RESPONSE and "SM3" in info.value.detail


async def test_the_genuine_file_is_taken(hostile: HostileServer, backend: Callable[..., HttpBackend]) -> None:
    hostile.behave(_routes(_answer(RECORD), respond(200, FILE, [OFD])))
    client = backend()
    cert = await client.get_certificate(RECORD["identifier"])
    _, data = await client.fetch_ofd(cert)
    assert data == FILE
    request = _ofd_requests(hostile)[-1]
    assert request.target == RECORD["ofd"]["url"] and "x-signature" in request.headers


async def test_more_bytes_than_the_record_says_are_refused(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    hostile.behave(_routes(_answer(RECORD), respond(200, FILE + b"\0" * 5000, [OFD])))
    client = backend()
    cert = await client.get_certificate(RECORD["identifier"])
    with pytest.raises(BackendError) as info:
        await client.fetch_ofd(cert)
    assert info.value.kind is BackendErrorKind.BAD_RESPONSE and "size" in info.value.detail


async def test_a_file_over_the_cap_is_not_even_fetched(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    big = dict(RECORD, ofd=dict(RECORD["ofd"], size=60_000))
    hostile.behave(_routes(_answer(big), respond(200, FILE, [OFD])))
    client = backend(max_response_bytes=50_000)
    cert = await client.get_certificate(RECORD["identifier"])
    before = len(_ofd_requests(hostile))
    with pytest.raises(BackendError) as info:
        await client.fetch_ofd(cert)
    assert info.value.kind is BackendErrorKind.BAD_RESPONSE and "larger" in info.value.detail
    assert len(_ofd_requests(hostile)) == before


async def test_an_answer_over_the_cap_is_cut_at_the_cap(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    """The link says a small file; the server sends far more than the cap: refused, never held."""
    hostile.behave(_routes(_answer(RECORD), respond(200, b"\0" * 200_000, [OFD])))
    client = backend(max_response_bytes=50_000)
    cert = await client.get_certificate(RECORD["identifier"])
    with pytest.raises(BackendError) as info:
        await client.fetch_ofd(cert)
    assert info.value.kind is BackendErrorKind.BAD_RESPONSE and "too large" in info.value.detail


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/v1/certificates/x/ofd",
        "//elsewhere.example/v1/certificates/{id}/ofd",
        "/v1/certificates/{id}/../../admin/ofd",
        "/v1/certificates/another/ofd",
        "/v1/certificates/{id}/ofd?x=1",
    ],
)
async def test_a_link_off_this_backend_is_not_followed(
    hostile: HostileServer, backend: Callable[..., HttpBackend], url: str
) -> None:
    odd = dict(RECORD, ofd=dict(RECORD["ofd"], url=url.replace("{id}", RECORD["identifier"])))
    hostile.behave(_routes(_answer(odd), respond(200, FILE, [OFD])))
    client = backend()
    cert = await client.get_certificate(RECORD["identifier"])
    before = len(_ofd_requests(hostile))
    with pytest.raises(BackendError) as info:
        await client.fetch_ofd(cert)
    assert info.value.kind is BackendErrorKind.BAD_RESPONSE
    assert len(_ofd_requests(hostile)) == before


async def test_a_record_whose_signature_fails_links_nothing(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    hostile.behave(_routes(_answer(RECORD, sign=False), respond(200, FILE, [OFD])))
    client = backend()
    cert = await client.get_certificate(RECORD["identifier"])
    assert not cert.verification.ok
    before = len(_ofd_requests(hostile))
    with pytest.raises(BackendError) as info:
        await client.fetch_ofd(cert)
    assert info.value.kind is BackendErrorKind.NOT_FOUND
    assert len(_ofd_requests(hostile)) == before


async def test_a_file_served_as_html_is_refused(
    hostile: HostileServer, backend: Callable[..., HttpBackend]
) -> None:
    hostile.behave(_routes(_answer(RECORD), respond(200, FILE, [("Content-Type", "text/html")])))
    client = backend()
    cert = await client.get_certificate(RECORD["identifier"])
    with pytest.raises(BackendError) as info:
        await client.fetch_ofd(cert)
    assert info.value.kind is BackendErrorKind.BAD_RESPONSE


@pytest.mark.parametrize(("model", "name"), [(OfdLinkModel, "OfdLink"), (OfdFieldBoxModel, "OfdFieldBox")])
def test_the_client_requires_only_what_the_server_promises(
    server: RefServer, model: type[BaseModel], name: str
) -> None:
    doc = httpx.get(server.url + "/openapi.json", trust_env=False, timeout=30).json()
    schema = doc["components"]["schemas"][name]
    needed = {f for f, info in model.model_fields.items() if info.is_required()}
    assert needed <= set(schema.get("required", []))
    assert set(model.model_fields) <= set(schema["properties"])
