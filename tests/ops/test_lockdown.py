"""The installed terminal is locked down: the units' sandbox (rated by ``systemd-analyze security``),
no core dumps, Ctrl+Alt+Del masked, and a USB policy that allows only the terminal's own devices."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

KIOSK = Path(sys.executable).with_name("kiosk")
README = Path(__file__).resolve().parents[2] / "deploy" / "README.md"


def _install(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KIOSK), "install", "--root", str(root), *extra], capture_output=True, text=True, timeout=60
    )


def _security(unit: Path) -> tuple[float, list[str]]:
    """The overall exposure and the settings still marked exposed (✗)."""
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", unit.name],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=unit.parent,
    )
    out = done.stdout + done.stderr
    level = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", out)
    assert level, out
    exposed = [line.split()[1] for line in out.splitlines() if line.startswith("✗")]
    return float(level.group(1)), exposed


@pytest.mark.parametrize("name", ["kiosk.service", "kiosk-unavailable.service"])
def test_each_unit_rates_4_5_or_less_and_every_exposure_left_has_its_reason(
    tmp_path: Path, name: str
) -> None:
    root = tmp_path / "root"
    assert _install(root).returncode == 0
    unit = root / "etc/systemd/system" / name
    level, exposed = _security(unit)
    assert level <= 4.5, f"{name}: exposure {level}"
    text = unit.read_text(encoding="utf-8")
    assert "LimitCORE=0" in text, "a crash dump could hold a citizen's data"
    reasons = README.read_text(encoding="utf-8").split("## Lock-down", 1)[1].split("\n## ", 1)[0]
    for setting in exposed:
        name_part, _, qualifier = setting.partition("=")
        wanted = [name_part] + ([qualifier.lstrip("~")] if re.fullmatch(r"~?[\w@]+", qualifier) else [])
        for word in wanted:
            assert word in reasons, f"{name}: {setting} is left exposed without a reason in deploy/README.md"


def test_the_check_is_real_the_old_sandbox_rates_exposed(tmp_path: Path) -> None:
    unit = tmp_path / "old.service"
    unit.write_text(
        "[Service]\nExecStart=/bin/true\nUser=kiosk\nNoNewPrivileges=yes\nPrivateTmp=yes\n"
        "ProtectSystem=full\nProtectHome=yes\nUMask=0077\n"
    )
    level, exposed = _security(unit)
    assert level > 4.5 and "PrivateNetwork=" in exposed


def test_ctrl_alt_del_is_masked_and_its_burst_does_nothing(tmp_path: Path) -> None:
    root = tmp_path / "root"
    assert _install(root).returncode == 0
    target = root / "etc/systemd/system/ctrl-alt-del.target"
    assert target.is_symlink() and str(target.readlink()) == "/dev/null"
    conf = (root / "etc/systemd/system.conf.d/kiosk.conf").read_text(encoding="utf-8")
    assert "CtrlAltDelBurstAction=none" in conf
    assert _install(root).returncode == 0, "an upgrade over a masked unit must work"
    assert target.is_symlink()


def test_the_usb_policy_allows_hubs_and_the_configured_devices_only(tmp_path: Path) -> None:
    root = tmp_path / "root"
    done = _install(
        root,
        "--printer-usb", "0416:5011",
        "--camera-usb", "0C45:6366",
        "--reader-usb", "1a86:7523",
        "--touch-usb", "0eef:0001",
        "--allow-usb", "1234:abcd",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rules_file = root / "etc/usbguard/rules.conf"
    assert rules_file.stat().st_mode & 0o777 == 0o600
    lines = rules_file.read_text(encoding="utf-8").splitlines()
    rules = [ln for ln in lines if ln and not ln.startswith("#")]
    assert rules == [
        "allow with-interface equals { 09:*:* }",
        "allow id 0416:5011",
        "allow id 0c45:6366",
        "allow id 1a86:7523",
        "allow id 0eef:0001",
        "allow id 1234:abcd",
    ]
    assert "WARNING" not in done.stdout


def test_without_the_touch_screen_id_only_non_keyboard_hid_is_allowed_and_the_technician_is_warned(
    tmp_path: Path,
) -> None:
    done = _install(tmp_path / "root")
    assert done.returncode == 0
    rules = (tmp_path / "root/etc/usbguard/rules.conf").read_text(encoding="utf-8")
    assert "allow with-interface equals { 03:00:00 }" in rules
    assert "03:01" not in rules, "boot keyboards and mice stay blocked"
    assert "--touch-usb" in done.stdout and "card reader" in done.stdout


def test_a_bad_usb_id_for_the_policy_is_refused_with_a_reason(tmp_path: Path) -> None:
    done = _install(tmp_path / "root", "--touch-usb", "touch")
    assert done.returncode == 2
    assert "VID:PID" in done.stderr and "Traceback" not in done.stderr
