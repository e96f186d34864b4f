"""Verifying a full certificate record on the terminal.

The terminal trusts no record because the backend sent it: it checks the GB/T 36904 check
character, the issuer's SM2 signature over SM3 of the canonical JSON of the record (with the
issuer public keys from its own configuration), the platform status, and the validity dates
against today. The outcome is a :class:`Verification` with a plain-Chinese reason; a failing record
is still returned (as UNVERIFIED / EXPIRED / REVOKED / RESTRICTED) so the screen can say why.

SM2 is OpenSSL's (kiosk.crypto.sm2, about 0.4 ms a record), or gmssl's pure Python (tens of
milliseconds) where OpenSSL 3 cannot be used: callers on the event loop run :func:`verify_record`
through kiosk.backend.verifier, which picks a thread or a process accordingly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from kiosk.backend.canonical import canonical_json
from kiosk.crypto import sm2
from kiosk.domain.certificate import (
    CertificateRecord,
    CertificateSummary,
    CertStatus,
    FaceField,
    Verification,
)
from kiosk.domain.identifiers import CertificateIdentifierError, parse_certificate_identifier

STATUS_VALID = "10"
STATUS_REVOKED = "21"
STATUS_EXPIRED = "22"
STATUS_RESTRICTED = "23"

REASON_SIGNATURE = "签名验证失败，该证照可能被篡改"
REASON_UNKNOWN_KEY = "无法核验该证照的签发机构签名（密钥未登记）"
REASON_REVOKED = "证照已被注销"
REASON_RESTRICTED = "证照已被限制使用"
REASON_IDENTIFIER = "证照标识校验位错误"


def chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def sm2_verify(public_hex: str, signature_hex: str, message: bytes) -> bool:
    """SM2 (with SM3 and the default user id) over ``message``; False for any malformed input."""
    return sm2.verify(public_hex, signature_hex, message)


def to_record(
    raw: Mapping[str, Any], summary: CertificateSummary, key_id: str, signature: str
) -> CertificateRecord:
    face = tuple(FaceField(str(f["label"]), str(f["value"])) for f in raw.get("face", ()))
    return CertificateRecord(
        summary=summary, face=face, key_id=key_id, signature=signature, canonical=canonical_json(dict(raw))
    )


def verify_record(
    record: CertificateRecord,
    issuer_keys: Mapping[str, str],
    today: date,
    signature_key_id: str | None = None,
) -> Verification:
    """Check one record; the first failure found decides the outcome (most serious first)."""
    s = record.summary
    try:
        parse_certificate_identifier(s.identifier)
    except CertificateIdentifierError as exc:
        reason = REASON_IDENTIFIER if "校验位" in exc.reason else f"证照标识无效（{exc.reason}）"
        return Verification(CertStatus.UNVERIFIED, reason)
    if signature_key_id is not None and signature_key_id != record.key_id:
        return Verification(CertStatus.UNVERIFIED, REASON_SIGNATURE)
    public = issuer_keys.get(record.key_id)
    if not public:
        return Verification(CertStatus.UNVERIFIED, REASON_UNKNOWN_KEY)
    if not record.canonical or not sm2_verify(public, record.signature, record.canonical):
        return Verification(CertStatus.UNVERIFIED, REASON_SIGNATURE)
    if s.status == STATUS_REVOKED:
        return Verification(CertStatus.REVOKED, REASON_REVOKED)
    if s.status == STATUS_EXPIRED or (s.valid_to is not None and s.valid_to < today):
        if s.valid_to is not None:
            return Verification(CertStatus.EXPIRED, f"证照已过期（有效期至{chinese_date(s.valid_to)}）")
        return Verification(CertStatus.EXPIRED, "证照已过期")
    if s.valid_from > today:
        return Verification(CertStatus.UNVERIFIED, f"证照尚未生效（自{chinese_date(s.valid_from)}起有效）")
    if s.status == STATUS_RESTRICTED:
        return Verification(CertStatus.RESTRICTED, REASON_RESTRICTED)
    if s.status != STATUS_VALID:
        return Verification(CertStatus.UNVERIFIED, "证照状态无法识别，请到窗口核实")
    return Verification(CertStatus.VALID)
