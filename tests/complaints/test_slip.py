"""The slip: what is printed (nothing the citizen wrote), and reading its QR back at the terminal."""

from __future__ import annotations

from datetime import datetime

import zxingcpp

from kiosk.complaints import Kind
from kiosk.complaints.slip import parse_slip_qr, slip_receipt, status_link
from kiosk.receipt.layout import Field, Qr, Text
from kiosk.receipt.render import render

URL = "https://zwfw.example.gov.cn/complaints/status"


def test_slip_carries_ticket_code_and_a_qr_to_the_status_page_only() -> None:
    slip = slip_receipt(
        Kind.REPORT,
        "JB-7K4M-9QX2",
        "0815",
        datetime(2026, 12, 6, 15, 0),
        terminal_name="自助终端 01",
        status_url=URL,
        hotline="12345",
        desk="一楼综合咨询台",
        test_data=True,
    )
    fields = {b.label: b.value for b in slip.blocks if isinstance(b, Field)}
    assert fields["受理编号"] == "JB-7K4M-9QX2" and fields["查询码"] == "0815"
    texts = " ".join(b.text for b in slip.blocks if isinstance(b, Text))
    assert "举报受理回执" in texts and "12345" in texts and "一楼综合咨询台" in texts
    (qr,) = [b for b in slip.blocks if isinstance(b, Qr)]
    assert qr.data == f"{URL}?t=JB-7K4M-9QX2&c=0815"
    image = render(slip, 576)
    assert [c.text for c in zxingcpp.read_barcodes(image.convert("L"))] == [qr.data]


def test_the_slip_qr_is_read_back_in_either_form() -> None:
    assert parse_slip_qr(status_link(URL, "TS-2222-3333", "1234"), URL) == ("TS-2222-3333", "1234")
    assert parse_slip_qr(status_link("", "ZX-2222-3333", "0001")) == ("ZX-2222-3333", "0001")
    for other in (
        "LZ:abcdef",
        f"{URL}?t=TS-2222-3333&c=12345",
        f"{URL}?t=TS-1111-3333&c=1234",  # 1 is not in the ticket alphabet
        "https://evil.example/complaints/status?t=TS-2222-3333&c=1234",
        "ZWTS:TS-2222-3333",
    ):
        assert parse_slip_qr(other, URL) is None, other
