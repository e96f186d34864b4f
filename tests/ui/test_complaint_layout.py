"""The complaint pages under the layout audit (kiosk/app/layout_audit.py), normal and elder mode:
no text cut, overflowing, overlapping, below the mode's floor (24 / 30 dp) or under 4.5:1."""

from __future__ import annotations

import pytest

from kiosk.complaints import Kind
from tests.support.ui import UiDriver, UiHarness

pytestmark = pytest.mark.ui


def test_every_complaint_page_passes_the_layout_audit(ui: UiHarness) -> None:
    findings: list[str] = []

    async def script(d: UiDriver) -> None:
        from kiosk.app.layout_audit import audit_window

        async def audit(name: str, elder: bool) -> None:
            shot = await d.shot(f"complaint-audit-{'elder' if elder else 'normal'}-{name}")
            findings.extend(str(f) for f in audit_window(name, elder, shot))

        for elder in (False, True):
            if elder:
                d.controller.toggle_elder_mode()
            d.controller.open_view("complaint")
            await d.wait(lambda: d.machine.view == "complaint", "the page")
            screen = d.app.screens["complaint"]
            await audit("menu", elder)
            screen._choose_kind(Kind.COMPLAINT)
            await audit("matter", elder)
            screen._choose_matter("不动产登记（二手房转移登记）")
            await audit("text", elder)
            screen._typed("窗口排队时间太长，希望增加周末窗口")
            screen._after_text()
            for ch in "13800138000":
                screen._digit("_phone", ch)
            await audit("phone", elder)
            screen._to_confirm()
            await audit("confirm", elder)
            screen._submit()
            await d.wait(lambda: d.controller.complaints.handed is not None, "the ticket")
            await audit("ticket", elder)
            screen._go("status")
            await audit("status", elder)
            screen._go("status_code")
            await audit("status-code", elder)
            screen._close()
            await d.wait(lambda: d.machine.view is None, "closed")

    ui.run(script, name="complaint-layout")
    assert not findings, "\n".join(findings)
