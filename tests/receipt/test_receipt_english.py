"""The foreign card holder's receipt is English, like the screen they read (issue 22's walkthrough).

The English walkthrough's receipt said ★ 测试数据 · 非真实信息 ★, 自助终端 01, 约** and 1. 社会保障卡
while the screen beside it said Self-service terminal 01, J****** D**** and Social Security Card.
The real controller and reference server as in demo mode, the foreign demo card (the terminal
switches to English for it), the receipt printed on a real TCP socket; the receipt as made for the
printer (kiosk.receipt.layout.Receipt) and the phone text behind its QR are checked word by word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.printer import NetworkPrinter
from kiosk.i18n import set_language
from kiosk.receipt.job import PrintJob
from kiosk.receipt.layout import Field, Qr, Receipt, Text
from kiosk.session import Step
from tests.printer.fake_printer import FakePrinter
from tests.support.controllers import demo_controller, until
from tests.support.refserver import RefServer, running_refserver
from tests.support.ui import make_config

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
NUMERIC_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")
ENGLISH_DATE = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b")
FOREIGN = 5  # config/demo_identities.toml: elder, rare, minority, business, hmt, foreign


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    with running_refserver(tmp_path_factory.mktemp("receipt-english")) as s:
        yield s


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    p = FakePrinter()
    try:
        yield p
    finally:
        p.close()
        set_language("zh_CN")


def texts(receipt: Receipt) -> list[str]:
    out = [receipt.title, receipt.subtitle, receipt.test_label, *receipt.footer]
    for block in receipt.blocks:
        if isinstance(block, Text):
            out.append(block.text)
        elif isinstance(block, Field):
            out += [block.caption, block.value]
        elif isinstance(block, Qr):
            out.append(block.caption)
    return out


async def test_the_foreign_holders_receipt_is_english(
    server: RefServer, printer: FakePrinter, tmp_path: Path
) -> None:
    from kiosk.demo import demo_config

    config = demo_config(make_config(), server.embedded)
    tcp = NetworkPrinter("127.0.0.1", printer.port, paper_mm=80, timeout_seconds=2)
    ctl, devices = demo_controller(config, tmp_path / "audit.jsonl", printer=tcp)
    await ctl.start()
    try:
        devices.card.insert(FOREIGN)
        await until(lambda: ctl.machine.step is Step.CONSENT)
        assert ctl.machine.prefs.language == "en"  # the foreign card chose English
        ctl.agree()
        data = ctl.machine.data
        assert data is not None
        await until(lambda: bool(data.certificates) and len(data.records) == len(data.certificates), 60)
        valid = next(i for i, r in data.records.items() if r.verification.ok)
        ctl.select(valid)
        await until(lambda: ctl.machine.step is Step.DETAIL and not ctl.machine.busy)
        ctl.print_receipt()
        await until(lambda: data.printing.phase in ("done", "failed"), 60)
        assert data.printing.phase == "done", data.printing.message
        job = data.printing.job
        assert isinstance(job, PrintJob)
        receipt: Receipt = job.receipt
        words = texts(receipt)
        chinese = [w for w in words if CJK.search(w)]
        assert chinese == [], chinese
        assert receipt.test_label == "TEST DATA · NOT REAL"
        assert any(
            w.startswith("1. ") and w[3:] in ("Social Security Card", "Motor Vehicle Driving Licence")
            for w in words
        )
        assert "Self-service terminal 01" in words
        assert any(w.startswith("J") and "*" in w for w in words)  # JOHNSON, DAVID masked, not 约**
        # dates as the screen writes them (5 Jan 2027), not 2024-8-1 beside it
        assert not [w for w in words if NUMERIC_DATE.search(w)], words
        assert any(ENGLISH_DATE.search(w) for w in words), words
        assert not CJK.search(job.phone_text), job.phone_text
        assert job.phone_text.startswith("[TEST DATA]")
        assert printer.jobs  # and it went to the printer
    finally:
        await ctl.stop()
