"""Card reader settings (drivers/card)."""

from typing import Literal

from pydantic import Field

from kiosk.settings.base import Section


class CardReaderConfig(Section):
    kind: Literal["simulated", "pcsc", "serial_sam"] = "simulated"
    # pcsc: how identity data is obtained from the reader
    profile: Literal["vendor_sam", "ssse", "plain"] = "vendor_sam"
    reader_name_contains: str = ""  # empty: the first reader that has a card
    # vendor_sam profile: the pseudo-APDU that returns the text block, and where it starts
    text_apdu: str = "FFB0000000"
    text_offset: int = Field(default=4, ge=0, le=64)
    # serial_sam
    serial_port: str = "/dev/ttyUSB0"
    baudrate: int = 115200
    read_timeout_seconds: float = Field(default=3.0, gt=0, le=30)
