"""What the diagnostics tell staff (issue 22): plain Chinese, nothing a printer did not say, every
fault's remedy, and an audio check so that 总体正常 is never claimed while the voice is silent.
Against the real printer adapter over TCP (tests/support FakePrinter) and real files."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from kiosk.diagnostics import DiagOptions, run_diagnostics
from kiosk.diagnostics.audio import check_audio
from kiosk.diagnostics.devices import check_printer
from kiosk.voice.output import AudioOutput, probe_audio_output
from tests.diag.helpers import diag_config, run
from tests.printer.fake_printer import FakePrinter
from tests.support.ui import make_config

RAW = re.compile(r"=|True|False|None|\bok\b|\bout\b|near_end|unknown|状态 (ok|down|degraded)")


def printer_check(fake: FakePrinter) -> Any:
    from kiosk.wiring.printer import build_printer

    config = make_config(
        {"devices": {"printer": {"kind": "network", "host": "127.0.0.1", "port": fake.port}}}
    )
    printer = build_printer(config.devices.printer)
    return check_printer(config.devices.printer, printer, config.terminal)


def test_a_working_printer_is_described_in_plain_chinese(fake_printer: FakePrinter) -> None:
    check = printer_check(fake_printer)
    assert check.status == "ok"
    assert check.value == "网络打印机：在线，纸仓盖已合上，纸量正常"
    assert not RAW.search(check.value)


def test_two_faults_give_two_remedies(fake_printer: FakePrinter) -> None:
    fake_printer.state.paper = "out"
    fake_printer.state.cover_open = True
    check = printer_check(fake_printer)
    assert check.status == "failure"
    assert "纸仓盖打开" in check.value and "缺纸" in check.value and not RAW.search(check.value)
    assert len(check.remedies) == 2
    assert any("合上纸仓盖" in r for r in check.remedies) and any("装入热敏纸卷" in r for r in check.remedies)


def test_an_offline_printer_does_not_report_its_cover(fake_printer: FakePrinter) -> None:
    fake_printer.state.online = False  # it says so (DLE EOT 1), and says nothing trustworthy else
    check = printer_check(fake_printer)
    assert check.status == "failure"
    assert "离线" in check.value and "合" not in check.value and "纸量正常" not in check.value
    assert check.remedies == ["打印机离线：检查电源、数据线或网线"]


def test_every_remedy_is_in_the_summary_and_on_the_report(
    diag_server: Any, fake_printer: FakePrinter
) -> None:
    from kiosk.diagnostics.html_report import render_html

    fake_printer.state.paper = "out"
    fake_printer.state.cover_open = True
    overrides = {"devices": {"printer": {"kind": "network", "host": "127.0.0.1", "port": fake_printer.port}}}
    report = run(diag_config(diag_server, overrides))
    summary = report.summary()
    assert "! printer: 打印机盖未合上：合上纸仓盖" in summary
    assert "! printer: 打印机缺纸：装入热敏纸卷" in summary
    html = render_html(report)
    assert "合上纸仓盖<br>打印机缺纸" in html


def test_no_sound_device_is_a_failure_not_all_well(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    cards.write_text("--- no soundcards ---\n", encoding="utf-8")
    silent = probe_audio_output(cards, runtime_dir=str(tmp_path))
    assert not silent.available
    config = make_config()
    check = check_audio(config, lambda: silent, espeak=lambda: "/usr/bin/espeak-ng")
    assert check.status == "failure" and "语音提示无法播放" in check.value and "aplay -l" in check.hint
    with_card = tmp_path / "cards-1"
    with_card.write_text(
        " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n        HDA Intel PCH at 0xf7f10000\n",
        encoding="utf-8",
    )
    found = probe_audio_output(with_card, runtime_dir=str(tmp_path))
    assert found == AudioOutput(True, "声卡：HDA Intel PCH")
    ok = check_audio(config, lambda: found, espeak=lambda: "/usr/bin/espeak-ng")
    assert ok.status == "ok" and "HDA Intel PCH" in ok.value and "音量 80%" in ok.value
    no_synth = check_audio(config, lambda: found, espeak=lambda: None)
    assert no_synth.status == "failure" and "espeak-ng" in no_synth.hint


def test_the_overall_status_is_not_ok_while_the_voice_is_silent(tmp_path: Path) -> None:
    from kiosk.controller import Devices

    config = make_config()
    options = DiagOptions(
        audio_probe=lambda: AudioOutput(False, "未发现声卡或声音服务"),
        state_dir=tmp_path,
        camera_seconds=0.2,
        card_wait_seconds=0.2,
        check_timeout=10,
    )
    report = asyncio.run(run_diagnostics(config, Devices(), options))
    assert report.by_name("audio").status == "failure"
    assert report.status == "failure"  # 总体：故障, never 正常
    voice_off = make_config({"voice": {"enabled": False}})
    assert check_audio(voice_off).status == "warning"
