"""The real client against the real reference server: the paths a citizen takes."""

from __future__ import annotations

import io
import logging

import httpx
import pytest
from PIL import Image

from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.backend.messages import message_for
from kiosk.domain.certificate import CertStatus
from kiosk.domain.holder import Holder
from kiosk.domain.identifiers import is_valid_certificate_identifier, is_valid_credit_code
from tests.backend.conftest import BUSINESS_ID, ELDER_ID, MINORITY_ID, RARE_ID, card_holder
from tests.support.refserver import SOCIAL_SECURITY_TYPE, RefServer


async def test_query_returns_the_holders_certificates(server: RefServer, business: Holder) -> None:
    backend = server.client()
    try:
        certs = await backend.query_certificates(business, "办理不动产登记")
    finally:
        await backend.aclose()
    names = [c.name for c in certs]
    assert len(certs) == 10
    assert {
        "居民身份证",
        "居民户口簿",
        "结婚证",
        "不动产权证书",
        "社会保障卡",
        "机动车驾驶证",
        "营业执照",
    } <= set(names)
    assert all(is_valid_certificate_identifier(c.identifier) for c in certs)
    licences = [c for c in certs if c.name == "营业执照"]
    assert licences and all(c.holder_type == "001" and is_valid_credit_code(c.holder_code) for c in licences)
    assert all(c.holder_code == BUSINESS_ID for c in certs if c.holder_type == "111")
    log = server.usage()
    assert any(
        e["operation"] == "query" and e["holder_code"] == BUSINESS_ID and e["use_cause"] == "办理不动产登记"
        for e in log
    )


async def test_query_by_type_codes(server: RefServer, business: Holder) -> None:
    with_backend = server.client()
    try:
        certs = await with_backend.query_certificates(business, "社保业务", type_codes=[SOCIAL_SECURITY_TYPE])
    finally:
        await with_backend.aclose()
    assert [c.name for c in certs] == ["社会保障卡"]


async def test_query_without_evidence_is_refused_locally(server: RefServer) -> None:
    backend = server.client()
    before = len(server.usage())
    try:
        with pytest.raises(BackendError) as info:
            await backend.query_certificates(Holder(name="莫海生", id_number=BUSINESS_ID), "typed by hand")
    finally:
        await backend.aclose()
    assert info.value.kind is BackendErrorKind.INVALID_REQUEST
    assert len(server.usage()) == before


async def test_every_certificate_of_the_elder_verifies(server: RefServer) -> None:
    backend = server.client()
    try:
        certs = await backend.query_certificates(card_holder("韦桂兰", ELDER_ID), "免证办")
        verified = [await backend.get_certificate(c.identifier) for c in certs]
    finally:
        await backend.aclose()
    assert verified and all(v.verification.status is CertStatus.VALID for v in verified)
    id_card = next(v for v in verified if v.record.summary.name == "居民身份证")
    assert id_card.record.summary.valid_to is None  # 长期
    assert ("公民身份号码", ELDER_ID) in [(f.label, f.value) for f in id_card.record.face]


async def test_expired_and_revoked_certificates_are_reported(server: RefServer, rare: Holder) -> None:
    backend = server.client()
    try:
        certs = await backend.query_certificates(rare, "免证办")
        by_name = {c.name: await backend.get_certificate(c.identifier) for c in certs}
        minority = await backend.query_certificates(card_holder("阿依古丽·买买提", MINORITY_ID), "免证办")
        id_card = await backend.get_certificate(
            next(c for c in minority if c.name == "居民身份证").identifier
        )
    finally:
        await backend.aclose()
    licence = by_name["机动车驾驶证"].verification
    assert licence.status is CertStatus.EXPIRED and licence.reason == "证照已过期（有效期至2024年5月1日）"
    marriage = by_name["结婚证"].verification
    assert marriage.status is CertStatus.REVOKED and marriage.reason == "证照已被注销"
    assert by_name["不动产权证书"].verification.ok
    assert by_name["居民身份证"].record.summary.holder_name == "覃䶮"
    assert id_card.verification.status is CertStatus.EXPIRED and "2025年3月1日" in str(
        id_card.verification.reason
    )


async def test_server_verdict_agrees(server: RefServer, rare: Holder) -> None:
    backend = server.client()
    try:
        certs = await backend.query_certificates(rare, "免证办")
        for c in certs:
            mine = await backend.get_certificate(c.identifier)
            valid, status, _ = await backend.server_verify(c.identifier)
            assert valid == mine.verification.ok
            assert status == mine.verification.status.value
    finally:
        await backend.aclose()


async def test_token_resolves_once(server: RefServer) -> None:
    token = server.issue_token("rare")
    backend = server.client()
    try:
        holder, certs = await backend.resolve_token(token, "亮证办事")
        assert holder.name == "覃䶮" and holder.id_number == RARE_ID and holder.card_type == "token"
        assert holder.evidence["kind"] == "lz_token"
        assert len(certs) == 6
        with pytest.raises(BackendError) as info:
            await backend.resolve_token(token, "亮证办事")
    finally:
        await backend.aclose()
    assert info.value.kind is BackendErrorKind.TOKEN_USED
    assert message_for(info.value.kind) == "该亮证码已使用过，请在手机上刷新后重新出示。"


