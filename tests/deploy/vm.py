"""The terminal image (scripts/image.sh) booted under QEMU, driven from outside as a person would.

QEMU's own emulation (TCG) is used: on these machines ``/dev/kvm`` exists but a guest hangs under
KVM. The VM has a portrait 1080x1920 virtio display, a USB tablet (touch), a PS/2 keyboard and
QEMU's guest agent port. From the host:

* QMP (QEMU's monitor protocol): ``screendump`` takes what the display shows, ``send-key`` types
  on the virtual keyboard, ``input-send-event`` touches the tablet;
* the guest agent (qemu-guest-agent in the image, started only when a VM gives it its port): runs a
  command in the guest, to ask systemd about kiosk.service or to kill the app.

``python -m tests.deploy.vm [--runs N]`` configures a terminal in the image, reboots it N times and
prints the time to the attract screen (kiosk.service active: the app sent READY=1 after its first
frame) with a screenshot of each. The checks themselves are tests/deploy/test_vm.py.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("KIOSK_CI_CACHE", "/var/cache/kiosk-ci"))
WIDTH, HEIGHT = 1080, 1920


class VmError(Exception):
    """The VM did not do what was asked in time; the message says what and where its logs are."""


def build_image() -> Path:
    """The image's folder: scripts/image.sh builds it, or finds it unchanged."""
    run = subprocess.run(
        ["bash", str(REPO / "scripts" / "image.sh")], capture_output=True, text=True, timeout=3000
    )
    sys.stderr.write(run.stderr)
    if run.returncode != 0:
        raise VmError(f"scripts/image.sh failed:\n{run.stderr[-3000:]}")
    return Path(run.stdout.strip().splitlines()[-1])


def ensure_qemu() -> None:
    if shutil.which("qemu-system-x86_64") is None or shutil.which("qemu-img") is None:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "qemu-system-x86", "qemu-utils"],
            check=True,
            capture_output=True,
            env=env,
        )


class _JsonLines:
    """One JSON object a line over a Unix socket (QMP and the guest agent both speak this)."""

    def __init__(self, path: Path, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(path))
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise VmError(f"no socket at {path}") from None
                time.sleep(0.2)
        self.buf = b""

    def send(self, obj: dict[str, Any]) -> None:
        self.sock.sendall(json.dumps(obj).encode() + b"\n")

    def recv(self, timeout: float) -> dict[str, Any]:
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise VmError("the VM closed the socket")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        self.sock.close()


class Qmp(_JsonLines):
    def __init__(self, path: Path) -> None:
        super().__init__(path, 30)
        self.recv(30)  # greeting
        self.command("qmp_capabilities")

    def command(self, name: str, **arguments: Any) -> Any:
        self.send({"execute": name, "arguments": arguments} if arguments else {"execute": name})
        while True:
            reply = self.recv(120)
            if "event" in reply:
                continue
            if "error" in reply:
                raise VmError(f"QMP {name}: {reply['error']}")
            return reply.get("return")


