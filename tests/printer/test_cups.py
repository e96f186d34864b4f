"""CUPS: A4 copies (加注件) through a private cupsd with cups-pdf, and a raw receipt queue."""

from __future__ import annotations

import socket
import subprocess
from datetime import date
from pathlib import Path

import pytest
from asn1crypto import pem
from PIL import Image

from drivers.printer import CupsPrinter, CupsQueue, PrinterError
from kiosk.issued.service import PRINT_WIDTH_PX
from kiosk.issued.work import VALID, check_seals, draw_for_print
from kiosk.receipt.a4 import CopyImageError, UseAnnotation, annotated_pdf, print_copy
from kiosk.receipt.messages import PrinterState
from kiosk.receipt.render import render
from kiosk.settings.printer import PrinterConfig
from kiosk.wiring.printer import build_a4_queue
from tests.printer.conftest import PrivateCups
from tests.printer.fake_printer import FakePrinter
from tests.printer.helpers import qr_texts, same_pixels, sample_receipt
from tests.support.escpos_decode import decode

pytestmark = pytest.mark.cups

OFD_DATA = Path(__file__).resolve().parents[1] / "ofd" / "data"
NOTE = UseAnnotation(
    use="户籍业务",
    made_on=date(2026, 12, 6),
    valid_until=date(2026, 12, 29),
    terminal_id="LJ-ZZ-0007",
    verify_code="20261206093000-a1b2c3",
    qr_payload="KIOSK-RECEIPT-TEST:LJ-ZZ-0007:20261206093000-a1b2c3",
)


def _seal_checked_copy() -> bytes:
    """The 加注件 as the terminal makes it (kiosk.issued.printing): the demo certificate's sealed
    OFD file (测试数据), its seals checked under the demo CA, its page drawn at print resolution,
    stamped — official wording only because the seals verified."""
    data = (OFD_DATA / "demo_certificate.ofd").read_bytes()
    anchors = [der for _t, _h, der in pem.unarmor((OFD_DATA / "demo_anchor.pem").read_bytes(), multiple=True)]
    check = check_seals(data, anchors)
    assert check.status == VALID
    page = draw_for_print(data, PRINT_WIDTH_PX)
    return annotated_pdf(page, (210.0, 148.0), "居民身份证", NOTE, verified=check.status == VALID)


def _pdf_to_png(pdf: Path, dpi: int = 150) -> Image.Image:
    stem = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(stem)], check=True, timeout=30
    )
    return Image.open(f"{stem}.png")


def test_the_seal_checked_copy_embeds_the_sc_font_and_the_watermark(tmp_path: Path) -> None:
    path = tmp_path / "copy.pdf"
    path.write_bytes(_seal_checked_copy())
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJKSC" in fonts and "CID Type 0C" in fonts  # the CFF-based OTF, embedded
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "仅供办理政务服务事项时使用，有效期至2026年12月29日" in text.replace("\n", "")
    assert qr_texts(_pdf_to_png(path)) == [NOTE.qr_payload]


def test_copy_that_is_not_an_image_is_a_typed_error() -> None:
    with pytest.raises(CopyImageError):
        annotated_pdf(b"<html>502 Bad Gateway</html>", (210.0, 148.0), "结婚证", NOTE, verified=True)


def test_a4_copy_prints_through_cups_pdf_and_reads_back(private_cups: PrivateCups) -> None:
    config = PrinterConfig(a4_queue="A4", cups_server=private_cups.server)
    queue = build_a4_queue(config)
    assert queue is not None
    pdf = _seal_checked_copy()

    outcome = print_copy(queue, pdf, title="copy-test")

    assert outcome.ok and outcome.job_id.startswith("A4-")
    printed = private_cups.wait_for_pdf()
    page = _pdf_to_png(printed)
    assert page.width < page.height  # A4 portrait came out
    assert qr_texts(page) == [NOTE.qr_payload]


def test_a4_queue_missing_gives_a_plain_chinese_outcome(private_cups: PrivateCups) -> None:
    queue = CupsQueue("NoSuchQueue", server=private_cups.server)
    assert queue.state() == "missing"
    outcome = print_copy(queue, b"%PDF-1.4\n", title="x")
    assert (outcome.ok, outcome.state) == (False, PrinterState.OFFLINE)
    assert outcome.message.startswith("A4文件打印机未连接")  # which printer (kiosk.receipt.messages)


def test_no_a4_queue_configured_means_no_a4_printing() -> None:
    assert build_a4_queue(PrinterConfig()) is None


def test_receipt_through_a_raw_cups_queue_reaches_the_printer_unchanged(
    private_cups: PrivateCups, fake_printer: FakePrinter
) -> None:
    private_cups.lpadmin("-p", "receipt", "-E", "-v", f"socket://127.0.0.1:{fake_printer.port}", "-m", "raw")
    printer = CupsPrinter("receipt", paper_mm=80, server=private_cups.server)
    assert printer.status().online is True
    assert printer.status().paper == "unknown"  # a raw queue cannot relay DLE EOT answers
    image = render(sample_receipt(), 576)

    printer.print_image(image)

    [job] = fake_printer.wait_for_jobs(1, timeout=20)
    page = decode(job).pages[0]
    assert page.cut == "full"
    assert page.raster is not None and same_pixels(page.raster, image)


def test_disabled_raw_queue_is_offline(private_cups: PrivateCups) -> None:
    private_cups.lpadmin("-p", "stopped", "-v", "socket://127.0.0.1:9", "-m", "raw")  # never enabled
    assert CupsPrinter("stopped", server=private_cups.server).status().online is False


def test_receipt_stuck_in_cups_is_cancelled_not_printed_later(private_cups: PrivateCups) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed: the socket backend keeps retrying
    private_cups.lpadmin("-p", "unplugged", "-E", "-v", f"socket://127.0.0.1:{port}", "-m", "raw")
    printer = CupsPrinter("unplugged", server=private_cups.server, job_seconds=1.5)
    with pytest.raises(PrinterError) as caught:
        printer.print_image(render(sample_receipt(), 576))
    assert caught.value.reason in ("timeout", "offline")
    assert printer.cups.job_done(printer.last_job_id)  # cancelled: it will not come out later
