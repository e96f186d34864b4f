"""Real PC/SC for tests and benches: a private ``pcscd --foreground`` and virtual cards on vpcd.

testing.md recipe: vsmartcard-vpcd adds two readers (``Virtual PCD 00 00`` / ``00 01``) that wait for a
card on TCP (port from /etc/reader.conf.d/vpcd, reader 1 on port + 1). The virtual card is the TCP
client: connecting = inserting, closing = removing. Every message is a 2-byte big-endian length and a
payload; 1-byte payloads are control codes (00 off, 01 on, 02 reset, 04 get ATR). ``TCP_QUICKACK`` is
set again after every ``recv()`` or each APDU costs 40 ms (Nagle + delayed ACK).

pcscd is started and stopped by PID. One that we started earlier and left behind (its PID is in our PID
file) is stopped first; a pcscd we did not start is used as it is and never stopped.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

PID_FILE = Path(tempfile.gettempdir()) / "kiosk-tests-pcscd.pid"
VPCD_CONF = Path("/etc/reader.conf.d/vpcd")
DEFAULT_VPCD_PORT = 35963
READER_0 = "Virtual PCD 00 00"
READER_1 = "Virtual PCD 00 01"


def vpcd_port() -> int:
    """The vpcd TCP port: CHANNELID in its reader.conf (0x8C7B = 35963 on Debian)."""
    try:
        text = VPCD_CONF.read_text()
    except OSError:
        return DEFAULT_VPCD_PORT
    match = re.search(r"^\s*CHANNELID\s+(0x[0-9a-fA-F]+|\d+)", text, re.MULTILINE)
    return int(match.group(1), 0) if match else DEFAULT_VPCD_PORT


def _pcscd_pids() -> list[int]:
    """Live pcscd processes. A zombie (a stopped daemon its parent has not reaped yet) is not a
    daemon: counting it made the next fixture wait for readers that no pcscd would ever list."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if (entry / "comm").read_text().strip() != "pcscd":
                    continue
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state not in ("Z", "X"):
                    pids.append(int(entry.name))
    return pids


def _pcscd_binary() -> str:
    found = shutil.which("pcscd") or shutil.which("pcscd", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise RuntimeError("pcscd not installed (apt install pcscd vsmartcard-vpcd)")
    return found


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid not in _pcscd_pids():
            return True
        time.sleep(0.02)
    return False


def list_readers() -> list[str]:
    """Readers pcscd knows now ([] if pcscd does not answer)."""
    from smartcard.scard import (
        SCARD_S_SUCCESS,
        SCARD_SCOPE_USER,
        SCardEstablishContext,
        SCardListReaders,
        SCardReleaseContext,
    )

    hresult, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
    if hresult != SCARD_S_SUCCESS:
        return []
    try:
        hresult, readers = SCardListReaders(ctx, [])
        return list(readers) if hresult == SCARD_S_SUCCESS else []
    finally:
        SCardReleaseContext(ctx)


class PcscDaemon:
    """A pcscd for the test session, started and stopped by PID."""

    def __init__(self, log_path: Path | None = None) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.owned = False
        self.log_path = log_path or Path(tempfile.gettempdir()) / "kiosk-tests-pcscd.log"

    def _kill_stale_own(self) -> None:
        try:
            pid = int(PID_FILE.read_text().strip())
        except (OSError, ValueError):
            return
        if pid in _pcscd_pids():
            os.kill(pid, signal.SIGTERM)
            if not _wait_gone(pid, 5):
                os.kill(pid, signal.SIGKILL)
                _wait_gone(pid, 5)
        PID_FILE.unlink(missing_ok=True)

    def start(self, timeout: float = 10.0) -> None:
        self._kill_stale_own()
        if _pcscd_pids():
            self.owned = False  # someone else's daemon: use it, never stop it
        else:
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    [_pcscd_binary(), "--foreground"], stdin=subprocess.DEVNULL, stdout=log, stderr=log
                )
            PID_FILE.write_text(str(self.proc.pid))
            self.owned = True
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Wait until both vpcd readers are listed (pcscd answers and loaded the driver)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"pcscd exited with {self.proc.returncode}; see {self.log_path}")
            readers = list_readers()
            if READER_0 in readers and READER_1 in readers:
                return
            time.sleep(0.05)  # readiness poll of a starting daemon, not a wait for a card event
        raise RuntimeError(f"pcscd did not list the vpcd readers within {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.proc = None
        PID_FILE.unlink(missing_ok=True)

    def restart(self) -> None:
        if not self.owned:
            raise RuntimeError("cannot restart a pcscd this process did not start")
        self.stop()
        self.start()


# --------------------------------------------------------------------------- virtual cards

Applet = Callable[[bytes], bytes]


class VirtualCard:
    """A contact/contactless card on vpcd, served from a thread of its own.

    ``applet(apdu) -> response`` answers command APDUs. ``pull_when(apdu)`` returning True makes the
    card leave the field instead of answering that APDU (a card pulled mid-read).
    """

    def __init__(
        self,
        applet: Applet,
        atr: bytes = bytes.fromhex("3B 8A 80 01 80 31 80 65 B0 85 04 00 11 12 0F 83 00 90 00"),
        port: int | None = None,
        pull_when: Callable[[bytes], bool] | None = None,
    ) -> None:
        self.applet = applet
        self.atr = atr
        self.port = port if port is not None else vpcd_port()
        self.pull_when = pull_when
        self.apdus: list[bytes] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.pulled = threading.Event()

    def insert(self, timeout: float = 5.0) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._quickack(sock)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,), name="vicc", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> VirtualCard:
        self.insert()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    @staticmethod
    def _quickack(sock: socket.socket) -> None:
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)

    def _recv_exact(self, sock: socket.socket, n: int) -> bytes | None:
        buf = b""
        while len(buf) < n:
            try:
                chunk = sock.recv(n - len(buf))
            except OSError:
                return None
            self._quickack(sock)  # again after every recv (testing.md)
            if not chunk:
                return None
            buf += chunk
        return buf

    def _send(self, sock: socket.socket, payload: bytes) -> None:
        sock.sendall(len(payload).to_bytes(2, "big") + payload)

    def _serve(self, sock: socket.socket) -> None:
        while True:
            head = self._recv_exact(sock, 2)
            if head is None:
                return
            msg = self._recv_exact(sock, int.from_bytes(head, "big"))
            if msg is None:
                return
            try:
                if len(msg) == 1:
                    if msg[0] == 0x04:
                        self._send(sock, self.atr)
                    continue  # 00 off, 01 on, 02 reset: no reply
                self.apdus.append(msg)
                if self.pull_when is not None and self.pull_when(msg):
                    self.pulled.set()
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                    return
                self._send(sock, self.applet(msg))
            except OSError:
                return


