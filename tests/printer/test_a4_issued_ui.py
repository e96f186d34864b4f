"""打印加注件 on the real app: the opened certificate's sealed OFD page, verified (验章通过), goes to a
private cupsd's A4 queue (cups-pdf) stamped with the use annotation and a verification QR; the
printed PDF is read back. Screenshot: artifacts/printer/a4-issued-*.png."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from kiosk.receipt.codes import verify_receipt_code
from tests.printer.conftest import PrivateCups
from tests.printer.helpers import qr_texts
from tests.support.ui import UiDriver, UiHarness

pytestmark = [pytest.mark.ui, pytest.mark.cups]


def _page(pdf: Path) -> Image.Image:
    stem = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(stem)], check=True)
    return Image.open(f"{stem}.png")


def test_the_annotated_copy_of_the_sealed_face_prints_on_a4(ui: UiHarness, private_cups: PrivateCups) -> None:
    overrides = {"devices": {"printer": {"a4_queue": "A4", "cups_server": private_cups.server}}}
    secret: list[bytes] = []

    async def script(d: UiDriver) -> None:
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait_records()
        await d.tap_text("居民身份证")
        await d.wait_step("detail")
        await d.wait(lambda: d.has_text("验章通过"), "the seal check", timeout=60)
        await d.shot("a4-issued-01-detail")
        await d.tap_text("打印加注件")
        await d.wait_step("print")
        await d.wait(lambda: d.machine.data.printing.phase in ("done", "failed"), "the A4 job", timeout=90)
        await d.shot("a4-issued-02-printed")
        assert d.has_text("请到A4打印机出纸口取走加注件") and not d.has_text("取走您的凭条")
        assert d.machine.data.printing.phase == "done", d.machine.data.printing.message
        secret.append(d.controller.receipt_secret())

    ui.run(script, overrides=overrides, name="a4-issued")
    printed = private_cups.wait_for_pdf()
    page = _page(printed)
    assert page.width < page.height  # A4 portrait
    codes = qr_texts(page)
    assert len(codes) == 1 and verify_receipt_code(codes[0], secret[0])  # this terminal's check code
    rgb = page.convert("RGB").tobytes()
    red = sum(1 for i in range(0, len(rgb), 3) if rgb[i] > 150 and rgb[i + 1] < 120 and rgb[i + 2] < 120)
    assert red > 5000  # the seal and the use annotation, in red over the page
