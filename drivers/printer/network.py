"""ESC/POS over TCP (port 9100, "raw"/JetDirect): python-escpos ``Network`` with short timeouts."""

from __future__ import annotations

import fcntl
import socket
import struct
import termios
import time

from escpos.escpos import Escpos
from escpos.printer import Network

from drivers.printer.escpos_link import EscposLinkPrinter


class _ShortReadNetwork(Network):
    """``Network`` whose status reads give up after ``status_timeout`` and return b"" (silence)."""

    status_timeout: float = 0.5

    def _read(self) -> bytes:
        sock = self.device
        assert isinstance(sock, socket.socket)
        sock.settimeout(self.status_timeout)
        try:
            return sock.recv(16)
        except TimeoutError:
            return b""
        finally:
            sock.settimeout(self.timeout)

    def close(self) -> None:
        """Half-close, wait until the printer has taken the whole job, then close.

        python-escpos closes at once. If the printer has sent bytes nobody read (a late status
        answer, automatic status back), closing makes the kernel send RST and drop the part of the
        job still queued on our side: the receipt comes out cut short. So: FIN first, read and
        discard what arrives, and close only when every byte is acknowledged (Linux ``SIOCOUTQ``)
        or nothing has moved for ``timeout`` seconds.
        """
        sock = getattr(self, "_device", False)
        if not isinstance(sock, socket.socket):
            self._device = False
            return
        try:
            sock.shutdown(socket.SHUT_WR)
            _wait_until_sent(sock, float(self.timeout))
        except OSError:
            pass  # reset or gone: nothing more to save
        finally:
            sock.close()
            self._device = False


def _unacknowledged(sock: socket.socket) -> int | None:
    """Bytes sent but not yet acknowledged by the peer (Linux), or None where unsupported."""
    try:
        raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, struct.pack("I", 0))
    except OSError:
        return None
    return int(struct.unpack("I", raw)[0])


def _wait_until_sent(sock: socket.socket, stall_timeout: float) -> None:
    sock.settimeout(0.05)
    left = _unacknowledged(sock)
    progress_at = time.monotonic()
    while True:
        try:
            if sock.recv(4096) == b"":
                return  # the printer closed: it has what it will take
        except TimeoutError:
            pass
        now_left = _unacknowledged(sock)
        if now_left == 0:
            return
        if now_left != left:
            left, progress_at = now_left, time.monotonic()
        elif time.monotonic() - progress_at > stall_timeout:
            return


class NetworkPrinter(EscposLinkPrinter):
    kind = "network"

    def __init__(
        self,
        host: str,
        port: int = 9100,
        paper_mm: int = 80,
        timeout_seconds: float = 3.0,
        status_timeout_seconds: float = 0.5,
        check_status: bool = True,
    ) -> None:
        super().__init__(paper_mm, timeout_seconds, status_timeout_seconds, check_status)
        self.host = host
        self.port = port

    def _open_link(self) -> Escpos:
        link = _ShortReadNetwork(host=self.host, port=self.port, timeout=self.timeout_seconds)
        link.status_timeout = self.status_timeout_seconds
        link.open()
        return link

    def _drain(self, link: Escpos) -> None:
        sock = link.device
        if not isinstance(sock, socket.socket):
            return
        sock.setblocking(False)
        try:
            while sock.recv(64):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            sock.settimeout(self.timeout_seconds)

    def __repr__(self) -> str:
        return f"NetworkPrinter({self.host}:{self.port}, {self.paper_width_dots} dots)"
