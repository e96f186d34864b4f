"""``kiosk install --root DIR``: the unit files pass ``systemd-analyze verify``, and an upgrade over
an installed terminal replaces our files but keeps its terminal.toml and secrets.toml."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from kiosk.settings.loader import load_config

KIOSK = Path(sys.executable).with_name("kiosk")


def _install(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KIOSK), "install", "--root", str(root), *extra], capture_output=True, text=True, timeout=60
    )


def _stub(root: Path, rel: str) -> None:
    path = root / rel.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)


def test_install_then_upgrade_keeps_the_terminal_configuration(tmp_path: Path) -> None:
    root = tmp_path / "root"
    first = _install(root, "--printer-usb", "0fe6:811e")
    assert first.returncode == 0, first.stderr
    etc = root / "etc" / "kiosk"
    assert "created /etc/kiosk/terminal.toml" in first.stdout
    assert stat.S_IMODE((etc / "secrets.toml").stat().st_mode) == 0o600
    rules = (root / "etc/udev/rules.d/70-kiosk.rules").read_text(encoding="utf-8")
    assert 'ATTR{idVendor}=="0fe6", ATTR{idProduct}=="811e"' in rules and "@" not in rules
    assert os.access(root / "opt/kiosk/bin/kiosk-session", os.X_OK)
    # the example terminal.toml that an install writes is a valid configuration
    config = load_config(etc / "terminal.toml", etc / "secrets.toml")
    assert config.display.fullscreen and config.ops.metrics_host == "127.0.0.1"

    # the technician configures the terminal, and someone edited a file the package owns
    (etc / "terminal.toml").write_text(
        '[terminal]\nid = "LJ-ZZ-07"\nname = "自助终端 07"\n', encoding="utf-8"
    )
    (etc / "secrets.toml").write_text('[backend]\nterminal_secret = "s3cret-of-07"\n', encoding="utf-8")
    unit = root / "etc/systemd/system/kiosk.service"
    unit.write_text("broken\n", encoding="utf-8")
    (root / "etc/kiosk/default.toml.dist").write_text("stale\n", encoding="utf-8")

    upgrade = _install(root, "--printer-usb", "0fe6:811e")
    assert upgrade.returncode == 0, upgrade.stderr
    assert "kept    /etc/kiosk/terminal.toml" in upgrade.stdout
    assert (etc / "terminal.toml").read_text(encoding="utf-8").startswith('[terminal]\nid = "LJ-ZZ-07"')
    assert "s3cret-of-07" in (etc / "secrets.toml").read_text(encoding="utf-8")
    assert "Type=notify" in unit.read_text(encoding="utf-8")
    assert "[ops]" in (etc / "default.toml.dist").read_text(encoding="utf-8")  # the new defaults ship
    assert load_config(etc / "terminal.toml", etc / "secrets.toml").terminal.id == "LJ-ZZ-07"


def test_unit_files_verify_with_systemd(tmp_path: Path) -> None:
    root = tmp_path / "root"
    assert _install(root).returncode == 0
    for binary in ("/usr/bin/cage", "/bin/systemctl"):  # what the units run, present on a terminal
        _stub(root, binary)
    units = root / "etc/systemd/system"

    def verify(unit: Path) -> subprocess.CompletedProcess[str]:
        cmd = ["systemd-analyze", "verify", f"--root={root}", "--man=no", "--recursive-errors=no", str(unit)]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

    for name in ("kiosk.service", "kiosk-unavailable.service"):
        result = verify(units / name)
        assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), (
            result.stdout + result.stderr
        )
    # the check is real: a typo in a copy of the unit is reported
    broken = units / "broken.service"
    broken.write_text(
        (units / "kiosk.service").read_text(encoding="utf-8").replace("Type=notify", "Type=notfy")
    )
    assert "Failed to parse service type" in verify(broken).stderr
    text = (units / "kiosk.service").read_text(encoding="utf-8")
    for setting in ("Type=notify", "WatchdogSec=", "StartLimitBurst=", "OnFailure=kiosk-unavailable.service"):
        assert setting in text


def test_a_bad_usb_id_is_refused_with_a_reason(tmp_path: Path) -> None:
    result = _install(tmp_path / "root", "--printer-usb", "printer")
    assert result.returncode == 2
    assert "VID:PID" in result.stderr and "Traceback" not in result.stderr


def test_the_launchers_are_valid_shell(tmp_path: Path) -> None:
    bin_dir = Path(__file__).resolve().parents[2] / "deploy" / "bin"
    for script in bin_dir.iterdir():
        assert subprocess.run(["sh", "-n", str(script)]).returncode == 0, script
    assert shutil.which("sh")


def test_the_unavailable_page_renders_in_chinese(tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "page.png"
    result = subprocess.run(
        [str(KIOSK), "unavailable", "--png", str(out), "--width", "1920", "--height", "1080"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    page = Image.open(out).convert("L")
    assert page.size == (1920, 1080)
    lo, hi = page.getextrema()
    assert int(hi) - int(lo) > 100  # type: ignore[arg-type]  # white text on the dark page: the CJK font rendered glyphs
