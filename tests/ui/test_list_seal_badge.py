"""The certificate list on the real app follows each file's seal check (kiosk.issued): a terminal
that does not trust the seals' CA shows 验章未通过 and why on every card whose record verified, no
有效 anywhere, and 打印证照清单 prints a result that says it cannot serve, with no official mark.
Screenshot: artifacts/ui/list-seal-*.png."""

from __future__ import annotations

import pytest

from kiosk.receipt.job import PrintJob
from kiosk.receipt.plain_text import receipt_text
from tests.support.ui import UiDriver, UiHarness

pytestmark = pytest.mark.ui


def badge_texts(d: UiDriver) -> list[str]:
    from screens.widgets import Badge

    return [str(w.text) for w in d.widgets() if isinstance(w, Badge)]


def test_seals_that_fail_take_valid_off_the_list_and_its_receipt(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        c = d.controller
        c.config = c.config.model_copy(
            update={"trust": c.config.trust.model_copy(update={"ofd_seal_anchors": []})}
        )
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait_records()
        data = d.machine.data
        sealed = [i for i, r in data.records.items() if r.verification.ok]
        assert sealed  # the elder's records verified: only their seals fail here
        await d.wait(lambda: badge_texts(d).count("验章未通过") == len(sealed), "the seal verdicts", 60)
        assert "有效" not in badge_texts(d) and not d.has_text("验章中")
        assert sum("电子印章未通过核验" in t for t in d.texts()) == len(sealed)
        await d.shot("list-seal-01-untrusted")
        await d.tap_text("打印证照清单")
        await d.wait(lambda: d.machine.data.printing.phase in ("done", "failed"), "the receipt", 60)
        job = d.machine.data.printing.job
        assert isinstance(job, PrintJob) and job.receipt.kind == "certificate_unverified"
        text = receipt_text(job.receipt)
        assert "已验证" not in text and "仅供办理政务服务事项时使用" not in text

    ui.run(script, name="list-seal")
