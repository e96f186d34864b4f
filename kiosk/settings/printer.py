"""Receipt printer settings (drivers/printer)."""

from typing import Literal

from pydantic import Field, model_validator

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
    cups_server: str = ""  # empty: the system's CUPS; "host:port" or a socket path otherwise
    file_dir: str = ""  # kind = file: where the ESC/POS bytes and the PNG preview go
    timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    # DLE EOT answers come within milliseconds; silence after this long means "unknown"
    status_timeout_seconds: float = Field(default=0.5, gt=0, le=5)
    # false: send jobs without asking first (printers that answer status queries wrongly)
    check_status: bool = True
    a4_queue: str = ""  # CUPS queue for A4 copies (加注件); empty: no A4 printing

    @model_validator(mode="after")
    def _link_is_complete(self) -> "PrinterConfig":
        if self.kind == "cups" and not self.cups_queue:
            raise ValueError("kind = cups needs cups_queue (the raw queue of the receipt printer)")
        if self.kind == "file" and not self.file_dir:
            raise ValueError("kind = file needs file_dir (where jobs and previews are written)")
        return self
