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
