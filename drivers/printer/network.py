"""ESC/POS over TCP (port 9100, "raw"/JetDirect): python-escpos ``Network`` with short timeouts."""

from __future__ import annotations

import socket

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
