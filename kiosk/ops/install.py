"""Install or upgrade the terminal's system files: ``kiosk install [--root DIR]``.

What an install writes (all under ``root``, "/" on a real terminal):

* /etc/systemd/system/kiosk.service, kiosk-unavailable.service — the app in cage, the fallback page
* /etc/udev/rules.d/70-kiosk.rules — reader, camera and printer access (USB ids filled in)
* /etc/logrotate.d/kiosk, /etc/systemd/logind.conf.d/kiosk.conf, /etc/sysctl.d/90-kiosk.conf
* /etc/usbguard/rules.conf — only the terminal's own USB devices; ctrl-alt-del.target masked and
  /etc/systemd/system.conf.d/kiosk.conf (kiosk.ops.lockdown)
* /opt/kiosk/bin/kiosk-session, kiosk-session-stop, kiosk-unavailable — the launchers;
  /opt/kiosk/deploy/README.md
* /etc/kiosk/default.toml.dist — the defaults this version ships (reference only, always replaced)
* /etc/kiosk/terminal.toml and secrets.toml — created ONLY IF MISSING: an upgrade never touches the
  terminal's own configuration or secrets (their contents; owners and modes are set to the rule of
  kiosk.settings.ownership every time: /etc/kiosk root:kiosk 0750, both files root:kiosk 0640)
* /var/lib/kiosk, /var/log/kiosk — state and logs; /var/lib/kiosk/staff.toml (what staff changed on
  the admin page) is the app's and is never touched

Files we own are replaced on upgrade (so a fix reaches every terminal); local changes belong in
systemd drop-ins, which are never touched. On the real root (and only there) the installer also
creates the ``kiosk`` user and groups, installs the Python package into /opt/kiosk/venv
(``--wheel``) and reloads systemd and udev.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import kiosk
from kiosk.ops.lockdown import MASKED_UNITS, SYSTEM_CONF, LockdownError, usb_id, usbguard_rules
from kiosk.settings import ownership

KEEP = ("etc/kiosk/terminal.toml", "etc/kiosk/secrets.toml")
CONFIG_FILES = KEEP
SECRETS_TEMPLATE = (
    "# /etc/kiosk/secrets.toml (owner root, group kiosk, mode 640): terminal secret, staff PIN hash.\n"
    '# [backend]\n# terminal_secret = "..."\n# [admin]\n# pin_hash = "..."   # kiosk admin set-pin\n'
    '# [receipt]\n# code_key = "..."   # key of the receipt check code: its own, never the terminal secret\n'
)


class InstallError(Exception):
    """A clear reason the install cannot go on (bad option, missing deploy files)."""


@dataclass
class InstallReport:
    root: Path
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    owned: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"installed into {self.root}"]
        lines += [f"  wrote   {p}" for p in self.written]
        lines += [f"  created {p}" for p in self.created]
        lines += [f"  kept    {p} (terminal configuration, not touched)" for p in self.kept]
        lines += [f"  set     {p}" for p in self.owned]
        lines += [f"  ran     {c}" for c in self.commands]
        lines += [f"  WARNING {w}" for w in self.warnings]
        return "\n".join(lines)


def deploy_dir() -> Path:
    """The deploy/ folder of the source tree or release tarball this package came from."""
    here = Path(kiosk.__file__).resolve().parent.parent / "deploy"
    if not (here / "systemd" / "kiosk.service").is_file():
        raise InstallError(f"deploy files not found in {here}: run from a source checkout or release tarball")
    return here


def _usb(value: str, what: str) -> tuple[str, str]:
    try:
        vid, pid = usb_id(value, what).split(":")
    except LockdownError as exc:
        raise InstallError(str(exc)) from None
    return vid, pid


def _write(report: InstallReport, rel: str, data: bytes, mode: int) -> None:
    target = report.root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.new")
    tmp.write_bytes(data)
    os.chmod(tmp, mode)
    os.replace(tmp, target)  # a crash mid-upgrade leaves the old file or the new one, never half
    report.written.append("/" + rel)


def install(
    root: Path,
    *,
    source: Path | None = None,
    printer_usb: str = "0416:5011",
    camera_usb: str = "0c45:6366",
    reader_usb: str | None = None,
    touch_usb: str | None = None,
    allow_usb: tuple[str, ...] = (),
    wheel: Path | None = None,
    config_group: int | None = None,
) -> InstallReport:
    """Install (or upgrade over) ``root``. Idempotent; keeps terminal.toml and secrets.toml.

    ``config_group``: the group id /etc/kiosk is given to; on the real root the kiosk group (created
    here), elsewhere none unless given (tests pass a test group).
    """
    src = source or deploy_dir()
    report = InstallReport(Path(root))
    pv, pp = _usb(printer_usb, "--printer-usb")
    cv, cp = _usb(camera_usb, "--camera-usb")
    real_root = Path(root).resolve() == Path("/")

    units = ("kiosk.service", "kiosk-unavailable.service")
    for unit in units:
        _write(report, f"etc/systemd/system/{unit}", (src / "systemd" / unit).read_bytes(), 0o644)
    rules = (src / "udev" / "70-kiosk.rules").read_text(encoding="utf-8")
    for key, value in {
        "@PRINTER_VENDOR@": pv,
        "@PRINTER_PRODUCT@": pp,
        "@CAMERA_VENDOR@": cv,
        "@CAMERA_PRODUCT@": cp,
    }.items():
        rules = rules.replace(key, value)
    _write(report, "etc/udev/rules.d/70-kiosk.rules", rules.encode(), 0o644)
    _write(report, "etc/logrotate.d/kiosk", (src / "logrotate" / "kiosk").read_bytes(), 0o644)
    _write(
        report,
        "etc/systemd/logind.conf.d/kiosk.conf",
        (src / "etc" / "logind-kiosk.conf").read_bytes(),
        0o644,
    )
    _write(report, "etc/sysctl.d/90-kiosk.conf", (src / "etc" / "sysctl-kiosk.conf").read_bytes(), 0o644)
    _lock_down(report, printer_usb, camera_usb, reader_usb, touch_usb, allow_usb)
    for launcher in ("kiosk-session", "kiosk-session-stop", "kiosk-unavailable"):
        _write(report, f"opt/kiosk/bin/{launcher}", (src / "bin" / launcher).read_bytes(), 0o755)
    _write(report, "opt/kiosk/deploy/README.md", (src / "README.md").read_bytes(), 0o644)
    default = resources.files("config").joinpath("default.toml").read_bytes()
    _write(report, "etc/kiosk/default.toml.dist", default, 0o644)
    _write(report, "opt/kiosk/VERSION", f"{_version()}\n".encode(), 0o644)

    # modes and owners follow in own_config(), which applies the rule to kept files too
    example = (src / "etc" / "terminal.toml.example").read_text(encoding="utf-8")
    for rel, text in ((CONFIG_FILES[0], example), (CONFIG_FILES[1], SECRETS_TEMPLATE)):
        target = report.root / rel
        if target.exists():
            report.kept.append("/" + rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # no wider, even for a moment
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        report.created.append("/" + rel)

    for rel, mode in (
        ("var/lib/kiosk", 0o700),
        ("var/log/kiosk", 0o750),
        ("var/log/kiosk/diagnostics", 0o750),
    ):
        (report.root / rel).mkdir(parents=True, exist_ok=True)
        os.chmod(report.root / rel, mode)

    if real_root:
        _system_steps(report, wheel)
        config_group = ownership.kiosk_gid()
        if config_group is None:
            report.warnings.append(f"no '{ownership.GROUP}' group: the app cannot read /etc/kiosk")
    own_config(report, config_group)
    if real_root:
        _reload(report)
    return report


def own_config(report: InstallReport, gid: int | None) -> None:
    """/etc/kiosk and its two files to the ownership rule (kiosk.settings.ownership): root:kiosk,
    0750 and 0640. Also on an upgrade: it repairs a secrets file that an older ``set-pin`` left
    root:root 0600, which the app could not read. Without a group (a packaging root) modes only."""
    items = [("etc/kiosk", ownership.CONFIG_DIR_MODE)]
    items += [(rel, ownership.TERMINAL_FILE_MODE) for rel in CONFIG_FILES[:1]]
    items += [(rel, ownership.SECRETS_FILE_MODE) for rel in CONFIG_FILES[1:]]
    for rel, mode in items:
        target = report.root / rel
        if not target.exists():
            continue
        if gid is not None:
            os.chown(target, ownership.OWNER_UID, gid)
        os.chmod(target, mode)
        who = f"root:{gid}" if gid is not None else "(owner unchanged)"
        report.owned.append(f"/{rel} {who} {mode:04o}")


def _lock_down(
    report: InstallReport,
    printer: str,
    camera: str,
    reader: str | None,
    touch: str | None,
    extra: tuple[str, ...],
) -> None:
    """USB policy, Ctrl+Alt+Del (kiosk.ops.lockdown)."""
    devices = {"receipt printer": printer, "QR camera": camera, "card reader": reader, "touch screen": touch}
    try:
        rules, warnings = usbguard_rules(devices, extra)
    except LockdownError as exc:
        raise InstallError(str(exc)) from None
    _write(report, "etc/usbguard/rules.conf", rules.encode(), 0o600)  # usbguard wants it root-only
    report.warnings += warnings
    _write(report, "etc/systemd/system.conf.d/kiosk.conf", SYSTEM_CONF.encode(), 0o644)
    for unit in MASKED_UNITS:  # what `systemctl mask` does: the unit name points at /dev/null
        link = report.root / "etc/systemd/system" / unit
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to("/dev/null")
        report.written.append(f"/etc/systemd/system/{unit} -> /dev/null (masked)")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("liujiang-kiosk")
    except Exception:
        return "unknown"


def _run(report: InstallReport, cmd: list[str], check: bool = True) -> None:
    report.commands.append(" ".join(cmd))
    subprocess.run(cmd, check=check)


def _system_steps(report: InstallReport, wheel: Path | None) -> None:
    """Only on the real root: user and groups, the venv, the state and log directories' owner."""
    for group in ("kiosk-devices",):
        _run(report, ["groupadd", "-f", "--system", group])
    if subprocess.run(["id", "kiosk"], capture_output=True).returncode != 0:
        _run(
            report,
            [
                "useradd",
                "--system",
                "--create-home",
                "--home-dir",
                "/var/lib/kiosk-home",
                "--shell",
                "/usr/sbin/nologin",
                "kiosk",
            ],
        )
    _run(report, ["usermod", "-a", "-G", "video,input,render,lp,dialout,kiosk-devices", "kiosk"], check=False)
    venv = Path("/opt/kiosk/venv")
    if wheel is not None:
        if not venv.exists():
            _run(report, [sys.executable, "-m", "venv", str(venv)])
        _run(report, [str(venv / "bin" / "pip"), "install", "--upgrade", str(wheel)])
    _run(report, ["chown", "-R", "kiosk:kiosk", "/var/lib/kiosk", "/var/log/kiosk"])


def _reload(report: InstallReport) -> None:
    """Only on the real root, after the files are in place and owned."""
    _run(report, ["systemctl", "daemon-reload"], check=False)
    _run(report, ["udevadm", "control", "--reload"], check=False)
    _run(report, ["sysctl", "--system"], check=False)
    if shutil.which("systemctl"):
        _run(report, ["systemctl", "enable", "kiosk.service"], check=False)
        # a new USB policy (other device ids) applies now, not at the next boot: USBGuard reads its
        # rules only when it starts, and re-judges the devices already plugged in then
        _run(report, ["systemctl", "try-restart", "usbguard.service"], check=False)