async def test_expired_and_unknown_tokens(server: RefServer) -> None:
    token = server.issue_token("elder", ttl_seconds=0)
    backend = server.client()
    try:
        with pytest.raises(BackendError) as expired:
            await backend.resolve_token(token, "亮证办事")
        with pytest.raises(BackendError) as unknown:
            await backend.resolve_token("LZ1-not-a-real-token", "亮证办事")
    finally:
        await backend.aclose()
    assert expired.value.kind is BackendErrorKind.TOKEN_EXPIRED
    assert message_for(expired.value.kind) == "亮证码已过期，请在手机上刷新后重新出示。"
    assert unknown.value.kind is BackendErrorKind.NOT_FOUND


async def test_copy_is_a_watermarked_png(server: RefServer, business: Holder) -> None:
    backend = server.client()
    try:
        certs = await backend.query_certificates(business, "办理营业执照变更")
        png = await backend.make_copy(certs[0].identifier, "办理营业执照变更", 30)
    finally:
        await backend.aclose()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width >= 800
    # the red watermark lines are drawn near the bottom of the copy
    bottom = image.convert("RGB").crop((0, image.height - 140, image.width, image.height - 60))
    px = bottom.tobytes()
    assert any(px[i] > 120 and px[i + 1] < 80 and px[i + 2] < 80 for i in range(0, len(px), 3))
    assert any(e["operation"] == "copy" and e["use_cause"] == "办理营业执照变更" for e in server.usage())


async def test_no_copy_of_a_revoked_certificate(server: RefServer, rare: Holder) -> None:
    backend = server.client()
    try:
        certs = await backend.query_certificates(rare, "免证办")
        revoked = next(c for c in certs if c.status == "21")
        with pytest.raises(BackendError) as info:
            await backend.make_copy(revoked.identifier, "免证办", 30)
    finally:
        await backend.aclose()
    assert info.value.kind is BackendErrorKind.INVALID_REQUEST


async def test_evaluation_is_recorded(server: RefServer) -> None:
    backend = server.client()
    try:
        await backend.submit_evaluation("mianzheng-20261129-0001", 2, reasons=["等待时间长"], comment="测试")
        with pytest.raises(BackendError) as info:
            await backend.submit_evaluation("mianzheng-20261129-0002", 1)  # a low score needs a reason
    finally:
        await backend.aclose()
    assert info.value.kind is BackendErrorKind.INVALID_REQUEST
    assert {"service_ref": "mianzheng-20261129-0001", "score": 2, "reasons": ["等待时间长"]}.items() <= next(
        e for e in server.evaluations() if e["service_ref"] == "mianzheng-20261129-0001"
    ).items()


async def test_health_reports_version_and_clock(server: RefServer) -> None:
    backend = server.client()
    try:
        health = await backend.health()
    finally:
        await backend.aclose()
    assert health["status"] == "ok" and health["version"]
    assert abs(health["clock_offset"]) < 60
    assert health["breaker"] == "closed"


def test_openapi_document_describes_the_contract(server: RefServer) -> None:
    doc = httpx.get(server.url + "/openapi.json", trust_env=False).json()
    paths = doc["paths"]
    for path in (
        "/v1/certificates/query",
        "/v1/lz-tokens/resolve",
        "/v1/certificates/{identifier}",
        "/v1/certificates/{identifier}/copies",
        "/v1/certificates/{identifier}/verify",
        "/v1/evaluations",
        "/v1/health",
    ):
        assert path in paths
    assert "/_faults" not in paths
    query = paths["/v1/certificates/query"]["post"]
    schema_ref = query["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    required = doc["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]["required"]
    assert {"holder_code", "holder_type", "evidence", "use_cause"} <= set(required)
    assert "201" in paths["/v1/evaluations"]["post"]["responses"]


async def test_logs_never_show_personal_data(
    server: RefServer, rare: Holder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    backend = server.client()
    try:
        certs = await backend.query_certificates(rare, "免证办")
        for c in certs:
            await backend.get_certificate(c.identifier)
    finally:
        await backend.aclose()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "backend:" in text
    assert RARE_ID not in text and "覃䶮" not in text
    assert all(c.identifier not in text for c in certs)


def test_openapi_documents_the_signature_headers(server: RefServer) -> None:
    doc = httpx.get(server.url + "/openapi.json", trust_env=False).json()
    for path, method in (("/v1/certificates/query", "post"), ("/v1/certificates/{identifier}", "get")):
        headers = {p["name"] for p in doc["paths"][path][method]["parameters"] if p["in"] == "header"}
        assert {"X-Terminal-Id", "X-Timestamp", "X-Nonce", "X-Signature"} <= headers
