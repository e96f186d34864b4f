"""Card reader settings (drivers/card)."""

from typing import Literal

from pydantic import Field, field_validator, model_validator

from kiosk.settings.base import Section


def _hex(value: str, size: int | None, example: str) -> str:
    cleaned = "".join(value.split()).upper()
    try:
        data = bytes.fromhex(cleaned)
    except ValueError:
        raise ValueError(f"must be hex bytes, e.g. {example}") from None
    if size is not None and len(data) != size:
        raise ValueError(f"must be {size} bytes in hex, e.g. {example}")
    return cleaned


class PsamConfig(Section):
    """The PSAM in the reader's SAM slot that authenticates social security cards (ssse profile).

    The PSAM holds the issuer's master keys; the terminal holds none. What is not fixed by public
    sources (drivers/card/ssse_auth.py lists it) is configured here: take the values from the
    issuer's PSAM manual. Defaults follow the PBOC-style PSAM commands and one public trace.
    """

    # PC/SC name (or a distinctive part of it) of the slot holding the PSAM; exactly one reader
    # must match, and it is never used for citizens' cards. Empty: no PSAM.
    reader: str = ""
    algorithm: Literal["3des", "sm4"] = "3des"
    # P1 P2 of the PSAM's key-derivation init for the card's internal-authentication key: P1 = key
    # usage (top 3 bits: diversification levels, low 5: key type), P2 = key id in the PSAM
    internal_key: str = "2812"
    internal_card_key_id: int = Field(default=0x00, ge=0, le=255)  # P2 of INTERNAL AUTHENTICATE
    # external authentication (the card checks the terminal before it opens EF06), where used
    external_auth: bool = True
    external_key: str = "285D"
    external_card_key_id: int = Field(default=0x07, ge=0, le=255)  # P2 of EXTERNAL AUTHENTICATE
    # an issuer / city level factor (8 bytes hex) applied before the card's own; empty: none
    issuer_factor: str = ""
    init_command: str = "801A"  # CLA INS of the PSAM's key-derivation init (some PSAMs: BFDE)
    compute_command: str = "80FA"  # CLA INS of the PSAM's encrypt command

    @field_validator("internal_key", "external_key", "init_command", "compute_command")
    @classmethod
    def _two_bytes(cls, value: str) -> str:
        return _hex(value, 2, "2812")

    @field_validator("issuer_factor")
    @classmethod
    def _factor(cls, value: str) -> str:
        return _hex(value, 8, "3435303230307378") if value.strip() else ""

    @model_validator(mode="after")
    def _levels_agree(self) -> "PsamConfig":
        levels = 1 + bool(self.issuer_factor)
        keys = [("internal_key", self.internal_key)]
        if self.external_auth:
            keys.append(("external_key", self.external_key))
        for name, value in keys:
            usage = int(value[:2], 16)
            if usage >> 5 != levels:
                factors = "issuer_factor and the card make 2" if levels == 2 else "the card alone makes 1"
                raise ValueError(
                    f"{name} {value}: key usage {value[:2]} means {usage >> 5} diversification "
                    f"levels, but {factors}"
                )
        return self


class CardReaderConfig(Section):
    kind: Literal["simulated", "pcsc", "serial_sam"] = "simulated"
    # pcsc: how identity data is obtained from the reader
    #   vendor_sam — a reader with a built-in SAM answering a vendor pseudo-APDU with the text block
    #   ssse       — social security cards, authenticated by the PSAM configured in [psam]
    #   plain      — a plain contactless reader: chip serial only, reported as "no identity support"
    profile: Literal["vendor_sam", "ssse", "plain"] = "vendor_sam"
    # pcsc: the reader for citizens' cards — its PC/SC name or a distinctive part of it. Required:
    # an empty value would take ANY reader plugged into the terminal (a USB port is within reach).
    reader_name_contains: str = ""
    # vendor_sam profile: the pseudo-APDU that returns the text block, and where it starts
    text_apdu: str = "FFB0000000"
    text_offset: int = Field(default=4, ge=0, le=64)
    # ssse profile: the PSAM that authenticates the cards
    psam: PsamConfig = PsamConfig()
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
        cleaned = _hex(value, None, "FFB0000000")
        if len(cleaned) < 8:
            raise ValueError("an APDU has at least 4 bytes (CLA INS P1 P2)")
        return cleaned

    @model_validator(mode="after")
    def _pcsc_readers(self) -> "CardReaderConfig":
        if self.kind != "pcsc":
            return self
        name = self.reader_name_contains.strip()
        if not name:
            raise ValueError(
                "reader_name_contains is empty: every reader plugged into the terminal would be used; "
                "set the card reader's PC/SC name (kiosk card readers lists them)"
            )
        if self.profile == "ssse":
            psam = self.psam.reader.strip()
            if not psam:
                raise ValueError(
                    "the ssse profile needs psam.reader (the PSAM's slot): without a PSAM the terminal "
                    "cannot tell a genuine social security card from a forged one"
                )
            if name.lower() in psam.lower() or psam.lower() in name.lower():
                raise ValueError(
                    f"reader_name_contains {name!r} and psam.reader {psam!r} must name different slots"
                )
        return self
