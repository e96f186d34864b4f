"""The attack of issue 19 item 2, end to end against the real reference server: the certificate list
answers, every record fetch fails with 500. The list says 无法核验 (not 核验中 for good, never 有效),
the detail page has no watermark but the plain notice, and the printed paper carries none of the
official marks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kiosk.demo import demo_config
from kiosk.receipt.job import PrintJob
from kiosk.receipt.layout import Qr
from kiosk.receipt.plain_text import receipt_text
from kiosk.session import Step
from kiosk.views import certificate_cards, detail_view
from tests.support.controllers import demo_controller, until
from tests.support.refserver import RefServer, running_refserver
from tests.support.ui import make_config

WATERMARK = "仅供办理政务服务事项时使用"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    with running_refserver(tmp_path_factory.mktemp("unverified-refserver")) as s:
        yield s


async def test_records_that_fail_to_fetch_are_never_shown_or_printed_as_official(
    server: RefServer, tmp_path: Path
) -> None:
    config = demo_config(make_config({"backend": {"retries": 0}}), server.embedded)
    ctl, devices = demo_controller(config, tmp_path / "audit.jsonl")
    await ctl.start()
    server.set_fault("status", status=500, path_prefix="/v1/certificates/1.")
    try:
        devices.card.insert(0)
        await until(lambda: ctl.machine.step is Step.CONSENT)
        ctl.agree()
        data = ctl.machine.data
        assert data is not None
        await until(
            lambda: bool(data.certificates) and data.unfetched == {c.identifier for c in data.certificates}
        )
        assert data.records == {}
        cards = certificate_cards(ctl.machine, date.today())
        assert all(c.badge.status == "unverified" and c.badge.label == "无法核验" for c in cards)
        assert all(c.reason and "不能作为办事凭证" in c.reason for c in cards)
        # the detail page: the fetch is tried again and fails again (error page, back to the list)
        ctl.select(cards[0].identifier)
        await until(lambda: ctl.machine.step is Step.ERROR)
        ctl.acknowledge_error()
        data.selected = cards[0].identifier  # the page as it stands for an unfetched record
        view = detail_view(ctl.machine, date.today(), config.terminal.centre_name, 30)
        assert view is not None and view.watermark == "" and view.badge.status == "unverified"
        assert view.notice == "未能核验，不能作为办事凭证" and not view.loading
        data.selected = None
        ctl.print_receipt()
        await until(lambda: data.printing.phase in ("done", "failed"))
        assert isinstance(data.printing.job, PrintJob)
        paper = data.printing.job.receipt
        text = receipt_text(paper)
        assert WATERMARK not in text and "已验证" not in text and "凭条有效期至" not in text
        assert not any(isinstance(b, Qr) for b in paper.blocks)
        assert text.count("状态：未能核验，不能作为办事凭证") == len(cards)
    finally:
        server.clear_faults()
        await ctl.stop()