class Vm:
    """One boot of the image; ``with Vm(image, workdir) as vm:`` stops QEMU at the end."""

    def __init__(
        self,
        image: Path,
        workdir: Path,
        memory_mb: int = 3072,
        cpus: int = 2,
        *,
        persistent: bool = False,
        guestfwd: tuple[str, ...] = (),
        extra: tuple[str, ...] = (),
    ) -> None:
        """``persistent``: the guest's writes go to a copy-on-write layer in ``workdir`` that lives as
        long as this VM (reboots keep them; the image itself is never changed), instead of being
        dropped at once. ``guestfwd``: QEMU ``guestfwd=`` rules, the only ways out of the VM's
        network. ``extra``: more QEMU arguments (devices)."""
        self.image = image
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.memory_mb = memory_mb
        self.cpus = cpus
        self.persistent = persistent
        self.guestfwd = guestfwd
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None
        self.qmp: Qmp | None = None
        self.started = 0.0

    # ---- life cycle
    def start(self) -> None:
        d = self.dir
        for name in ("qmp.sock", "qmp-look.sock", "qga.sock"):
            (d / name).unlink(missing_ok=True)
        drive = f"file={self.image / 'disk.raw'},format=raw,if=virtio,snapshot=on"
        if self.persistent:
            layer = d / "layer.qcow2"
            layer.unlink(missing_ok=True)
            subprocess.run(
                ["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", str(self.image / "disk.raw"),
                 str(layer)],
                check=True,
            )  # fmt: skip
            drive = f"file={layer},format=qcow2,if=virtio"
        nic = "user,model=virtio-net-pci,restrict=on" + "".join(f",guestfwd={g}" for g in self.guestfwd)
        cmd = [
            "qemu-system-x86_64",
            "-accel", "tcg",
            "-machine", "q35",
            "-cpu", "max",
            "-smp", str(self.cpus),
            "-m", str(self.memory_mb),
            "-kernel", str(self.image / "vmlinuz"),
            "-initrd", str(self.image / "initrd.img"),
            "-append", "root=LABEL=kiosk-root rw console=ttyS0 systemd.show_status=1",
            # the image is never changed: writes go to a layer of this VM's
            "-drive", drive,
            "-device", f"virtio-vga,xres={WIDTH},yres={HEIGHT}",
            "-display", "none",
            "-device", "qemu-xhci",
            "-device", "usb-tablet",
            "-device", "virtio-serial-pci",
            "-chardev", f"socket,id=qga,path={d / 'qga.sock'},server=on,wait=off",
            "-device", "virtserialport,chardev=qga,name=org.qemu.guest_agent.0",
            "-qmp", f"unix:{d / 'qmp.sock'},server=on,wait=off",
            # a second monitor for a person looking in while a test runs (QMP takes one client)
            "-qmp", f"unix:{d / 'qmp-look.sock'},server=on,wait=off",
            "-serial", f"file:{d / 'serial.log'}",
            # a network with no way out of QEMU (restrict=on): DHCP for the guest, and the host
            # services that guestfwd rules name, nothing else
            "-nic", nic,
            *self.extra,
        ]  # fmt: skip
        self.started = time.monotonic()
        with open(d / "qemu.log", "wb") as log:  # QEMU keeps its own copy of the descriptor
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        self.qmp = Qmp(d / "qmp.sock")

    def stop(self) -> None:
        if self.qmp is not None:
            with contextlib.suppress(Exception):
                self.qmp.command("quit")
            self.qmp.close()
            self.qmp = None
        if self.proc is not None:
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def __enter__(self) -> Vm:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # ---- the screen and the keyboard
    def screenshot(self, path: Path) -> Path:
        assert self.qmp is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        self.qmp.command("screendump", filename=str(path), format="png")
        return path

    def send_keys(self, *qcodes: str) -> None:
        """Press the keys together and let go (QMP send-key: what a keyboard on the VM would send)."""
        assert self.qmp is not None
        self.qmp.command(
            "send-key", keys=[{"type": "qcode", "data": k} for k in qcodes], **{"hold-time": 100}
        )

    def move(self, x: int, y: int) -> None:
        """The tablet's pointer to screen pixel (x, y), no button pressed.

        Found in the VM (issue 20): after cage starts, it gives Xwayland a pointer only when the
        tablet's first event arrives, and that first event's press is lost: Xwayland is sent the
        release alone (WAYLAND_DEBUG=server: wl_seat capabilities from keyboard to keyboard+pointer,
        get_pointer, enter at the screen's centre, then button 272 released), though the guest's
        kernel had the press. A press after any earlier event arrives. So a test's first touch
        after a start is preceded by a move, as a mouse would be."""
        assert self.qmp is not None
        ax, ay = x * 0x7FFF // (WIDTH - 1), y * 0x7FFF // (HEIGHT - 1)
        move = [
            {"type": "abs", "data": {"axis": "x", "value": ax}},
            {"type": "abs", "data": {"axis": "y", "value": ay}},
        ]
        self.qmp.command("input-send-event", events=move)

    def press(self, x: int, y: int) -> None:
        """A finger down on the USB tablet at screen pixel (x, y), until :meth:`release`."""
        assert self.qmp is not None
        self.move(x, y)
        self.qmp.command(
            "input-send-event", events=[{"type": "btn", "data": {"down": True, "button": "left"}}]
        )

    def release(self) -> None:
        assert self.qmp is not None
        self.qmp.command(
            "input-send-event", events=[{"type": "btn", "data": {"down": False, "button": "left"}}]
        )

    def touch(self, x: int, y: int, hold: float = 0.15) -> None:
        """A tap on the USB tablet at screen pixel (x, y), held ``hold`` seconds."""
        self.press(x, y)
        time.sleep(hold)
        self.release()

    # ---- the guest agent
    def guest(self, *argv: str, timeout: float = 60) -> tuple[int, str]:
        """Run argv in the guest as root; (exit code, stdout+stderr)."""
        agent = _JsonLines(self.dir / "qga.sock", 10)
        try:
            sync = int(time.monotonic() * 1000) % 2**31
            agent.send({"execute": "guest-sync", "arguments": {"id": sync}})
            while agent.recv(timeout).get("return") != sync:
                pass
            agent.send(
                {
                    "execute": "guest-exec",
                    "arguments": {"path": argv[0], "arg": list(argv[1:]), "capture-output": True},
                }
            )
            pid = self._answer(agent.recv(timeout), argv)["pid"]
            deadline = time.monotonic() + timeout
            while True:
                agent.send({"execute": "guest-exec-status", "arguments": {"pid": pid}})
                status = self._answer(agent.recv(timeout), argv)
                if status.get("exited"):
                    out = base64.b64decode(status.get("out-data", "")) + base64.b64decode(
                        status.get("err-data", "")
                    )
                    return int(status.get("exitcode", -1)), out.decode(errors="replace")
                if time.monotonic() > deadline:
                    raise VmError(f"guest command {argv} did not end within {timeout} s")
                time.sleep(0.3)
        finally:
            agent.close()

    def sh(self, script: str, timeout: float = 120) -> str:
        """Run a shell script in the guest as root; its output. A failure raises with the output."""
        code, out = self.guest("/bin/sh", "-c", script, timeout=timeout)
        if code != 0:
            raise VmError(f"guest script failed ({code}): {script[:200]}\n{out[-3000:]}")
        return out

    def write_file(self, path: str, data: bytes, mode: str = "0644", owner: str = "root:root") -> None:
        """Write a file in the guest (the guest agent's file calls, in chunks), then its owner and mode."""
        agent = _JsonLines(self.dir / "qga.sock", 10)
        try:
            agent.send({"execute": "guest-file-open", "arguments": {"path": path, "mode": "wb"}})
            handle = self._answer(agent.recv(60), ("open", path))
            for start in range(0, max(len(data), 1), 1 << 20):
                chunk = base64.b64encode(data[start : start + (1 << 20)]).decode()
                agent.send({"execute": "guest-file-write", "arguments": {"handle": handle, "buf-b64": chunk}})
                self._answer(agent.recv(120), ("write", path))
            agent.send({"execute": "guest-file-close", "arguments": {"handle": handle}})
            self._answer(agent.recv(60), ("close", path))
        finally:
            agent.close()
        self.sh(f"chown {owner} '{path}' && chmod {mode} '{path}'")

    def boot_id(self) -> str:
        return self.sh("cat /proc/sys/kernel/random/boot_id", timeout=10).strip()

    def wait_booted_again(self, old_boot_id: str, timeout: float = 900) -> None:
        """Until the guest agent answers from a boot other than ``old_boot_id`` (after a reboot)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise VmError(f"QEMU ended: {self.dir / 'qemu.log'}")
            with contextlib.suppress(VmError, OSError, KeyError, ValueError):
                if self.boot_id() != old_boot_id:
                    return
            time.sleep(2)
        raise VmError(f"the guest did not come back from its reboot in {timeout:.0f} s")

    @staticmethod
    def _answer(reply: dict[str, Any], argv: tuple[str, ...]) -> Any:
        if "return" not in reply:
            raise VmError(f"guest agent refused {argv}: {reply.get('error')}")
        return reply["return"]

    def guest_ready(self) -> bool:
        """Whether the guest agent answers (it starts early in the boot)."""
        try:
            return self.guest("/bin/true", timeout=5)[0] == 0
        except (VmError, OSError, KeyError, ValueError):
            return False

    def unit(self, name: str = "kiosk.service") -> dict[str, str]:
        _code, out = self.guest(
            "/bin/systemctl", "show", name, "-p", "ActiveState,SubState,MainPID,NRestarts,Result"
        )
        props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        return props

    def app_pid(self) -> int:
        """The kiosk app's pid (the python child of cage, not cage, whose command line names it too),
        0 if none."""
        code, out = self.guest(
            "/usr/bin/pgrep",
            "-u",
            "kiosk",
            "-f",
            "^/opt/kiosk/venv/bin/python[0-9.]* /opt/kiosk/venv/bin/kiosk run",
        )
        pids = [int(p) for p in out.split()]
        return pids[0] if code == 0 and pids else 0

    def wait_active(self, timeout: float, not_pid: str = "") -> dict[str, str]:
        """Until kiosk.service is active (READY=1: the app drew its first frame); its properties."""
        deadline = time.monotonic() + timeout
        last: dict[str, str] = {}
        while time.monotonic() < deadline:
            if not self.alive():
                raise VmError(f"QEMU ended: {self.dir / 'qemu.log'}")
            # the agent may go away mid-call (a reboot), its socket then giving no or half an answer
            with contextlib.suppress(VmError, OSError, KeyError, ValueError):
                last = self.unit()
                if last.get("ActiveState") == "active" and last.get("MainPID", "0") not in ("0", not_pid):
                    return last
            time.sleep(2)
        raise VmError(
            f"kiosk.service not active after {timeout:.0f} s (last: {last}); "
            f"serial: {self.dir / 'serial.log'}"
        )


def screens_alike(a: Path, b: Path, box: tuple[int, int, int, int] | None = None) -> float:
    """The share of pixels (0..1) that differ by more than a little between two screenshots, or
    between the same ``box`` (left, top, right, bottom) of each."""
    from PIL import Image, ImageChops

    with Image.open(a) as ia, Image.open(b) as ib:
        la, lb = ia.convert("L"), ib.convert("L")
        if box is not None:
            la, lb = la.crop(box), lb.crop(box)
        diff = ImageChops.difference(la, lb).point(lambda v: 255 if v > 24 else 0)
        return sum(diff.histogram()[255:]) / (diff.width * diff.height)


# Keys a person at a keyboard plugged into the terminal would try to leave the app (QMP qcodes).
ESCAPES = {
    "F1": ("f1",),
    "Escape": ("esc",),
    "Alt+F4": ("alt", "f4"),
    "Ctrl+Alt+Del": ("ctrl", "alt", "delete"),
    "Ctrl+Alt+F2": ("ctrl", "alt", "f2"),
}


def check_keys(vm: Vm, shots: Path) -> list[str]:
    """Each escape key changes nothing: same screen, same app process, no restart. Problems found."""
    problems = []
    before_unit = vm.unit()
    before_pid = vm.app_pid()
    reference = vm.screenshot(shots / "keys-before.png")
    for name, keys in ESCAPES.items():
        vm.send_keys(*keys)
        time.sleep(5)
        shot = vm.screenshot(shots / f"keys-after-{name.replace('+', '-')}.png")
        changed = screens_alike(reference, shot)
        unit = vm.unit()
        if changed > 0.02:
            problems.append(f"{name}: {changed:.1%} of the screen changed")
        if vm.app_pid() != before_pid or unit.get("MainPID") != before_unit.get("MainPID"):
            problems.append(f"{name}: the app was restarted or replaced ({unit})")
        if unit.get("ActiveState") != "active":
            problems.append(f"{name}: kiosk.service is {unit.get('ActiveState')}")
    return problems


def check_restart(vm: Vm, shots: Path, timeout: float = 600) -> float:
    """SIGKILL the app: systemd starts it again; seconds until it is back (READY=1)."""
    before = vm.unit()
    pid = vm.app_pid()
    if not pid:
        raise VmError("no app process to kill")
    vm.guest("/bin/kill", "-KILL", str(pid))
    killed = time.monotonic()
    after = vm.wait_active(timeout, not_pid=before["MainPID"])
    seconds = time.monotonic() - killed
    if int(after.get("NRestarts", "0")) <= int(before.get("NRestarts", "0")):
        raise VmError(f"kiosk.service came back without a restart being counted: {before} -> {after}")
    time.sleep(5)
    vm.screenshot(shots / "restarted-attract.png")
    return seconds


@contextlib.contextmanager
def _tmpdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="kiosk-vm-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def main() -> int:
    """The boot-time benchmark: one terminal configured as a technician would (the whole set-up
    of tests/deploy/terminal_vm.py), then rebooted N times, each timed to the attract screen."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="reboots to time (default 3)")
    parser.add_argument("--image", type=Path, help="an image folder (default: scripts/image.sh's)")
    args = parser.parse_args()
    from tests.deploy.terminal_vm import running_terminal

    ensure_qemu()
    image = args.image or build_image()
    shots = Path(os.environ.get("KIOSK_ARTIFACTS", REPO / "artifacts")) / "vm"
    times = []
    with _tmpdir() as tmp, running_terminal(image, tmp, shots) as terminal:
        print(f"first boot: guest agent after {terminal.first_boot_seconds:.1f} s; configured")
        for i in range(args.runs):
            seconds = terminal.reboot()
            times.append(seconds)
            time.sleep(5)
            terminal.shot(f"boot-{i + 1}-attract")
            print(f"reboot {i + 1}: attract screen (kiosk.service active) after {seconds:.1f} s")
    print(f"median of {len(times)}: {statistics.median(times):.1f} s; screenshots in {shots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
