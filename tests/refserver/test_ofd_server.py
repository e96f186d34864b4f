"""GET /v1/certificates/{identifier} carries the OFD link inside the signed record, and
GET …/ofd serves the file whose SM3 digest and size the record names (signed like every call)."""

from __future__ import annotations

import hashlib
import json
import time

import httpx

from kiosk.backend.canonical import canonical_json
from kiosk.backend.signing import new_nonce, sign_headers
from kiosk.backend.verify import sm2_verify
from refserver.app import DEMO_IDENTIFIER
from refserver.identifiers import certificate_identifier
from tests.support.refserver import RefServer


def _get(server: RefServer, path: str) -> httpx.Response:
    headers = sign_headers(
        "GET", path, b"", server.embedded.terminal_id, server.embedded.secret, int(time.time()), new_nonce()
    )
    return httpx.get(server.url + path, headers=headers, trust_env=False, timeout=30)


def test_the_record_links_its_sealed_file_and_the_file_matches(server: RefServer) -> None:
    answer = _get(server, f"/v1/certificates/{DEMO_IDENTIFIER}")
    assert answer.status_code == 200
    body = answer.json()
    record = body["record"]
    link = record["ofd"]
    assert link["url"] == f"/v1/certificates/{DEMO_IDENTIFIER}/ofd"
    # the link is inside what the issuer signed: the canonical JSON with it verifies
    public = next(iter(server.embedded.issuer_keys.values()))
    assert sm2_verify(public, body["signature"]["value"], canonical_json(record))
    assert not sm2_verify(public, body["signature"]["value"], canonical_json({**record, "ofd": None}))

    served = _get(server, link["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/ofd"
    assert len(served.content) == link["size"]
    assert hashlib.new("sm3", served.content).hexdigest() == link["sm3"]
    assert served.content.startswith(b"PK\x03\x04")
    assert any(e["operation"] == "ofd" and e["identifier"] == DEMO_IDENTIFIER for e in server.usage())


def test_the_file_needs_a_signed_request(server: RefServer) -> None:
    r = httpx.get(f"{server.url}/v1/certificates/{DEMO_IDENTIFIER}/ofd", trust_env=False, timeout=30)
    assert r.status_code == 401 and r.json()["error"]["code"] == "AUTH_FAILED"


def test_an_unknown_certificate_has_no_file(server: RefServer) -> None:
    unknown = certificate_identifier("11100000000000001M001", "11450206MB0000001L", "20180199999")
    r = _get(server, f"/v1/certificates/{unknown}/ofd")
    assert r.status_code == 404 and json.loads(r.content)["error"]["code"] == "NOT_FOUND"
