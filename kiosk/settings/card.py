"""Card reader settings (drivers/card)."""

from typing import Literal

from pydantic import Field, field_validator

from kiosk.settings.base import Section


class CardReaderConfig(Section):
    kind: Literal["simulated", "pcsc", "serial_sam"] = "simulated"
    # pcsc: how identity data is obtained from the reader
    #   vendor_sam — a reader with a built-in SAM answering a vendor pseudo-APDU with the text block
    #   ssse       — social security cards (SSSE application, no PSAM needed)
    #   plain      — a plain contactless reader: chip serial only, reported as "no identity support"
    profile: Literal["vendor_sam", "ssse", "plain"] = "vendor_sam"
    reader_name_contains: str = ""  # empty: every reader pcscd lists
    # vendor_sam profile: the pseudo-APDU that returns the text block, and where it starts
    text_apdu: str = "FFB0000000"
    text_offset: int = Field(default=4, ge=0, le=64)
    # serial_sam
    serial_port: str = "/dev/ttyUSB0"
    baudrate: int = Field(default=115200, gt=0)
    read_timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    poll_interval_seconds: float = Field(default=0.25, gt=0, le=5)
    # simulated: delay between "card inserted" and the identity, like a real SAM read (~0.3 s)
    simulated_read_delay_seconds: float = Field(default=0.35, ge=0, le=10)

    @field_validator("text_apdu")
    @classmethod
    def _hex_apdu(cls, value: str) -> str:
        cleaned = "".join(value.split())
        try:
            data = bytes.fromhex(cleaned)
        except ValueError:
            raise ValueError("must be hex bytes, e.g. FFB0000000") from None
        if len(data) < 4:
            raise ValueError("an APDU has at least 4 bytes (CLA INS P1 P2)")
        return cleaned.upper()
