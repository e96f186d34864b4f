"""A card in QEMU's USB smart-card reader, served from the host (QEMU's ``ccid-card-passthru``).

The VM has ``-device usb-ccid -device ccid-card-passthru,chardev=...``: the guest sees an ordinary
USB CCID reader (QEMU's descriptors; Debian's libccid drives it like the Gemalto GemPC433 it
imitates), so the terminal's whole PC/SC stack (pcscd, libccid, pyscard) runs as on a real
terminal. QEMU forwards the reader's traffic over a socket in the *Virtual Smart Card* protocol
(libcacard's vscard_common.h): messages of three big-endian 32-bit words (type, reader id, length)
and a payload. This module is the card's side: it adds one reader, inserts a card by sending its
ATR, answers each APDU with ``applet(apdu)`` (the same applets as the vpcd tests,
tests/support/pcsc.py), and removes the card.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable

VSC_INIT, VSC_ERROR, VSC_READER_ADD, VSC_READER_REMOVE = 1, 2, 3, 4
VSC_ATR, VSC_CARD_REMOVE, VSC_APDU, VSC_FLUSH, VSC_FLUSH_COMPLETE = 5, 6, 7, 8, 9
UNDEFINED_READER = 0xFFFFFFFF
# VSCARD_MAGIC is the four bytes "VSCD" read as a host (little-endian) integer, then sent in network
# order: on the wire it reads "DCSV"
MAGIC = b"DCSV"
VERSION = 2
DEFAULT_ATR = bytes.fromhex("3B 8A 80 01 80 31 80 65 B0 85 04 00 11 12 0F 83 00 90 00")

Applet = Callable[[bytes], bytes]


class VscardError(Exception):
    """QEMU's passthru device did not answer as the protocol says."""


class PassthruCard:
    """The host end of one ``ccid-card-passthru`` socket: ``insert(applet)``, ``remove()``."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.sock = self._connect(host, port, timeout)
        self.reader_id = UNDEFINED_READER
        self.applet: Applet | None = None
        self.apdus: list[bytes] = []
        self._lock = threading.Lock()
        self._added = threading.Event()
        self._closed = False
        self._send(VSC_INIT, UNDEFINED_READER, MAGIC + struct.pack(">II", VERSION, 0))
        self._thread = threading.Thread(target=self._serve, name="vscard", daemon=True)
        self._thread.start()
        self._send(VSC_READER_ADD, UNDEFINED_READER, b"kiosk-vm-reader")
        if not self._added.wait(timeout):
            raise VscardError("QEMU did not accept the reader (no answer to VSC_ReaderAdd)")

    @staticmethod
    def _connect(host: str, port: int, timeout: float) -> socket.socket:
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((host, port), timeout=5)
                sock.settimeout(None)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def insert(self, applet: Applet, atr: bytes = DEFAULT_ATR) -> None:
        """The card enters the reader: the guest's pcscd sees it present and powers it."""
        with self._lock:
            self.applet = applet
        self._send(VSC_ATR, self.reader_id, atr)

    def remove(self) -> None:
        with self._lock:
            self.applet = None
        self._send(VSC_CARD_REMOVE, self.reader_id, b"")

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self._thread.join(timeout=5)

    def _send(self, kind: int, reader: int, payload: bytes) -> None:
        self.sock.sendall(struct.pack(">III", kind, reader, len(payload)) + payload)

    def _recv_exact(self, n: int) -> bytes | None:
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except OSError:
                return None
            if not chunk:
                return None
            buf += chunk
        return buf

    def _serve(self) -> None:
        while not self._closed:
            head = self._recv_exact(12)
            if head is None:
                return
            kind, reader, length = struct.unpack(">III", head)
            payload = self._recv_exact(length) if length else b""
            if payload is None:
                return
            if kind == VSC_ERROR and not self._added.is_set():
                # the answer to VSC_ReaderAdd: code 0 (success) and the reader's id
                if struct.unpack(">I", payload[:4])[0] == 0:
                    self.reader_id = reader
                    self._added.set()
            elif kind == VSC_APDU:
                self.apdus.append(payload)
                with self._lock:
                    applet = self.applet
                answer = applet(payload) if applet is not None else bytes.fromhex("6A 82")
                with contextlib.suppress(OSError):
                    self._send(VSC_APDU, reader, answer)
            elif kind == VSC_FLUSH:
                with contextlib.suppress(OSError):
                    self._send(VSC_FLUSH_COMPLETE, reader, b"")
            # VSC_Init from QEMU (its own version) and other errors need no answer
