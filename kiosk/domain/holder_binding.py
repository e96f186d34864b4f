"""Holder binding: a certificate reaches the citizen's screen and paper only if it is theirs.

WHY: a valid issuer signature proves that a record is genuine, not that it belongs to the person at
the terminal. A misrouted, cached or hostile answer that carries another holder's genuinely signed
record would otherwise be shown and printed as 有效（已验证） under this citizen's name. So every
summary (query, 亮证 token) and every full record is compared with the session's holder: holder code
(持证主体代码 CZZTDM) and holder type (持证主体代码类型 CZZTDMLX, domain.md §2.3).

One exception, configured per certificate type (:class:`ActsFor`): a citizen may legitimately be
shown a certificate whose holder is someone they act for — the 营业执照 of a company whose legal
representative they are (holder type 001), a child's 出生医学证明 for a guardian. Such a record is
shown WITH the relation ("代办 … / 关系：法定代表人"), never as the citizen's own, and, where the
rule names face fields (``face_labels``), the full record must name the citizen in one of them.

A full record must also match the summary it was fetched for (same identifier, type and holder): a
record swapped for another one is a mismatch even if both are genuine.

Pure functions of the data: no I/O, no clock. The session (kiosk.session) applies them in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from kiosk.domain.certificate import CertificateRecord, CertificateSummary
from kiosk.domain.holder import Holder
from kiosk.privacy import mask_name


class Binding(StrEnum):
    OWN = "own"  # the session's holder is the certificate's holder
    ACTS_FOR = "acts_for"  # a configured relation (法定代表人, 监护人 …)
    MISMATCH = "mismatch"  # never shown, never printed


# stable reason codes for the audit log
HOLDER_MISMATCH = "holder_mismatch"  # the holder is someone else and no rule allows it
RECORD_SWAPPED = "record_swapped"  # the full record is not the one its summary announced
NOT_NAMED = "not_named"  # an acts-for record that does not name the citizen where the rule says


@dataclass(frozen=True, slots=True)
class ActsFor:
    """Certificates of this type may be shown to someone acting for their holder."""

    type_code: str  # 证照类型代码, e.g. the 营业执照 type
    relation: str  # shown on screen and receipt: 法定代表人, 监护人 …
    holder_types: tuple[str, ...] = ("001",)  # holder types the represented party may have
    face_labels: tuple[str, ...] = ()  # the full record must name the citizen in one of these


@dataclass(frozen=True, slots=True)
class BindingResult:
    binding: Binding
    relation: str | None = None  # the relation for ACTS_FOR
    reason: str = ""  # a reason code above for MISMATCH

    @property
    def ok(self) -> bool:
        return self.binding is not Binding.MISMATCH


_MISMATCH = BindingResult(Binding.MISMATCH, reason=HOLDER_MISMATCH)
_OWN = BindingResult(Binding.OWN)


def _norm(code: str) -> str:
    """Holder codes compare without surrounding space and case (a resident number's check X)."""
    return code.strip().upper()


def _same_holder(a: CertificateSummary, b: CertificateSummary) -> bool:
    return (
        a.identifier == b.identifier
        and a.type_code == b.type_code
        and _norm(a.holder_code) == _norm(b.holder_code)
        and a.holder_type.strip() == b.holder_type.strip()
    )


class HolderBinding:
    """The binding rule with the terminal's configured acts-for allowances."""

    def __init__(self, acts_for: Iterable[ActsFor] = ()) -> None:
        self._rules = {rule.type_code: rule for rule in acts_for}

    def summary(self, holder: Holder | None, summary: CertificateSummary) -> BindingResult:
        """Whether a listed certificate may be shown to ``holder``, and as what."""
        if holder is None or not holder.id_number.strip():
            return _MISMATCH
        if _norm(summary.holder_code) == _norm(holder.id_number):
            return _OWN if summary.holder_type.strip() == holder.holder_type.strip() else _MISMATCH
        rule = self._rules.get(summary.type_code)
        if rule is not None and summary.holder_type.strip() in rule.holder_types:
            return BindingResult(Binding.ACTS_FOR, relation=rule.relation)
        return _MISMATCH

    def record(
        self, holder: Holder | None, listed: CertificateSummary, record: CertificateRecord
    ) -> BindingResult:
        """Whether a fetched full record may be shown: it matches its summary and the holder."""
        if not _same_holder(listed, record.summary):
            return BindingResult(Binding.MISMATCH, reason=RECORD_SWAPPED)
        result = self.summary(holder, record.summary)
        if result.binding is not Binding.ACTS_FOR or holder is None:
            return result
        rule = self._rules[record.summary.type_code]
        if rule.face_labels:
            names = {n.strip() for n in (holder.name, holder.name_en or "") if n and n.strip()}
            named = {f.value.strip() for f in record.face if f.label.strip() in rule.face_labels}
            if not names & named:
                return BindingResult(Binding.MISMATCH, reason=NOT_NAMED)
        return result


def represented_name(summary: CertificateSummary) -> str:
    """The holder a citizen acts for, as screens and receipts show it.

    A company's name (holder type 001) is public and shown as is; a person's (a guardian's child)
    is masked like every personal name.
    """
    return summary.holder_name if summary.holder_type.strip() == "001" else mask_name(summary.holder_name)
