"""Nothing unverified looks official (issue 19 item 2): the receipt's official marks — the watermark
sentence, 有效（已验证）, the check QR and the receipt's validity — stand only over certificates whose
full record verified VALID. Anything else says in words that it cannot serve as proof."""

from __future__ import annotations

from dataclasses import replace

from kiosk.domain.certificate import (
    CertificateRecord,
    CertificateSummary,
    CertStatus,
    Verification,
    VerifiedCertificate,
)
from kiosk.receipt.codes import make_receipt_code
from kiosk.receipt.contents import certificate_list_receipt
from kiosk.receipt.layout import Qr, Receipt
from kiosk.receipt.plain_text import receipt_text
from kiosk.receipt.render import render
from kiosk.receipt.samples import DEMO_SECRET, demo_certificates
from tests.printer.helpers import FIXED_TIME, artifacts_dir, qr_texts

WATERMARK = "仅供办理政务服务事项时使用"
CODE = make_receipt_code("LJ-ZZ-DEMO", "20261129150700-a1b2c3", DEMO_SECRET)


def as_verified(
    summary: CertificateSummary, status: CertStatus, reason: str | None = None
) -> VerifiedCertificate:
    return VerifiedCertificate(CertificateRecord(summary, (), "demo", ""), Verification(status, reason))


def receipt(certificates: list[CertificateSummary | VerifiedCertificate]) -> Receipt:
    return certificate_list_receipt(
        "自助终端 01（测试）",
        "覃䶮",
        "450206199005170038",
        certificates,
        FIXED_TIME,
        FIXED_TIME.date(),
        CODE,
        test_data=True,
    )


def test_a_receipt_of_summaries_only_carries_no_official_mark() -> None:
    """The attack: the list answered, every record fetch failed (500): only summaries are held."""
    paper = receipt(list(demo_certificates()))
    text = receipt_text(paper)
    assert WATERMARK not in text and "已验证" not in text and "凭条有效期至" not in text
    assert not any(isinstance(b, Qr) for b in paper.blocks)
    assert "未核验" in paper.title
    assert text.count("状态：未能核验，不能作为办事凭证") == len(demo_certificates())
    image = render(paper, 576)
    image.save(artifacts_dir() / "receipt-unverified-576.png")
    assert qr_texts(image) == []  # no check code a member of staff could scan as "genuine"


def test_a_mixed_list_prints_only_the_verified_under_the_marks_and_counts_the_rest() -> None:
    valid, unfetched, tampered = demo_certificates()
    expired = replace(valid, identifier=valid.identifier[:-1] + "X", name="已过期的证照（测试数据）")
    paper = receipt(
        [
            as_verified(valid, CertStatus.VALID),
            unfetched,
            as_verified(tampered, CertStatus.UNVERIFIED, "签名验证失败"),
            as_verified(expired, CertStatus.EXPIRED),
        ]
    )
    text = receipt_text(paper)
    assert WATERMARK in text and text.count("有效（已验证）") == 1
    assert valid.name in text
    for other in (unfetched, tampered, expired):
        assert other.name not in text and other.identifier not in text
    assert "另有3个证照未能核验或已失效，未列入本凭条，不能作为办事凭证。" in text
    image = render(paper, 576)
    image.save(artifacts_dir() / "receipt-mixed-576.png")
    assert qr_texts(image) == [CODE]


def test_each_kind_of_not_valid_says_so_in_words() -> None:
    a, b, c = demo_certificates()
    paper = receipt(
        [
            as_verified(a, CertStatus.REVOKED),
            as_verified(b, CertStatus.EXPIRED),
            as_verified(c, CertStatus.RESTRICTED),
        ]
    )
    text = receipt_text(paper)
    assert "状态：已注销，不能作为办事凭证" in text
    assert "状态：已过期，不能作为办事凭证" in text
    assert "状态：限制使用，不能作为办事凭证" in text
    assert WATERMARK not in text and "已验证" not in text
