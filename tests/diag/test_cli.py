"""``kiosk diag --demo``: every check on demo mode's simulated devices and the embedded server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHECKS = {"config", "disk", "clock", "font", "card", "camera", "printer", "audio", "backend", "bundle"}


def test_demo_json_and_html_report(tmp_path: Path) -> None:
    report_file = tmp_path / "report.html"
    runtime = tmp_path / "run"
    (runtime / "pulse").mkdir(parents=True)
    (runtime / "pulse" / "native").touch()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "diag",
            "--demo",
            "--json",
            "--report",
            str(report_file),
            "--test-page",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        # a sound server's socket where the audio check looks for one (kiosk.voice.output): the
        # machine running the tests may have no sound device
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(runtime)},
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert set(checks) == CHECKS
    assert report["simulated"] is True and report["status"] == "ok", out.stdout
    for check in checks.values():
        assert check["status"] == "ok" and check["value"]
    assert "读卡成功" in checks["card"]["value"]  # the demo card was read ...
    assert checks["camera"]["details"]["qr_codes"] == 1  # ... and the test code decoded
    assert "测试页已打印" in checks["printer"]["value"]
    html = report_file.read_text(encoding="utf-8")
    assert "<table>" in html and "电子证照后台" in html and "data:image/png;base64," in html
    assert "<script" not in html and 'src="http' not in html  # self-contained
    for demo_person in ("韦桂兰", "450206195803120088"):  # the demo card's holder is nowhere
        assert demo_person not in html and demo_person not in out.stdout


def test_text_output_names_the_fix(tmp_path: Path) -> None:
    broken = tmp_path / "terminal.toml"
    broken.write_text('[devices.printer]\nkind = "cups"\n', encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "diag", "--config", str(broken), "--min-free-mb", "1"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PCSCLITE_CSOCK_NAME": str(tmp_path / "none")},
    )
    assert out.returncode == 1
    assert "✘ 配置文件" in out.stdout and "cups_queue" in out.stdout and "处理：" in out.stdout
