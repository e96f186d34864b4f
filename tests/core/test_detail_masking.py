"""Masking on the detail page (issue 19 item 4), without Kivy: the detail page masks what the list
masks, 显示完整信息 is a state of the session that ends by itself after ``reveal_seconds``, and
leaving the page (back, another page over it, the end of the session) masks again."""

from __future__ import annotations

from datetime import date
from typing import Any

from kiosk.domain.certificate import (
    CertificateRecord,
    CertificateSummary,
    CertStatus,
    FaceField,
    Verification,
    VerifiedCertificate,
)
from kiosk.domain.holder import Holder
from kiosk.session import SessionMachine, Step
from kiosk.views import certificate_cards, detail_view, mask_number
from tests.core.hostile_backend import identity, signed_records

TODAY = date.today()
ELDER = identity("elder")


def record_of(signed: Any) -> VerifiedCertificate:
    """A demo record as the session holds it once verified valid."""
    r = signed.record
    day = date.fromisoformat
    summary = CertificateSummary(
        **{k: r[k] for k in ("identifier", "type_code", "name", "number", "holder_name", "holder_code")},
        holder_type=r["holder_type"],
        issuer=r["issuer"],
        issuer_code=r["issuer_code"],
        issue_date=day(r["issue_date"]),
        valid_from=day(r["valid_from"]),
        valid_to=day(r["valid_to"]) if r["valid_to"] else None,
        status=r["status"],
    )
    face = tuple(FaceField(f["label"], f["value"]) for f in r["face"])
    return VerifiedCertificate(
        CertificateRecord(summary, face, r["key_id"], signed.signature), Verification(CertStatus.VALID)
    )


def at_detail(kind: str, reveal_seconds: float = 30) -> tuple[SessionMachine, VerifiedCertificate]:
    m = SessionMachine(60, 15, 10, reveal_seconds=reveal_seconds)
    m.begin(0)
    m.identified(Holder(ELDER["name"], ELDER["id_number"], evidence={"kind": "id_card"}), "card", 0)
    m.agree(0)
    chosen = next(s for s in signed_records("elder") if s.record["name"] == kind)
    rec = record_of(chosen)
    m.certificates_loaded(m.session_id or "", [rec.record.summary])
    m.record_loaded(m.session_id or "", rec)
    assert m.select(rec.record.summary.identifier, 1)
    return m, rec


def shown(m: SessionMachine) -> dict[str, str]:
    view = detail_view(m, TODAY, "柳江区政务服务中心", 30)
    assert view is not None
    return dict(view.fields)


def test_the_detail_page_masks_the_card_number_as_the_list_does() -> None:
    m, rec = at_detail("社会保障卡")
    number = rec.record.summary.number
    m.back(2)
    (card,) = certificate_cards(m, TODAY)
    assert card.number == mask_number(number) != number
    m.select(rec.record.summary.identifier, 3)
    fields = shown(m)
    assert fields["卡号"] == card.number  # the same rule, the same masked text
    assert number not in " ".join(fields.values())
    assert ELDER["id_number"] not in " ".join(fields.values()) and ELDER["name"] not in " ".join(
        fields.values()
    )


def test_revealing_lasts_reveal_seconds_then_masks_by_itself() -> None:
    m, rec = at_detail("社会保障卡", reveal_seconds=30)
    assert m.reveal(10)
    fields = shown(m)
    assert fields["卡号"] == rec.record.summary.number and fields["社会保障号码"] == ELDER["id_number"]
    m.tick(39)
    assert m.revealed
    m.tick(40)
    assert not m.revealed
    assert shown(m)["卡号"] == mask_number(rec.record.summary.number)
    assert m.step is Step.DETAIL  # only the fields changed, the citizen stays on the page


def test_leaving_the_page_masks_again() -> None:
    m, rec = at_detail("居民身份证")
    assert m.reveal(10)
    m.back(11)
    assert m.step is Step.CERTIFICATES and not m.revealed
    m.select(rec.record.summary.identifier, 12)
    assert shown(m)["公民身份号码"] == mask_number(ELDER["id_number"])
    assert m.reveal(13)
    m.open_view("guide", 14)  # 办事指南 over the page
    assert not m.revealed
    m.close_view(15)
    assert shown(m)["住址"] != ELDER["address"]


def test_reveal_only_on_the_detail_page() -> None:
    m, _rec = at_detail("居民身份证")
    m.back(2)
    assert not m.reveal(3) and not m.revealed
