"""ESC/POS over a serial line: python-escpos ``Serial`` with a short read and a sized write timeout.

At 115200 baud a 40 KB receipt takes about 3.5 s, so the write timeout grows with the job while
status reads stay short.
"""

from __future__ import annotations

from typing import Any

from escpos.escpos import Escpos
from escpos.printer import Serial

from drivers.printer.escpos_link import EscposLinkPrinter


class _BoundedCloseSerial(Serial):
    """python-escpos' ``Serial.close`` calls ``flush()`` (tcdrain), which waits without limit while
    flow control holds the line; closing without it lets the kernel drain for at most its
    ``closing_wait`` (30 s) instead."""

    def close(self) -> None:
        device: Any = getattr(self, "_device", False)
        if device and device.is_open:
            device.close()
        self._device = False


class SerialPrinter(EscposLinkPrinter):
    kind = "serial"

    def __init__(
        self,
        devfile: str,
        baudrate: int = 115200,
        paper_mm: int = 80,
        timeout_seconds: float = 3.0,
        status_timeout_seconds: float = 0.5,
        check_status: bool = True,
    ) -> None:
        super().__init__(paper_mm, timeout_seconds, status_timeout_seconds, check_status)
        self.devfile = devfile
        self.baudrate = baudrate

    def _open_link(self) -> Escpos:
        link = _BoundedCloseSerial(
            devfile=self.devfile, baudrate=self.baudrate, timeout=self.status_timeout_seconds
        )
        link.open()
        link.device.write_timeout = self.timeout_seconds
        return link

    def _drain(self, link: Escpos) -> None:
        link.device.reset_input_buffer()

    def _prepare_send(self, link: Escpos, size: int) -> None:
        seconds_on_wire = size * 10 / self.baudrate  # 8N1: 10 bits a byte
        link.device.write_timeout = self.timeout_seconds + 2 * seconds_on_wire

    def __repr__(self) -> str:
        return f"SerialPrinter({self.devfile}@{self.baudrate}, {self.paper_width_dots} dots)"
