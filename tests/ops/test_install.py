"""``kiosk install --root DIR``: the unit files pass ``systemd-analyze verify``, and an upgrade over
an installed terminal replaces our files but keeps its terminal.toml and secrets.toml."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from kiosk.admin.pin import verify_pin
from kiosk.ops.install import install
from kiosk.settings import ConfigError
from kiosk.settings.loader import load_config
from tests.admin.as_user import TEST_GID, TEST_UID, as_user, shared_dir

KIOSK = Path(sys.executable).with_name("kiosk")
PIN = "482915"


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
    assert stat.S_IMODE((etc / "secrets.toml").stat().st_mode) == 0o640
    rules = (root / "etc/udev/rules.d/70-kiosk.rules").read_text(encoding="utf-8")
    assert 'ATTR{idVendor}=="0fe6", ATTR{idProduct}=="811e"' in rules and "@" not in rules
    assert os.access(root / "opt/kiosk/bin/kiosk-session", os.X_OK)
    assert os.access(root / "opt/kiosk/bin/kiosk-session-stop", os.X_OK)  # the unit's ExecStop
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


# ------------------------------------------------------------------ one rule for owners and modes (issue 20)
def _owner_and_mode(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def _load_as_kiosk(etc: Path) -> str:
    """What the app, running as the kiosk user, gets from the installed files."""

    def load() -> str:
        try:
            config = load_config(etc / "terminal.toml", etc / "secrets.toml", environ={}, staff_file=None)
        except ConfigError as exc:
            return "refused: " + "; ".join(map(str, exc.problems))
        return config.admin.pin_hash.get_secret_value() or "no pin"

    return as_user(load, TEST_UID, TEST_GID)


def test_install_load_set_pin_load_as_the_kiosk_user() -> None:
    """Installed secrets were 640 and refused by the loader (it wanted 600); set-pin as root then
    rewrote them 600 root:root, which the kiosk user cannot read: an installed terminal never started."""
    with shared_dir() as shared:
        root = shared / "root"
        install(root, config_group=TEST_GID)
        etc = root / "etc" / "kiosk"
        assert _owner_and_mode(etc) == (0, TEST_GID, 0o750)
        assert _owner_and_mode(etc / "terminal.toml") == (0, TEST_GID, 0o640)
        assert _owner_and_mode(etc / "secrets.toml") == (0, TEST_GID, 0o640)
        # the technician fills in the terminal's file (the same file: owner and mode stay)
        (etc / "terminal.toml").write_text(
            '[terminal]\nid = "LJ-ZZ-07"\nname = "自助终端 07"\n', encoding="utf-8"
        )
        assert _load_as_kiosk(etc) == "no pin"

        done = subprocess.run(
            [str(KIOSK), "admin", "set-pin", "--stdin", "--secrets", str(etc / "secrets.toml")],
            input=PIN + "\n",
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert _owner_and_mode(etc / "secrets.toml") == (0, TEST_GID, 0o640)  # kept, whoever ran it
        assert stat.S_IMODE((etc / "secrets.toml.bak").stat().st_mode) == 0o600
        assert "# [backend]" in (etc / "secrets.toml").read_text(encoding="utf-8")  # the template's comments
        pin_hash = _load_as_kiosk(etc)
        assert verify_pin(PIN, pin_hash)

        # another user on the machine reads nothing
        def other() -> str:
            try:
                (etc / "secrets.toml").read_bytes()
            except PermissionError:
                return "denied"
            return "read"

        assert as_user(other, TEST_UID + 1, TEST_GID + 1) == "denied"


def test_an_upgrade_repairs_owners_and_modes_and_keeps_staff_settings(tmp_path: Path) -> None:
    root = tmp_path / "root"
    install(root, config_group=TEST_GID)
    etc = root / "etc" / "kiosk"
    secrets = etc / "secrets.toml"
    secrets.write_text('[backend]\nterminal_secret = "s3cret-of-07"\n', encoding="utf-8")
    os.chown(secrets, 0, 0)
    os.chmod(secrets, 0o600)  # what an older set-pin left behind
    staff = root / "var" / "lib" / "kiosk" / "staff.toml"
    staff.write_text("# 工作人员修改\n[timeouts]\nidle_seconds = 90\n", encoding="utf-8")
    before = staff.read_bytes()

    report = install(root, config_group=TEST_GID)
    assert _owner_and_mode(secrets) == (0, TEST_GID, 0o640)
    assert "s3cret-of-07" in secrets.read_text(encoding="utf-8")
    assert f"/etc/kiosk/secrets.toml root:{TEST_GID} 0640" in report.summary()
    assert staff.read_bytes() == before
