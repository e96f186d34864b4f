"""The complaint slip in the citizen's language: a citizen who used the desk in English gets an
English slip (the ticket, the code and the QR the same; the centre's Chinese name may stay beside
its English one). Printed by the desk through the network printer driver to a fake ESC/POS printer
on a TCP socket, the bytes decoded back into the paper."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.printer import NetworkPrinter
from kiosk.complaints import ComplaintDesk, Entry, Kind
from kiosk.complaints.demo_key import DEMO_PLATFORM_PUBLIC_KEY
from kiosk.complaints.slip import status_link
from kiosk.i18n import set_language
from kiosk.receipt.plain_text import receipt_text
from kiosk.receipt.render import render
from kiosk.settings.complaints import ComplaintsConfig
from tests.printer.fake_printer import FakePrinter
from tests.printer.helpers import artifacts_dir, qr_texts, same_pixels
from tests.support.escpos_decode import decode

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CENTRE = "柳江区政务服务中心"
URL = "https://zwfw.example.gov.cn/complaints/status"


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    p = FakePrinter()
    try:
        yield p
    finally:
        p.close()
        set_language("zh_CN")


async def printed_slip(
    tmp_path: Path, printer: FakePrinter, language: str, kind: Kind
) -> tuple[str, str, str]:
    """Submit in ``language`` and print the slip: (its text, the QR on the paper, the expected QR)."""
    set_language(language)
    tcp = NetworkPrinter("127.0.0.1", printer.port, paper_mm=80, timeout_seconds=2)
    config = ComplaintsConfig(platform_key=DEMO_PLATFORM_PUBLIC_KEY, status_url=URL)
    desk = ComplaintDesk(config, "LJ-TEST-01", "自助终端 01", tmp_path, None, printer=lambda: tcp)
    desk.submit(Entry.make(kind, "其他", "窗口排队时间长"))
    for _ in range(400):
        if desk.handed is not None:
            break
        await asyncio.sleep(0.01)
    handed = desk.handed
    assert handed is not None, desk.error
    desk.print_slip()
    for _ in range(1000):
        if desk.printing.phase in ("done", "failed"):
            break
        await asyncio.sleep(0.01)
    assert desk.printing.phase == "done", desk.printing.message
    slip = desk.slip(handed)
    [job] = printer.wait_for_jobs(1)
    [page] = decode(job).pages
    assert page.raster is not None and same_pixels(page.raster, render(slip, 576))  # this slip is the paper
    page.raster.save(artifacts_dir() / f"complaint-slip-{language}.png")
    [qr] = qr_texts(page.raster)
    text = receipt_text(slip)
    assert handed.ticket in text and handed.code in text
    return text, qr, status_link(URL, handed.ticket, handed.code)


async def test_in_english_the_slip_is_english_with_the_same_ticket_code_and_qr(
    tmp_path: Path, printer: FakePrinter
) -> None:
    text, qr, expected = await printed_slip(tmp_path, printer, "en", Kind.COMPLAINT)
    assert qr == expected
    assert "Receipt for your complaint" in text and "Ticket" in text and "Query code" in text
    assert "Liujiang District Government Service Centre" in text and "12345" in text
    assert "Self-service terminal 01" in text and "Ticket: " in text  # an English colon
    # nothing Chinese but the centre's own name beside its English one
    assert CJK.findall(text.replace(CENTRE, "")) == [], text


async def test_in_chinese_the_slip_stays_chinese(tmp_path: Path, printer: FakePrinter) -> None:
    text, qr, expected = await printed_slip(tmp_path, printer, "zh_CN", Kind.REPORT)
    assert qr == expected
    assert "举报受理回执" in text and "受理编号" in text and "查询码" in text
    assert "Ticket" not in text
