"""A configured terminal in QEMU and the world around it, for tests/deploy/test_vm.py.

The image (scripts/image.sh) is a terminal as `kiosk install` leaves it: not yet configured. This
module plays everything outside the VM:

* the e-certificate backend: the reference server on the host over HTTPS, with a certificate for
  the address the guest uses (10.0.2.100, pinned in the guest's terminal.toml as its CA);
* the receipt printer: tests/printer's fake ESC/POS printer on a host TCP port, reached from the
  guest as a network printer at 10.0.2.101:9100 (its bytes decode back into the receipt's image);
* the ID card reader: QEMU's USB CCID reader (usb-ccid, USB id 08e6:4433), driven in the guest by
  Debian's pcscd and libccid exactly like a real reader; the card is served from the host
  (tests/deploy/vscard.py) with the vpcd tests' vendor-SAM applet;
* the technician: the first visit copies the release (source tarball and wheel) into the guest,
  runs `kiosk install` with the terminal's USB ids, writes terminal.toml, the secrets and the PIN
  with `kiosk admin set-pin`, and restarts the terminal.

The guest's network has no way out (``restrict=on``); ``guestfwd`` rules open exactly the two
services above, each connection relayed by tests/deploy/relay.py.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from drivers.card import encode_text_block, load_demo_identities
from kiosk.wiring.backend import EmbeddedServer, start_embedded_refserver
from tests.deploy.vm import REPO, Vm, VmError
from tests.deploy.vscard import PassthruCard
from tests.printer.fake_printer import FakePrinter
from tests.support.pcsc import vendor_sam_applet

TERMINAL_ID = "LJ-VM-01"  # the VM's terminal, known to the host's reference server only
BACKEND_IP, BACKEND_PORT = "10.0.2.100", 8443
PRINTER_IP, PRINTER_PORT = "10.0.2.101", 9100
CCID_USB = "08e6:4433"  # QEMU's usb-ccid (it presents itself as a Gemalto GemPC433)
TABLET_USB = "0627:0001"  # QEMU's usb-tablet: the touch screen
PIN = "246810"
IDENTITY = "elder"  # the fictitious demo person whose card is read (config/demo_identities.toml)
SCREEN = (1080, 1920)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def make_tls(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the backend's address as the guest sees it (openssl)."""
    cert, key = folder / "backend.pem", folder / "backend.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "3", "-subj", f"/CN={BACKEND_IP}",
         "-addext", f"subjectAltName=IP:{BACKEND_IP}", "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def release(folder: Path, version_suffix: str = "") -> tuple[Path, Path]:
    """The committed source as a release tarball, and its wheel (``version_suffix``: an upgrade)."""
    src = folder / f"src{version_suffix}"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=REPO, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    if version_suffix:
        pyproject = src / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8")
        start = text.index('version = "') + len('version = "')
        end = text.index('"', start)
        pyproject.write_text(text[:end] + version_suffix + text[end:], encoding="utf-8")
    wheels = folder / f"wheels{version_suffix}"
    shutil.rmtree(wheels, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels),
         str(src)],
        check=True, capture_output=True,
    )  # fmt: skip
    tarball = folder / f"kiosk-release{version_suffix}.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(src, arcname="kiosk")
    wheel = next(wheels.glob("*.whl"))
    return tarball, wheel


