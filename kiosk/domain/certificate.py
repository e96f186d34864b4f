"""Electronic certificate (电子证照) records as the terminal sees them (GB/T 36903 metadata).

These are plain frozen dataclasses so that the session, the screens' view models and the receipt
layout can share them without knowing how the backend delivered them. Validation of identifiers and
signatures lives in :mod:`kiosk.domain.identifiers` and :mod:`kiosk.backend.verify`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class CertStatus(StrEnum):
    """Status the terminal shows on a certificate card (badge)."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    RESTRICTED = "restricted"
    UNVERIFIED = "unverified"  # signature, identifier or data failed verification


@dataclass(frozen=True, slots=True)
class CertificateSummary:
    """One certificate in a holder's list (what a query or a 亮证 token returns)."""

    identifier: str  # 证照标识 ZZBS, GB/T 36904
    type_code: str  # 证照类型代码 ZZLXDM
    name: str  # 证照名称 ZZMC, e.g. 结婚证
    number: str  # 证照编号 ZZBH
    holder_name: str  # 持证主体 CZZT
    holder_code: str  # 持证主体代码 CZZTDM
    holder_type: str  # 持证主体代码类型 CZZTDMLX: 111 citizen ID, 001 credit code
    issuer: str  # 颁发机构 ZZBFJG
    issuer_code: str  # 颁发机构代码 ZZBFJGDM
    issue_date: date  # 颁发日期 ZZBFRQ
    valid_from: date  # 有效期起始 ZZYXQQSRQ
    valid_to: date | None  # 有效期截止 ZZYXQJZRQ; None = 长期
    status: str  # platform status code as sent (e.g. "10" valid, "21" revoked, "22" expired)


@dataclass(frozen=True, slots=True)
class FaceField:
    """One label/value pair of the certificate face (照面)."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """The full record: summary, face fields and the issuer's signature."""

    summary: CertificateSummary
    face: tuple[FaceField, ...]
    key_id: str
    signature: str  # hex, SM2 over SM3 of the canonical JSON
    canonical: bytes = field(repr=False, default=b"")  # the signed bytes, kept for re-verification


@dataclass(frozen=True, slots=True)
class Verification:
    """Outcome of verifying a record; ``reason`` is a plain-Chinese sentence when not valid."""

    status: CertStatus
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is CertStatus.VALID


@dataclass(frozen=True, slots=True)
class VerifiedCertificate:
    """A record together with what the terminal found when verifying it."""

    record: CertificateRecord
    verification: Verification