# --------------------------------------------------------------------------- applets

SW_OK = b"\x90\x00"


def plain_applet(uid: bytes, chip_serial: bytes) -> Applet:
    """A plain contactless reader's view of an ID card: UID and chip serial, nothing else."""

    def answer(apdu: bytes) -> bytes:
        if apdu[:4] == bytes.fromhex("FF CA 00 00"):
            return uid + SW_OK
        if apdu[:4] == bytes.fromhex("00 36 00 00"):
            return chip_serial + SW_OK
        return bytes.fromhex("6D 00")

    return answer


def vendor_sam_applet(text_block: bytes, prefix: bytes = bytes.fromhex("00 00 01 00")) -> Applet:
    """A reader with a built-in SAM answering the vendor pseudo-APDU ``FF B0 00 00 00``."""
    photo = bytes(1024)

    def answer(apdu: bytes) -> bytes:
        if apdu[:2] == bytes.fromhex("FF B0"):
            if apdu[2] == 0x00:
                return prefix + text_block + SW_OK
            if 1 <= apdu[2] <= 5:
                return photo[(apdu[2] - 1) * 205 : apdu[2] * 205] + SW_OK
        if apdu[:4] == bytes.fromhex("FF CA 00 00"):
            return bytes.fromhex("01 02 03 04") + SW_OK
        return bytes.fromhex("6D 00")

    return answer


def ssse_applet(records: dict[str, dict[int, bytes]], strict_le: bool = True) -> Applet:
    """A social security card: SELECT by AID, SELECT EF05/EF06, READ RECORD (record number = tag)."""
    from drivers.card.ssse import SELECT_SSSE

    state: dict[str, str | None] = {"app": None, "ef": None}

    def answer(apdu: bytes) -> bytes:
        if apdu == bytes(SELECT_SSSE):
            state["app"], state["ef"] = "SSSE", None
            return SW_OK
        if apdu[:4] == bytes.fromhex("00 A4 04 00"):
            state["app"] = None
            return bytes.fromhex("6A 82")
        if apdu[:5] == bytes.fromhex("00 A4 02 00 02") and state["app"]:
            if f"EF{apdu[6]:02X}" in records and apdu[5] == 0xEF:
                state["ef"] = f"EF{apdu[6]:02X}"
                return SW_OK
            return bytes.fromhex("6A 82")
        if apdu[:2] == bytes.fromhex("00 B2") and apdu[3] == 0x04:
            ef = state["ef"]
            if ef is None:
                return bytes.fromhex("69 86")
            record = records[ef].get(apdu[2])
            if record is None:
                return bytes.fromhex("6A 83")
            le = apdu[4] if len(apdu) == 5 else 0
            if strict_le and le not in (0, len(record)):
                return bytes([0x6C, len(record)])
            return record + SW_OK
        return bytes.fromhex("6D 00")

    return answer


def wait_reader_state(reader: str, present: bool, timeout: float = 5.0) -> bool:
    """Block (in SCardGetStatusChange, no sleeping) until ``reader`` has / has no card."""
    from smartcard import scard

    want = scard.SCARD_STATE_PRESENT if present else scard.SCARD_STATE_EMPTY
    hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return False
    try:
        state = scard.SCARD_STATE_UNAWARE
        deadline = time.monotonic() + timeout
        while True:
            remaining = int((deadline - time.monotonic()) * 1000)
            hresult, answers = scard.SCardGetStatusChange(ctx, max(remaining, 0), [(reader, state)])
            if hresult != scard.SCARD_S_SUCCESS:
                return False
            state = answers[0][1] & ~scard.SCARD_STATE_CHANGED
            if state & want:
                return True
            if remaining <= 0:
                return False
    finally:
        scard.SCardReleaseContext(ctx)


class CardSlot:
    """One vpcd reader slot for tests: insert a card, pull it, and clean up after."""

    def __init__(self, reader: str = READER_0, port: int | None = None) -> None:
        self.reader = reader
        self.port = port if port is not None else vpcd_port() + (1 if reader == READER_1 else 0)
        self.card: VirtualCard | None = None

    def insert(self, applet: Applet, pull_when: Callable[[bytes], bool] | None = None) -> VirtualCard:
        self.clear()
        self.card = VirtualCard(applet, port=self.port, pull_when=pull_when)
        self.card.insert()
        return self.card

    def remove(self) -> None:
        if self.card is not None:
            self.card.remove()
            self.card = None

    def clear(self) -> None:
        """Remove any card and wait until pcscd has seen the reader empty."""
        self.remove()
        wait_reader_state(self.reader, present=False)