@dataclass
class Terminal:
    """The VM and the host services it talks to."""

    vm: Vm
    server: EmbeddedServer
    printer: FakePrinter
    card: PassthruCard | None
    ccid_port: int
    work: Path
    shots: Path
    points: dict[str, list[int]]
    text_block: bytes
    first_boot_seconds: float = 0.0
    install_log: str = ""

    # ---- the citizen
    def insert_card(self) -> None:
        if self.card is None:
            self.card = PassthruCard("127.0.0.1", self.ccid_port)
        self.card.insert(vendor_sam_applet(self.text_block))

    def remove_card(self) -> None:
        if self.card is not None:
            self.card.remove()

    def tap(self, name: str, hold: float = 0.15, lower: int = 0) -> None:
        """A touch where the layout probe found ``name``, ``lower`` px lower (a page whose rows
        moved down, as the admin page's do with its status lines)."""
        x, y = self.points[name]
        # the finger comes over the spot first: a press that is the tablet's first event in a while
        # can reach the app without its press (Vm.move), and the 超时 tab's + was missed so
        self.vm.move(x, y + lower)
        time.sleep(0.5)
        self.vm.touch(x, y + lower, hold=hold)
        time.sleep(1.0)

    def shot(self, name: str) -> Path:
        return self.vm.screenshot(self.shots / f"{name}.png")

    # ---- the technician
    def install(self, tarball: Path, wheel: Path) -> str:
        """Copy a release into the guest and run `kiosk install` from it, as deploy/README says."""
        vm = self.vm
        vm.sh("rm -rf /var/tmp/kiosk-release && mkdir -p /var/tmp/kiosk-release")
        vm.write_file(f"/var/tmp/kiosk-release/{tarball.name}", tarball.read_bytes())
        vm.write_file(f"/var/tmp/kiosk-release/{wheel.name}", wheel.read_bytes())
        return vm.sh(
            f"""set -e
cd /var/tmp/kiosk-release && tar -xzf {tarball.name} && cd kiosk
PIP_NO_INDEX=1 PYTHONPATH=. /opt/kiosk/venv/bin/python \\
  -c 'import sys; from kiosk.cli import main; sys.exit(main())' \\
  install --wheel /var/tmp/kiosk-release/{wheel.name} --reader-usb {CCID_USB} --touch-usb {TABLET_USB}
rm -rf /var/tmp/kiosk-release""",
            timeout=900,
        )

    def configure(self, cert: Path) -> None:
        """terminal.toml, the backend's CA, the secrets and the PIN: a technician's first visit."""
        vm = self.vm
        issuer_keys = "\n".join(f'"{k}" = "{v}"' for k, v in sorted(self.server.issuer_keys.items()))
        terminal = f"""# the VM test's terminal (tests/deploy/terminal_vm.py)
[terminal]
id = "{TERMINAL_ID}"
name = "自助终端 VM"
location = "虚拟机测试"

[display]
fullscreen = true

[backend]
url = "https://{BACKEND_IP}:{BACKEND_PORT}"
ca_file = "/etc/kiosk/backend-ca.pem"

[backend.issuer_keys]
{issuer_keys}

# the centre's seal CA: the certificates' OFD files are shown as issued and 验章通过 only for seals
# that chain to it (the reference server's demo CA here)
[trust]
ofd_seal_anchors = ["/etc/kiosk/seal-ca.pem"]

[devices.card_reader]
kind = "pcsc"
reader_name_contains = "CCID"

[devices.camera]
kind = "opencv"

# the VM has no camera: no face check (人证核验), as on a terminal whose centre has staff check the
# holder in person (the face check has its own tests: tests/face)
[face]
required = "never"

[devices.printer]
kind = "network"
host = "{PRINTER_IP}"
port = {PRINTER_PORT}

[paths]
state_dir = "/var/lib/kiosk"

[ops]
metrics_port = 9101
"""
        vm.write_file("/etc/kiosk/terminal.toml", terminal.encode(), "0640", "root:kiosk")
        vm.write_file("/etc/kiosk/backend-ca.pem", cert.read_bytes(), "0644", "root:root")
        seal_ca = "".join(self.server.ofd_anchors).encode()
        vm.write_file("/etc/kiosk/seal-ca.pem", seal_ca, "0644", "root:root")
        secrets = f'[backend]\nterminal_secret = "{self.server.secret}"\n'
        vm.write_file("/etc/kiosk/secrets.toml", secrets.encode(), "0640", "root:kiosk")
        vm.sh(f"echo {PIN} | /opt/kiosk/venv/bin/kiosk admin set-pin --stdin")
        vm.sh("/opt/kiosk/venv/bin/kiosk config check /etc/kiosk/terminal.toml")

    def stop_app(self) -> None:
        """Stop the terminal (and the out-of-service page an unconfigured one ends on)."""
        self.vm.sh("systemctl stop kiosk.service kiosk-unavailable.service", timeout=120)

    def restart_app(self) -> dict[str, str]:
        """Start the terminal afresh (its failed starts forgotten); its unit once active."""
        self.stop_app()
        self.vm.sh("systemctl reset-failed kiosk.service; systemctl start --no-block kiosk.service")
        return self.vm.wait_active(600)

    def reboot(self, hard: bool = False, meanwhile: Callable[[], None] | None = None) -> float:
        """Reboot the guest (``hard``: QEMU's reset, like the power button held); seconds until the
        attract screen is up again (kiosk.service active: READY=1 after the first drawn frame)."""
        old = self.vm.boot_id()
        started = time.monotonic()
        if hard:
            assert self.vm.qmp is not None
            self.vm.qmp.command("system_reset")
        else:
            # the guest agent is stopped by the reboot it runs, maybe before it answers: the new boot
            # id below is what says the reboot happened
            with contextlib.suppress(VmError, OSError, ValueError):
                self.vm.guest("/bin/systemctl", "reboot", timeout=30)
        if meanwhile is not None:
            meanwhile()  # while the guest starts again (e.g. the citizen takes the card)
        self.vm.wait_booted_again(old)
        self.vm.wait_active(900)
        return time.monotonic() - started

    def guest_metric(self, name: str) -> str:
        script = (
            "import urllib.request;"
            "print(urllib.request.urlopen('http://127.0.0.1:9101/metrics', timeout=10).read().decode())"
        )
        out = self.vm.sh(f'/opt/kiosk/venv/bin/python -c "{script}"')
        return "\n".join(line for line in out.splitlines() if line.startswith(name))


