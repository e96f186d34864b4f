"""Which printer failed, and what to do (kiosk.receipt.messages): a terminal with an A4 document
printer beside its receipt printer names the one that failed. The A4 printer out of paper says
A4文件打印机 and to have A4 paper added, then 重新打印 — in Chinese and in English; the receipt
printer (on a real TCP socket) out of paper says 凭条打印机. The real controller and reference
server, as in demo mode (the simulated A4 printer is the demo's: only it can report paper out, a
CUPS queue cannot)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.printer import NetworkPrinter
from kiosk.controller import Controller
from kiosk.demo import demo_config
from kiosk.i18n import set_language
from kiosk.session import Step
from kiosk.wiring.printer import simulated_a4_printer
from tests.printer.fake_printer import FakePrinter
from tests.support.controllers import demo_controller, until
from tests.support.refserver import RefServer, running_refserver
from tests.support.ui import make_config


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    with running_refserver(tmp_path_factory.mktemp("printer-names")) as s:
        yield s


@pytest.fixture
def receipt_printer() -> Iterator[FakePrinter]:
    p = FakePrinter()
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def a4_out_of_paper() -> Iterator[Any]:
    a4 = simulated_a4_printer()  # the process's one (the demo's A4 printer)
    a4.clear()
    a4.set_paper_out(True)
    try:
        yield a4
    finally:
        a4.set_paper_out(False)
        a4.clear()
        set_language("zh_CN")


def controller(server: RefServer, receipt: FakePrinter, tmp_path: Path) -> tuple[Controller, Any]:
    config = demo_config(make_config(), server.embedded)  # the simulated A4 printer: a4_queue set
    assert config.devices.printer.a4_queue
    tcp = NetworkPrinter("127.0.0.1", receipt.port, paper_mm=80, timeout_seconds=2)
    return demo_controller(config, tmp_path / "audit.jsonl", printer=tcp)


async def open_sealed(ctl: Controller, devices: Any) -> str:
    devices.card.insert(0)
    await until(lambda: ctl.machine.step is Step.CONSENT)
    ctl.agree()
    data = ctl.machine.data
    assert data is not None
    await until(lambda: bool(data.certificates) and len(data.records) == len(data.certificates))
    identifier = data.certificates[0].identifier
    ctl.select(identifier)
    await until(lambda: ctl.issued.file(identifier) is not None, 60)  # 验章通过: 加注件 offered
    return identifier


async def printed_state(ctl: Controller) -> Any:
    data = ctl.machine.data
    assert data is not None
    await until(lambda: data.printing.phase in ("done", "failed"), 60)
    return data.printing


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_the_a4_printer_out_of_paper_is_named_with_what_to_do(
    server: RefServer, receipt_printer: FakePrinter, a4_out_of_paper: Any, tmp_path: Path, language: str
) -> None:
    ctl, devices = controller(server, receipt_printer, tmp_path)
    await ctl.start()
    try:
        await open_sealed(ctl, devices)
        ctl.set_language(language)
        ctl.print_annotated()
        state = await printed_state(ctl)
        assert state.phase == "failed" and a4_out_of_paper.last_job is None
        if language == "en":
            assert "A4 document printer is out of paper" in state.message
            assert "add A4 paper" in state.message and "Print again" in state.message
            assert "receipt" not in state.message
        else:
            assert "A4文件打印机缺纸" in state.message
            assert "添加A4纸" in state.message and "重新打印" in state.message
            assert "凭条" not in state.message
        assert receipt_printer.jobs == []  # nothing went to the receipt printer
    finally:
        await ctl.stop()


async def test_the_receipt_printer_out_of_paper_is_named_beside_an_a4_printer(
    server: RefServer, receipt_printer: FakePrinter, tmp_path: Path
) -> None:
    receipt_printer.state.paper = "out"
    ctl, devices = controller(server, receipt_printer, tmp_path)
    await ctl.start()
    try:
        await open_sealed(ctl, devices)
        ctl.print_receipt()
        state = await printed_state(ctl)
        assert state.phase == "failed" and state.message == "凭条打印机缺纸，请联系工作人员"
        assert receipt_printer.jobs == []  # asked (DLE EOT) and not sent
    finally:
        set_language("zh_CN")
        await ctl.stop()
