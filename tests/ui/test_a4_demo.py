"""打印加注件 in demo mode, on the real app: the demo configuration (kiosk.demo.demo_config) offers it on
the detail page of a valid certificate whose sealed file verified, and it goes to the simulated A4
printer (drivers.printer.simulated_a4). Paper out is said plainly and nothing counts as printed;
after 重新打印 the printer holds the PDF, whose text (pdftotext) carries the use annotation, the
date and the terminal. Screenshots: artifacts/ui/a4-demo-*.png."""

from __future__ import annotations

import subprocess
from datetime import date
from typing import Any

import pytest

from kiosk.issued.printing import use_of
from kiosk.receipt.codes import verify_receipt_code
from kiosk.receipt.contents import cn_date
from tests.printer.helpers import qr_texts
from tests.support.ui import UiDriver, UiHarness

pytestmark = pytest.mark.ui


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return "".join(out.decode("utf-8").split())


def test_the_demo_offers_and_prints_the_annotated_copy_on_its_a4_printer(ui: UiHarness) -> None:
    seen: dict[str, Any] = {}

    async def script(d: UiDriver) -> None:
        a4 = d.controls.a4_printer()
        a4.clear()
        a4.set_paper_out(True)
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait_records()
        await d.tap_text("居民身份证")
        await d.wait_step("detail")
        await d.wait(lambda: d.has_text("验章通过"), "the seal check", timeout=60)
        await d.wait(lambda: d.find_text("打印加注件") is not None, "the 加注件 button")
        await d.shot("a4-demo-01-detail")
        await d.tap_text("打印加注件")
        await d.wait_step("print")
        await d.wait(lambda: d.machine.data.printing.phase in ("done", "failed"), "the A4 job", timeout=90)
        await d.shot("a4-demo-02-paper-out")
        assert d.machine.data.printing.phase == "failed"
        assert d.has_text("打印机缺纸") and not d.has_text("请到A4打印机出纸口取走加注件")
        assert a4.last_job is None  # nothing taken, nothing claimed
        a4.set_paper_out(False)
        await d.tap_text("重新打印")
        await d.wait(lambda: d.machine.data.printing.phase in ("done", "failed"), "the retry", timeout=90)
        await d.shot("a4-demo-03-printed")
        assert d.machine.data.printing.phase == "done", d.machine.data.printing.message
        assert d.has_text("请到A4打印机出纸口取走加注件")
        assert a4.last_job is not None  # done was said after the printer took the job
        seen.update(
            secret=d.controller.receipt_secret(),
            terminal=d.controller.config.terminal.id,
            use=use_of(d.controller.config.session.use_cause),
        )

    driver = ui.run(script, name="a4-demo")
    pdf = driver.controls.last_annotated_pdf()
    assert pdf is not None and pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert f"仅供办理{seen['use']}使用" in text
    assert "居民身份证（电子证照加注件）" in text
    assert cn_date(date.today()) in text and str(seen["terminal"]) in text
    page = driver.controls.last_annotated_copy()
    assert page is not None and page.width < page.height
    page.save(ui.shots_dir / "a4-demo-04-paper.png")
    codes = qr_texts(page)
    assert len(codes) == 1 and verify_receipt_code(codes[0], seen["secret"])  # this terminal's code