def probe_points(pin: str, identity: str, shots: Path) -> dict[str, list[int]]:
    """Where to touch (tests/deploy/layout_probe.py), in a process of its own; its admin page is
    saved as ``shots``/probe-admin.png."""
    size = f"{SCREEN[0]}x{SCREEN[1]}"
    run = subprocess.run(
        [sys.executable, "-m", "tests.deploy.layout_probe", size, pin, identity, str(shots)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if run.returncode != 0:
        raise VmError(f"layout probe failed:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}")
    points: dict[str, list[int]] = json.loads(run.stdout.strip().splitlines()[-1])
    return points


def card_text_block(identity: str) -> bytes:
    """The text block a vendor-SAM reader hands over for the demo person ``identity``."""
    path = REPO / "config" / "demo_identities.toml"
    keys = [entry["key"] for entry in tomllib.loads(path.read_text(encoding="utf-8"))["identity"]]
    return encode_text_block(load_demo_identities(path)[keys.index(identity)])


def _first_boot(vm: Vm) -> None:
    """Start the VM until its guest agent answers; once more if the first boot stalled.

    QEMU's emulation (TCG, two vCPUs) now and then stalls a guest early in its boot, the kernel's
    RCU reporting a vCPU that never wakes (seen once, on a busy host, 4 s into the kernel's start).
    That is the emulator's, not the terminal's: the guest is started again, once, from the same
    image (its writes go to a fresh layer). Its first boot normally answers in 1-3 minutes."""
    for attempt, wait in ((1, 480), (2, 900)):
        vm.start()
        deadline = time.monotonic() + wait
        while not vm.guest_ready():
            if time.monotonic() > deadline or not vm.alive():
                break
            time.sleep(2)
        else:
            return
        serial = vm.dir / "serial.log"
        if attempt == 2:
            raise VmError(f"the guest agent never answered; serial: {serial}")
        tail = serial.read_text(errors="replace")[-1500:] if serial.exists() else ""
        print(f"the guest's first boot stalled after {wait} s; starting it again. serial:\n{tail}")
        vm.stop()


@contextlib.contextmanager
def running_terminal(image: Path, work: Path, shots: Path) -> Iterator[Terminal]:
    """The host services, the VM booted, the technician's first visit done, the app up."""
    work.mkdir(parents=True, exist_ok=True)
    cert, key = make_tls(work)
    points = probe_points(PIN, IDENTITY, shots)
    tarball, wheel = release(work)
    relay = REPO / "tests" / "deploy" / "relay.py"
    with contextlib.ExitStack() as stack:
        server = start_embedded_refserver(work / "server", TERMINAL_ID, tls=(cert, key))
        stack.callback(server.stop)
        server_port = server.url.rsplit(":", 1)[1]
        printer = FakePrinter()
        stack.callback(printer.close)
        ccid_port = free_port()
        vm = Vm(
            image,
            work / "vm",
            persistent=True,
            guestfwd=(
                f"tcp:{BACKEND_IP}:{BACKEND_PORT}-cmd:{sys.executable} {relay} 127.0.0.1 {server_port}",
                f"tcp:{PRINTER_IP}:{PRINTER_PORT}-cmd:{sys.executable} {relay} 127.0.0.1 {printer.port}",
            ),
            extra=(
                "-chardev", f"socket,id=ccid,host=127.0.0.1,port={ccid_port},server=on,wait=off",
                "-device", "usb-ccid,id=ccid0",
                "-device", "ccid-card-passthru,chardev=ccid",
            ),
        )  # fmt: skip
        stack.callback(vm.stop)
        terminal = Terminal(
            vm, server, printer, None, ccid_port, work, shots, points, card_text_block(IDENTITY)
        )
        stack.callback(lambda: terminal.card.close() if terminal.card is not None else None)
        _first_boot(vm)
        terminal.first_boot_seconds = vm.elapsed()
        terminal.stop_app()  # unconfigured, it refuses to start and ends on the out-of-service page
        terminal.install_log = terminal.install(tarball, wheel)
        terminal.configure(cert)
        terminal.restart_app()
        yield terminal
