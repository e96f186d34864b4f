"""免证 readiness: which materials of a matter the citizen's verified e-certificates stand in for.

Only a certificate the terminal itself verified counts (signature, platform status and dates:
``VerifiedCertificate.verification.ok``); the dates are checked again against ``today`` so that a
session left open past midnight cannot count a certificate that has just expired. A material whose
certificate is still being verified is reported as pending, never as covered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kiosk.domain.certificate import CertificateSummary, CertStatus, VerifiedCertificate
from kiosk.guide.catalogue import Catalogue, Material, Matter


class MaterialState(StrEnum):
    COVERED = "covered"  # a valid e-certificate stands in: 无需提交纸质材料
    PENDING = "pending"  # a matching certificate is still being verified
    BRING = "bring"  # the citizen must bring the paper material


_REASON = {
    CertStatus.EXPIRED: "已过期",
    CertStatus.REVOKED: "已注销",
    CertStatus.RESTRICTED: "限制使用",
    CertStatus.UNVERIFIED: "未通过验证",
}


@dataclass(frozen=True, slots=True)
class MaterialCheck:
    material: Material
    state: MaterialState
    certificate: str = ""  # the certificate type name that covers it (or that failed)
    note: str = ""  # plain Chinese: why a matching certificate does not count

    @property
    def covered(self) -> bool:
        return self.state is MaterialState.COVERED


@dataclass(frozen=True, slots=True)
class Readiness:
    matter: Matter
    checks: tuple[MaterialCheck, ...]
    identified: bool  # False: nobody identified, every material is listed as "bring"

    @property
    def covered(self) -> tuple[MaterialCheck, ...]:
        return tuple(c for c in self.checks if c.state is MaterialState.COVERED)

    @property
    def to_bring(self) -> tuple[MaterialCheck, ...]:
        return tuple(c for c in self.checks if c.state is not MaterialState.COVERED)


def counts(cert: VerifiedCertificate, today: date) -> bool:
    """A certificate stands in for paper only if it verified and is in force today."""
    s = cert.record.summary
    if not cert.verification.ok:
        return False
    if s.valid_to is not None and s.valid_to < today:
        return False
    return s.valid_from <= today


def _status_of(cert: VerifiedCertificate, today: date) -> CertStatus:
    if cert.verification.ok and not counts(cert, today):
        return CertStatus.EXPIRED
    return cert.verification.status


def readiness(
    catalogue: Catalogue,
    matter: Matter,
    certificates: Iterable[CertificateSummary],
    records: Mapping[str, VerifiedCertificate],
    today: date,
    identified: bool = True,
) -> Readiness:
    """Match each material of ``matter`` against the session's certificates and verified records."""
    summaries = list(certificates)
    verified = list(records.values())
    checks: list[MaterialCheck] = []
    for material in matter.materials:
        accepts = set(material.accepts)
        if not identified or not accepts:
            checks.append(MaterialCheck(material, MaterialState.BRING))
            continue
        good = [r for r in verified if r.record.summary.type_code in accepts and counts(r, today)]
        if good:
            name = good[0].record.summary.name or catalogue.type_name(good[0].record.summary.type_code)
            checks.append(MaterialCheck(material, MaterialState.COVERED, name))
            continue
        waiting = [s for s in summaries if s.type_code in accepts and s.identifier not in records]
        if waiting:
            checks.append(MaterialCheck(material, MaterialState.PENDING, waiting[0].name))
            continue
        bad = [r for r in verified if r.record.summary.type_code in accepts]
        if bad:
            summary = bad[0].record.summary
            reason = _REASON.get(_status_of(bad[0], today), "不可用")
            checks.append(
                MaterialCheck(
                    material,
                    MaterialState.BRING,
                    summary.name,
                    f"您的电子{summary.name}{reason}，请携带纸质材料",
                )
            )
            continue
        checks.append(MaterialCheck(material, MaterialState.BRING))
    return Readiness(matter, tuple(checks), identified)


def session_readiness(catalogue: Catalogue, matter: Matter, data: object | None, today: date) -> Readiness:
    """Readiness for the controller's session data (``machine.data``), or none identified."""
    holder = getattr(data, "holder", None)
    if data is None or holder is None:
        return readiness(catalogue, matter, (), {}, today, identified=False)
    return readiness(
        catalogue,
        matter,
        getattr(data, "certificates", ()),
        getattr(data, "records", {}),
        today,
        identified=True,
    )
