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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.card.ssse_auth import PsamProfile
from drivers.card.ssse_keys import Algorithm, block_size, card_factor, derive, encrypt_block

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


@dataclass(frozen=True)
class SsseCardKeys:
    """The keys personalised into one social security card (already diversified for it)."""

    algorithm: Algorithm
    internal: bytes
    external: bytes | None = None  # set: the card demands EXTERNAL AUTHENTICATE before EF06
    internal_key_id: int = 0x00
    external_key_id: int = 0x07


def genuine_keys(masters: PsamMasters, card_identifier: bytes, issuer_factor: bytes = b"") -> SsseCardKeys:
    """Keys of a genuine card: the PSAM's master keys diversified by the card's own identifier."""
    factors = [f for f in (issuer_factor, card_factor(card_identifier)) if f]
    return SsseCardKeys(
        masters.algorithm,
        derive(masters.internal, factors, masters.algorithm),
        derive(masters.external, factors, masters.algorithm) if masters.external else None,
    )


def ssse_applet(
    records: dict[str, dict[int, bytes]], strict_le: bool = True, keys: SsseCardKeys | None = None
) -> Applet:
    """A social security card: SELECT by AID, SELECT EF05/EF06, READ RECORD (record number = tag).

    Without ``keys`` it is the forger's card: right files, right records, no keys (INTERNAL
    AUTHENTICATE is not supported). With ``keys`` it answers INTERNAL AUTHENTICATE, GET CHALLENGE and
    EXTERNAL AUTHENTICATE like a personalised card, and if it has an external-authentication key it
    keeps EF06 closed (69 82) until the terminal has passed external authentication.
    """
    from drivers.card.ssse import SELECT_SSSE

    state: dict[str, Any] = {"app": None, "ef": None, "challenge": None, "external_ok": False}

    def authenticate(apdu: bytes) -> bytes | None:
        if apdu[:2] not in (b"\x00\x88", b"\x00\x84", b"\x00\x82"):
            return None
        if keys is None:
            return bytes.fromhex("6D 00")
        n = block_size(keys.algorithm)
        if apdu[1] == 0x84:
            state["challenge"] = os.urandom(n)
            return state["challenge"] + SW_OK
        data = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
        if len(data) != n:
            return bytes.fromhex("67 00")
        if apdu[1] == 0x88:
            if apdu[3] != keys.internal_key_id:
                return bytes.fromhex("6A 88")
            return encrypt_block(keys.internal, data, keys.algorithm) + SW_OK
        challenge, state["challenge"] = state["challenge"], None  # one try per challenge
        if keys.external is None or apdu[3] != keys.external_key_id:
            return bytes.fromhex("6A 88")
        if challenge is None:
            return bytes.fromhex("69 85")
        if data != encrypt_block(keys.external, challenge, keys.algorithm):
            return bytes.fromhex("63 00")
        state["external_ok"] = True
        return SW_OK

    def answer(apdu: bytes) -> bytes:
        if apdu == bytes(SELECT_SSSE):
            state.update(app="SSSE", ef=None, challenge=None, external_ok=False)
            return SW_OK
        if apdu[:4] == bytes.fromhex("00 A4 04 00"):
            state["app"] = None
            return bytes.fromhex("6A 82")
        if (auth := authenticate(apdu)) is not None:
            return auth
        if apdu[:5] == bytes.fromhex("00 A4 02 00 02") and state["app"]:
            if f"EF{apdu[6]:02X}" in records and apdu[5] == 0xEF:
                state["ef"] = f"EF{apdu[6]:02X}"
                return SW_OK
            return bytes.fromhex("6A 82")
        if apdu[:2] == bytes.fromhex("00 B2") and apdu[3] == 0x04:
            ef = state["ef"]
            if ef is None:
                return bytes.fromhex("69 86")
            if ef == "EF06" and keys is not None and keys.external is not None and not state["external_ok"]:
                return bytes.fromhex("69 82")
            record = records[ef].get(apdu[2])
            if record is None:
                return bytes.fromhex("6A 83")
            le = apdu[4] if len(apdu) == 5 else 0
            if strict_le and le not in (0, len(record)):
                return bytes([0x6C, len(record)])
            return record + SW_OK
        return bytes.fromhex("6D 00")

    return answer


