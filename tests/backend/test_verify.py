"""Record verification on the terminal, with records signed by the demo issuer key."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from kiosk.backend.verify import REASON_SIGNATURE, to_record, verify_record
from kiosk.domain.certificate import CertificateSummary, CertStatus
from kiosk.domain.identifiers import make_certificate_identifier
from refserver.demo_issuer_key import DEMO_KEY_ID, DEMO_PUBLIC_KEY_HEX
from refserver.signing import Issuer

TODAY = date(2026, 11, 29)
KEYS = {DEMO_KEY_ID: DEMO_PUBLIC_KEY_HEX}
ISSUER = Issuer()


def raw_record(**changes: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "identifier": make_certificate_identifier(
            "11100000000000002Q001", "11450206MB0000003T", "2016020001"
        ),
        "type_code": "11100000000000002Q001",
        "name": "结婚证",
        "number": "J450206-2016-002211",
        "holder_name": "覃䶮",
        "holder_code": "450206199005170038",
        "holder_type": "111",
        "issuer": "柳州市柳江区民政局",
        "issuer_code": "11450206MB0000003T",
        "issue_date": "2016-02-14",
        "valid_from": "2016-02-14",
        "valid_to": None,
        "status": "10",
        "face": [{"label": "持证人", "value": "覃䶮"}, {"label": "备注", "value": "测试数据"}],
        "key_id": DEMO_KEY_ID,
    }
    rec.update(changes)
    return rec


def check(raw: dict[str, Any], signature: str | None = None, keys: dict[str, str] = KEYS) -> Any:
    sig = ISSUER.sign(raw) if signature is None else signature
    d = lambda v: date.fromisoformat(v) if v else None  # noqa: E731
    summary = CertificateSummary(
        **{
            k: raw[k]
            for k in (
                "identifier",
                "type_code",
                "name",
                "number",
                "holder_name",
                "holder_code",
                "holder_type",
                "issuer",
                "issuer_code",
                "status",
            )
        },
        issue_date=date.fromisoformat(raw["issue_date"]),
        valid_from=date.fromisoformat(raw["valid_from"]),
        valid_to=d(raw["valid_to"]),
    )
    return verify_record(to_record(raw, summary, raw["key_id"], sig), keys, TODAY)


def test_valid_record() -> None:
    v = check(raw_record())
    assert v.ok and v.status is CertStatus.VALID and v.reason is None


def test_tampered_face_is_refused() -> None:
    raw = raw_record()
    sig = ISSUER.sign(raw)
    tampered = copy.deepcopy(raw)
    tampered["face"][0]["value"] = "覃岩"
    v = check(tampered, sig)
    assert (
        v.status is CertStatus.UNVERIFIED and v.reason == REASON_SIGNATURE == "签名验证失败，该证照可能被篡改"
    )


@pytest.mark.parametrize("signature", ["", "zz" * 64, "00" * 64, "ab" * 10])
def test_malformed_signatures_fail_cleanly(signature: str) -> None:
    assert check(raw_record(), signature).status is CertStatus.UNVERIFIED


def test_unknown_or_wrong_key() -> None:
    assert "密钥" in check(raw_record(), keys={}).reason
    other = Issuer(key_id=DEMO_KEY_ID, private_hex="1" * 64, public_hex=DEMO_PUBLIC_KEY_HEX)
    raw = raw_record()
    assert check(raw, other.sign(raw)).reason == REASON_SIGNATURE


def test_revoked_and_expired() -> None:
    assert check(raw_record(status="21")).reason == "证照已被注销"
    v = check(raw_record(valid_to="2024-05-01"))
    assert v.status is CertStatus.EXPIRED and v.reason == "证照已过期（有效期至2024年5月1日）"
    assert check(raw_record(status="22", valid_to="2025-03-01")).status is CertStatus.EXPIRED
    assert check(raw_record(status="23")).status is CertStatus.RESTRICTED
    v = check(raw_record(valid_from="2027-01-01"))
    assert v.status is CertStatus.UNVERIFIED and "尚未生效" in v.reason


def test_identifier_check_character() -> None:
    ident = raw_record()["identifier"]
    wrong = ident[:-1] + ("0" if ident[-1] != "0" else "1")
    v = check(raw_record(identifier=wrong))  # correctly signed, but the identifier is inconsistent
    assert v.status is CertStatus.UNVERIFIED and v.reason == "证照标识校验位错误"
