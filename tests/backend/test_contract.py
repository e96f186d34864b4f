"""Client and server stay honest against one contract: every field the client requires is one the
server's published OpenAPI document promises (and requires)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from kiosk.backend import schemas
from tests.support.refserver import RefServer

PAIRS = [
    (schemas.SummaryModel, "CertificateSummary"),
    (schemas.RecordModel, "Record"),
    (schemas.FaceModel, "FaceField"),
    (schemas.SignatureModel, "Signature"),
    (schemas.FullRecordAnswer, "FullRecord"),
    (schemas.CertificateListAnswer, "CertificateList"),
    (schemas.ResolveAnswer, "ResolveAnswer"),
    (schemas.TokenHolderModel, "TokenHolder"),
    (schemas.VerifyAnswer, "VerifyAnswer"),
    (schemas.HealthAnswer, "Health"),
    (schemas.ErrorAnswer, "ErrorAnswer"),
    (schemas.ErrorBody, "ErrorBody"),
]


@pytest.fixture(scope="module")
def components(server: RefServer) -> dict[str, Any]:
    doc = httpx.get(server.url + "/openapi.json", trust_env=False).json()
    return dict(doc["components"]["schemas"])


@pytest.mark.parametrize(("model", "name"), PAIRS, ids=[n for _, n in PAIRS])
def test_client_requires_only_what_the_server_promises(
    components: dict[str, Any], model: type[BaseModel], name: str
) -> None:
    schema = components[name]
    promised = set(schema.get("required", []))
    needed = {f for f, info in model.model_fields.items() if info.is_required()}
    assert needed <= promised, f"{name}: client needs {needed - promised} the server does not promise"
    assert set(model.model_fields) <= set(schema["properties"])


def signed(server: RefServer, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
    """A raw request signed like the client does, to test what the server itself enforces."""
    import json
    import time

    from kiosk.backend.signing import new_nonce, sign_headers

    content = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
    headers = sign_headers(
        method,
        path,
        content,
        server.embedded.terminal_id,
        server.embedded.secret,
        int(time.time()),
        new_nonce(),
    )
    if content:
        headers["Content-Type"] = "application/json"
    return httpx.request(method, server.url + path, content=content, headers=headers, trust_env=False)


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return str(body["error"]["code"])


def test_server_refuses_a_query_without_evidence(server: RefServer) -> None:
    r = signed(
        server,
        "POST",
        "/v1/certificates/query",
        {"holder_code": "450206195803120088", "holder_type": "111", "use_cause": "免证办"},
    )
    assert r.status_code == 400 and error_code(r) == "INVALID_REQUEST"


def test_unsigned_and_unknown(server: RefServer) -> None:
    r = httpx.post(server.url + "/v1/certificates/query", json={}, trust_env=False)
    assert r.status_code == 401 and error_code(r) == "AUTH_FAILED"
    r = signed(server, "GET", "/v1/nothing-here", None)
    assert r.status_code == 404 and error_code(r) == "NOT_FOUND"
    r = signed(server, "GET", "/v1/certificates/1.2.156.3005.2.A.B.C.001.X", None)
    assert r.status_code == 400 and error_code(r) == "INVALID_REQUEST"


def test_query_by_credit_code_returns_the_business_licence(server: RefServer) -> None:
    from kiosk.domain.identifiers import credit_code_check

    code = "91450206MA5K00001" + credit_code_check("91450206MA5K00001")
    r = signed(
        server,
        "POST",
        "/v1/certificates/query",
        {"holder_code": code, "holder_type": "001", "use_cause": "企业开办", "evidence": {"kind": "id_card"}},
    )
    assert r.status_code == 200
    assert [c["name"] for c in r.json()["certificates"]] == ["营业执照"]
