"""A 免证办 receipt with FICTITIOUS demo data (测试数据) for ``kiosk print render``, tests and benches.

The person is the "rare" demo identity of config/demo_identities.toml (made up, region 450206 =
Liujiang); the certificates are invented. The receipt carries a 测试数据 banner top and bottom.
The certificates stand as verified records (the official receipt is printed only over those).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from kiosk.domain.certificate import (
    CertificateRecord,
    CertificateSummary,
    CertStatus,
    Verification,
    VerifiedCertificate,
)
from kiosk.receipt.codes import make_receipt_code, new_receipt_id
from kiosk.receipt.contents import RARE_SAMPLE, certificate_list_receipt
from kiosk.receipt.layout import Receipt, Text

DEMO_SECRET = b"demo-receipt-secret-not-for-production"
DEMO_TERMINAL_ID = "LJ-ZZ-DEMO"


def demo_certificates() -> list[CertificateSummary]:
    common = {
        "holder_name": "覃䶮",
        "holder_code": "450206199005170038",
        "holder_type": "111",
        "status": "10",
    }
    return [
        CertificateSummary(
            identifier="1.2.156.3005.2.11100000000013338W032.11450200MB1234567X.20180601001.001.K",
            type_code="11100000000013338W032",
            name="居民户口簿（测试数据）",
            number="TEST-0001",
            issuer="柳州市公安局柳江分局",
            issuer_code="11450200MB1234567X",
            issue_date=date(2018, 6, 1),
            valid_from=date(2018, 6, 1),
            valid_to=None,
            **common,
        ),
        CertificateSummary(
            identifier="1.2.156.3005.2.11100000000013127D001.11450206MB0000000Y.2019LJ000123.001.7",
            type_code="11100000000013127D001",
            name="结婚证（测试数据）",
            number="J450206-2019-000123",
            issuer="柳江区民政局",
            issuer_code="11450206MB0000000Y",
            issue_date=date(2019, 10, 1),
            valid_from=date(2019, 10, 1),
            valid_to=None,
            **common,
        ),
        CertificateSummary(
            identifier="1.2.156.3005.2.11100000000013338W010.11450200MB7654321A.DL20210315.001.3",
            type_code="11100000000013338W010",
            name="机动车驾驶证（测试数据）",
            number="450206199005170038",
            issuer="柳州市公安局交通警察支队",
            issuer_code="11450200MB7654321A",
            issue_date=date(2021, 3, 15),
            valid_from=date(2021, 3, 15),
            valid_to=date(2027, 3, 15),
            **common,
        ),
    ]


def sample_certificate_receipt(issued_at: datetime | None = None, receipt_id: str | None = None) -> Receipt:
    """The demo receipt, exactly as the terminal would build it for the demo person."""
    now = issued_at or datetime.now().replace(second=0, microsecond=0)
    rid = receipt_id or new_receipt_id(now)
    receipt = certificate_list_receipt(
        terminal_name="自助终端 01（测试）",
        holder_name="覃䶮",
        holder_id="450206199005170038",
        certificates=[
            VerifiedCertificate(CertificateRecord(c, (), "demo", ""), Verification(CertStatus.VALID))
            for c in demo_certificates()
        ],
        issued_at=now,
        valid_until=(now + timedelta(days=30)).date(),
        verify_text=make_receipt_code(DEMO_TERMINAL_ID, rid, DEMO_SECRET),
        test_data=True,
    )
    note = Text(f"测试数据 · 生僻字样例：{RARE_SAMPLE}", size="small")
    return Receipt(
        title=receipt.title,
        subtitle=receipt.subtitle,
        blocks=(note, *receipt.blocks),
        footer=receipt.footer,
        test_data=True,
        kind=receipt.kind,
        meta={"receipt_id": rid, "terminal_id": DEMO_TERMINAL_ID},
    )