@dataclass(frozen=True)
class PsamMasters:
    """What a simulated PSAM holds: the issuer's master keys (never in the terminal itself)."""

    algorithm: Algorithm
    internal: bytes
    external: bytes | None = None


# Fictitious master keys of the simulated PSAM (test fixtures, not any issuer's).
TEST_MASTERS: dict[str, PsamMasters] = {
    "3des": PsamMasters(
        "3des",
        bytes.fromhex("5A1C0E7B3D9F2468A1B2C3D4E5F60718"),
        bytes.fromhex("0F1E2D3C4B5A69788796A5B4C3D2E1F0"),
    ),
    "sm4": PsamMasters(
        "sm4",
        bytes.fromhex("00112233445566778899AABBCCDDEEFF"),
        bytes.fromhex("F0E1D2C3B4A5968778695A4B3C2D1E0F"),
    ),
}
TEST_CARD_ID = "450206D156000005"


def genuine_ssse_card(identity: Any, algorithm: str = "3des", card_id: str = TEST_CARD_ID) -> Applet:
    """A genuine social security card holding ``identity``, keyed from ``TEST_MASTERS``."""
    from drivers.card.ssse import encode_ssse_records

    keys = genuine_keys(TEST_MASTERS[algorithm], card_id.encode())
    return ssse_applet(encode_ssse_records(identity, card_id=card_id), keys=keys)


def psam_applet(masters: PsamMasters, profile: PsamProfile | None = None) -> Applet:
    """A PSAM in the reader's SAM slot: SELECT its application, derive a card key from the factors
    (init), encrypt one block under it (answered 61 xx, then GET RESPONSE, like a T=0 PSAM)."""
    profile = profile or PsamProfile(reader=READER_1, algorithm=masters.algorithm)
    keys = {(profile.internal.psam_usage, profile.internal.psam_key_id): masters.internal}
    if profile.external is not None and masters.external is not None:
        keys[(profile.external.psam_usage, profile.external.psam_key_id)] = masters.external
    state: dict[str, Any] = {"selected": False, "key": None, "pending": b""}

    def answer(apdu: bytes) -> bytes:
        if apdu[:4] == bytes.fromhex("00 A4 04 00"):
            state.update(selected=apdu[5 : 5 + apdu[4]] == profile.aid, key=None)
            return SW_OK if state["selected"] else bytes.fromhex("6A 82")
        if apdu[:4] == bytes.fromhex("00 C0 00 00"):
            pending, state["pending"] = state["pending"], b""
            return pending + SW_OK if pending else bytes.fromhex("69 85")
        if not state["selected"]:
            return bytes.fromhex("69 85")
        if apdu[:2] == profile.init_header:
            master = keys.get((apdu[2], apdu[3]))
            if master is None:
                return bytes.fromhex("6A 88")
            data = apdu[5 : 5 + apdu[4]]
            levels = apdu[2] >> 5
            if len(data) != 8 * levels:
                return bytes.fromhex("67 00")
            factors = [data[i : i + 8] for i in range(0, len(data), 8)]
            state["key"] = derive(master, factors, masters.algorithm)
            return SW_OK
        if apdu[:2] == profile.compute_header:
            if state["key"] is None:
                return bytes.fromhex("69 85")
            data = apdu[5 : 5 + apdu[4]]
            if len(data) != block_size(masters.algorithm):
                return bytes.fromhex("67 00")
            state["pending"] = encrypt_block(state["key"], data, masters.algorithm)
            return bytes([0x61, len(state["pending"])])
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

    def insert(
        self, applet: Applet, pull_when: Callable[[bytes], bool] | None = None, wait: bool = False
    ) -> VirtualCard:
        """Insert a card; ``wait``: return only once pcscd reports it present (a PSAM must be in
        its slot before a citizen's card arrives, as on a terminal)."""
        self.clear()
        self.card = VirtualCard(applet, port=self.port, pull_when=pull_when)
        self.card.insert()
        if wait and not wait_reader_state(self.reader, present=True):
            raise RuntimeError(f"pcscd did not report the card in {self.reader}")
        return self.card

    def remove(self) -> None:
        if self.card is not None:
            self.card.remove()
            self.card = None

    def clear(self) -> None:
        """Remove any card and wait until pcscd has seen the reader empty."""
        self.remove()
        wait_reader_state(self.reader, present=False)
