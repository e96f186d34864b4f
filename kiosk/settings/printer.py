"""Receipt printer settings (drivers/printer)."""

from typing import Literal

from pydantic import Field

from kiosk.settings.base import Section


class PrinterConfig(Section):
    kind: Literal["simulated", "network", "usb", "serial", "cups", "file"] = "simulated"
    paper_mm: Literal[58, 80] = 80
    host: str = "127.0.0.1"
    port: int = Field(default=9100, ge=1, le=65535)
    usb_vendor: int = 0x0416
    usb_product: int = 0x5011
    serial_port: str = "/dev/ttyS0"
    baudrate: int = 115200
    cups_queue: str = ""
    file_dir: str = ""  # kind = file: where the ESC/POS bytes and the PNG preview go
    timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    a4_queue: str = ""  # CUPS queue for A4 copies (加注件); empty: no A4 printing
