"""The A4 加注件 of a certificate as issued: the use annotation (仅供办理……使用, date, terminal)
stamped over the page, the watermark sentence and a verification QR — and none of the official
wording when the file's seals did not verify. Read back with poppler (pdftotext, pdftoppm), and
printed through a private cupsd with cups-pdf."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from kiosk.fonts import font_path
from kiosk.receipt.a4 import NOT_VERIFIED, UseAnnotation, annotated_pdf, print_copy
from kiosk.settings.printer import PrinterConfig
from kiosk.wiring.printer import build_a4_queue
from tests.printer.conftest import PrivateCups
from tests.printer.helpers import qr_texts

NOTE = UseAnnotation(
    use="户籍业务",
    made_on=date(2026, 12, 6),
    valid_until=date(2027, 1, 5),
    terminal_id="LJ-ZZ-0007",
    verify_code="20261206093000-a1b2c3",
    qr_payload="KIOSK-RECEIPT-TEST:LJ-ZZ-0007:20261206093000-a1b2c3",
)


def _page_png() -> bytes:
    """Stands in for the drawn OFD page (210 × 148 mm): a title and two fields (测试数据)."""
    img = Image.new("RGB", (1400, 987), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(font_path("regular")), 56)
    draw.rectangle((40, 40, 1360, 947), outline=(150, 30, 30), width=6)
    draw.text((480, 90), "居民身份证", font=font, fill="black")
    draw.text((120, 300), "姓名  韦桂兰（测试数据）", font=font, fill="black")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _text(pdf: Path) -> str:
    # -raw: in content order, so the diagonal stamps read as whole sentences
    out = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(out.split())


def _image(pdf: Path) -> Image.Image:
    stem = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(stem)], check=True)
    return Image.open(f"{stem}.png")


def test_the_annotated_copy_carries_the_use_the_date_the_terminal_and_a_qr(tmp_path: Path) -> None:
    path = tmp_path / "copy.pdf"
    path.write_bytes(annotated_pdf(_page_png(), (210.0, 148.0), "居民身份证", NOTE, verified=True))
    text = _text(path)
    assert "居民身份证（电子证照加注件）" in text
    assert text.count("仅供办理户籍业务使用") == 5  # three across the page, its boxed note, under it
    assert "2026年12月6日" in text and "LJ-ZZ-0007" in text
    assert "仅供办理政务服务事项时使用，有效期至2027年1月5日" in text
    assert "核验码：20261206093000-a1b2c3" in text
    assert NOT_VERIFIED not in text
    page = _image(path)
    assert page.width < page.height  # A4 portrait
    assert qr_texts(page) == [NOTE.qr_payload]


def test_a_copy_whose_seals_did_not_verify_has_no_official_wording(tmp_path: Path) -> None:
    path = tmp_path / "copy.pdf"
    path.write_bytes(annotated_pdf(_page_png(), (210.0, 148.0), "居民身份证", NOTE, verified=False))
    text = _text(path)
    assert NOT_VERIFIED in text
    for official in ("加注件", "仅供办理", "此件由", "有效期至", "核验码"):
        assert official not in text, official
    assert qr_texts(_image(path)) == []


@pytest.mark.cups
def test_the_annotated_copy_prints_through_cups(private_cups: PrivateCups) -> None:
    queue = build_a4_queue(PrinterConfig(a4_queue="A4", cups_server=private_cups.server))
    assert queue is not None
    pdf = annotated_pdf(_page_png(), (210.0, 148.0), "居民身份证", NOTE, verified=True)
    outcome = print_copy(queue, pdf, title="copy-test")
    assert outcome.ok
    printed = private_cups.wait_for_pdf()
    page = _image(printed)
    assert qr_texts(page) == [NOTE.qr_payload]
    # cups-pdf distils the page again (its text is no longer extractable): the red annotation
    # is looked for as ink over the certificate instead
    rgb = page.convert("RGB").tobytes()
    red = sum(1 for i in range(0, len(rgb), 3) if rgb[i] > 150 and rgb[i + 1] < 120 and rgb[i + 2] < 120)
    assert red > 2000
