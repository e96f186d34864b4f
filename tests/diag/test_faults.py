"""Each injected fault turns exactly the matching check to failure, with its fix hint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from drivers.card import encode_text_block, load_demo_identities
from tests.diag.conftest import QR_TEXT
from tests.diag.helpers import diag_config, run
from tests.printer.fake_printer import FakePrinter
from tests.support.pcsc import READER_0, CardSlot, PcscDaemon, vendor_sam_applet

REPO = Path(__file__).resolve().parents[2]


def only_failure(report: Any, name: str) -> Any:
    failed = [c.name for c in report.checks if c.status == "failure"]
    assert failed == [name], f"expected only {name} to fail, got {failed}: {report.summary()}"
    return report.by_name(name)


def network_printer(printer: FakePrinter) -> dict[str, Any]:
    return {"devices": {"printer": {"kind": "network", "host": "127.0.0.1", "port": printer.port}}}


def test_healthy_real_parts_pass(
    diag_server: Any, pcscd: PcscDaemon, card_slot: CardSlot, fake_printer: FakePrinter, qr_video: Path
) -> None:
    identity = load_demo_identities(REPO / "config" / "demo_identities.toml")[0]
    card_slot.insert(vendor_sam_applet(encode_text_block(identity)))
    overrides = network_printer(fake_printer)
    overrides["devices"].update(
        card_reader={"kind": "pcsc", "reader_name_contains": READER_0},
        camera={"kind": "file", "source_path": str(qr_video), "fps": 15},
    )
    report = run(diag_config(diag_server, overrides), test_page=True)
    assert report.status == "ok", report.summary()
    card = report.by_name("card").value
    assert "读卡成功（居民身份证）" in card and READER_0 in card
    assert identity.name not in json.dumps(report.to_dict(), ensure_ascii=False)  # no personal data
    assert identity.id_number not in report.summary()
    camera = report.by_name("camera").details
    assert camera["qr_codes"] == 1 and camera["focus"] > 60 and camera["width"] == 640
    assert QR_TEXT not in json.dumps(report.to_dict())  # what a code says is never reported
    assert "测试页已打印" in report.by_name("printer").value
    assert fake_printer.wait_for_jobs(1)  # the test page really went over TCP
    assert report.by_name("clock").details["offset_seconds"] < 5


def test_reader_not_connected(diag_server: Any, pcscd: PcscDaemon) -> None:
    config = diag_config(
        diag_server, {"devices": {"card_reader": {"kind": "pcsc", "reader_name_contains": "ACS"}}}
    )
    check = only_failure(run(config), "card")
    assert "Virtual PCD 00 00" in check.value and "reader_name_contains" in check.hint


def test_pcscd_not_reachable(diag_server: Any, pcscd: PcscDaemon, tmp_path: Path) -> None:
    """``kiosk diag`` in a process whose PC/SC client library finds no pcscd socket."""
    config = tmp_path / "terminal.toml"
    config.write_text(
        '[devices.card_reader]\nkind = "pcsc"\nreader_name_contains = "Virtual PCD 00 00"\n', encoding="utf-8"
    )
    env = dict(os.environ, PCSCLITE_CSOCK_NAME=str(tmp_path / "no-pcscd.comm"), KIOSK_SECRETS="")
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "diag", "--json", "--config", str(config), "--min-free-mb", "1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert out.returncode == 1, out.stderr
    checks = {c["name"]: c for c in json.loads(out.stdout)["checks"]}
    assert checks["card"]["status"] == "failure"
    assert "pcscd" in checks["card"]["hint"] and "无响应" in checks["card"]["value"]


def test_camera_file_missing(diag_server: Any, tmp_path: Path) -> None:
    missing = tmp_path / "gone.avi"
    config = diag_config(diag_server, {"devices": {"camera": {"kind": "file", "source_path": str(missing)}}})
    check = only_failure(run(config), "camera")
    assert "no such file" in check.value and "source_path" in check.hint


def test_printer_paper_out(diag_server: Any, fake_printer: FakePrinter) -> None:
    fake_printer.state.paper = "out"
    check = only_failure(run(diag_config(diag_server, network_printer(fake_printer))), "printer")
    assert check.details["paper"] == "out" and "缺纸" in check.hint


def test_printer_silent(diag_server: Any, fake_printer: FakePrinter) -> None:
    fake_printer.state.silent = True
    check = only_failure(run(diag_config(diag_server, network_printer(fake_printer))), "printer")
    assert "无应答" in check.value and "check_status" in check.hint


def test_backend_down(diag_server: Any) -> None:
    import socket

    with socket.socket() as s:  # a port that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = diag_config(diag_server)
    config = config.model_copy(
        update={"backend": config.backend.model_copy(update={"url": f"http://127.0.0.1:{port}"})}
    )
    report = run(config)
    check = only_failure(report, "backend")
    assert "unavailable" in check.value and "backend.url" in check.hint
    assert report.by_name("clock").status == "warning"  # cannot compare clocks without the server


def test_slow_backend_warns_but_a_slow_first_call_does_not(tmp_path: Path) -> None:
    from tests.support.refserver import running_refserver

    with running_refserver(tmp_path) as server:
        config = diag_config(server.embedded)
        server.set_fault("delay", seconds=1.3, path_prefix="/v1/health", count=1)
        cold = run(config).by_name("backend")  # only the connecting call was slow
        assert cold.status == "ok" and cold.details["first_call_ms"] >= 1300, cold
        assert cold.details["latency_ms"] < 1000
        server.set_fault("delay", seconds=1.3, path_prefix="/v1/health")
        slow = run(config).by_name("backend")  # every call is slow: the network is
        assert slow.status == "warning" and "响应慢" in slow.hint, slow
        assert slow.details["latency_ms"] >= 1300


def test_clock_skew(diag_server: Any) -> None:
    check = only_failure(run(diag_config(diag_server), wall_clock=lambda: time.time() + 600), "clock")
    assert check.details["offset_seconds"] < -590 and "NTP" in check.hint


def test_disk_nearly_full(diag_server: Any, tmp_path: Path) -> None:
    check = only_failure(run(diag_config(diag_server), state_dir=tmp_path, min_free_bytes=10**18), "disk")
    assert str(tmp_path) in check.value and "清理" in check.hint


def test_font_missing(diag_server: Any, tmp_path: Path) -> None:
    config = diag_config(diag_server, {"display": {"font_path": str(tmp_path / "nope.otf")}})
    check = only_failure(run(config), "font")
    assert "nope.otf" in check.value and "display.font_path" in check.hint


def test_font_without_rare_glyphs(diag_server: Any, tmp_path: Path) -> None:
    """A real font file that lacks 䶮 (a subset of the terminal's own font)."""
    from fontTools import subset

    from kiosk.fonts import font_path

    partial = tmp_path / "partial.otf"
    options = subset.Options()
    font = subset.load_font(str(font_path("regular")), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="令门骨自助终端ABC")
    subsetter.subset(font)
    subset.save_font(font, str(partial), options)
    check = only_failure(run(diag_config(diag_server, {"display": {"font_path": str(partial)}})), "font")
    assert "缺少字形：䶮" in check.value and "Noto" in check.hint


def test_broken_config_file(diag_server: Any, tmp_path: Path) -> None:
    broken = tmp_path / "terminal.toml"
    broken.write_text("[timeouts]\nidle_seconds = 5\n", encoding="utf-8")
    check = only_failure(run(diag_config(diag_server), config_file=broken), "config")
    assert "timeouts.idle_seconds" in check.value and str(broken) in check.hint


def test_tls_backend_pinned_and_unknown_ca(tmp_path: Path) -> None:
    """The TLS step on a real HTTPS reference server (test certificates of the backend tests)."""
    from kiosk.wiring.backend import start_embedded_refserver

    tls = REPO / "tests" / "backend" / "tls"
    with start_embedded_refserver(tmp_path / "tls", tls=(tls / "server.pem", tls / "server.key")) as server:
        pinned = diag_config(server)
        pinned = pinned.model_copy(
            update={"backend": pinned.backend.model_copy(update={"ca_file": str(tls / "ca.pem")})}
        )
        report = run(pinned)
        backend = report.by_name("backend")
        assert backend.status in ("ok", "warning") and backend.details["tls_version"].startswith("TLS")
        assert "cert_days_left" in backend.details and backend.details["verified"] is True
        check = only_failure(run(diag_config(server)), "backend")  # system trust store only
        assert "TLS 握手失败" in check.value and "ca_file" in check.hint
