"""ESC/POS over USB (vendor/product id from config): python-escpos ``Usb`` with finite timeouts.

python-escpos' ``Usb`` waits forever by default; pyusb timeouts are in milliseconds. Needs the
``pyusb`` package (python-escpos' ``usb`` extra) and libusb; without them the printer is "offline"
with a message that says what is missing.
"""

from __future__ import annotations

from escpos.escpos import Escpos

from drivers.printer.escpos_link import EscposLinkPrinter
from drivers.printer.types import PrinterError


def _short_read_usb_class() -> type[Escpos]:
    try:
        import usb.core
        from escpos.printer import Usb
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise PrinterError("offline", f"USB printing needs pyusb and libusb: {exc}") from exc

    class _ShortReadUsb(Usb):
        status_timeout_ms: int = 500

        def _read(self) -> bytes:
            try:
                return bytes(self.device.read(self.in_ep, 16, self.status_timeout_ms))
            except usb.core.USBTimeoutError:
                return b""

    return _ShortReadUsb


class UsbPrinter(EscposLinkPrinter):
    kind = "usb"

    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        paper_mm: int = 80,
        timeout_seconds: float = 3.0,
        status_timeout_seconds: float = 0.5,
        check_status: bool = True,
    ) -> None:
        super().__init__(paper_mm, timeout_seconds, status_timeout_seconds, check_status)
        self.vendor_id = vendor_id
        self.product_id = product_id

    def _open_link(self) -> Escpos:
        cls = _short_read_usb_class()
        link = cls(self.vendor_id, self.product_id, timeout=int(self.timeout_seconds * 1000))
        link.status_timeout_ms = int(self.status_timeout_seconds * 1000)
        try:
            link.open()
        except ValueError as exc:  # pyusb's NoBackendError: libusb is not installed
            raise PrinterError("offline", f"USB printing needs libusb: {exc}") from exc
        return link

    def __repr__(self) -> str:
        return f"UsbPrinter({self.vendor_id:04x}:{self.product_id:04x}, {self.paper_width_dots} dots)"
