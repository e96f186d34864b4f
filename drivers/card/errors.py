"""Typed errors for card data.

Every parser in this package raises a subclass of :class:`CardDataError` (itself a ``ValueError``)
for bad input, never a bare ``IndexError`` or ``UnicodeDecodeError``: the readers turn the class into
the stable event error code (``malformed`` / ``checksum`` / ``unreadable``) without guessing.
"""

from __future__ import annotations


class CardDataError(ValueError):
    """Card data could not be understood. ``reason`` is a short English explanation for logs."""

    code = "malformed"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MalformedTextBlockError(CardDataError):
    """The 256-byte text block is the wrong size, has an unknown type marker or a bad field."""


class IdNumberChecksumError(CardDataError):
    """A resident ID number failed the GB 11643 (ISO 7064 MOD 11-2) check."""

    code = "checksum"


class FrameError(CardDataError):
    """A SAM frame is short, has no preamble or a length that does not add up."""


class FrameChecksumError(FrameError):
    """A SAM frame's XOR check byte does not match its content."""

    code = "checksum"


class SamStatusError(CardDataError):
    """The SAM answered with a status other than the one expected (SW3 carries the meaning)."""

    code = "unreadable"

    def __init__(self, sw3: int, meaning: str) -> None:
        super().__init__(f"SAM status {sw3:02X}: {meaning}")
        self.sw3 = sw3
        self.meaning = meaning


class SsseRecordError(CardDataError):
    """A social security card record (TLV) is truncated or holds an invalid value."""


class DemoIdentityError(CardDataError):
    """The demo identities file is not valid TOML or an entry misses a required field."""


class SamTimeoutError(CardDataError):
    """The SAM did not answer a command in time (no answer, or only part of one)."""

    code = "unreadable"


class CardAuthenticationError(CardDataError):
    """A social security card failed authentication with the PSAM: its internal-authentication
    cryptogram is wrong, it refused the command, or it refused the terminal's external
    authentication. The card is not one of this issuer's genuine cards (or was tampered with)."""

    code = "not_genuine"


class PsamError(CardDataError):
    """The PSAM (the terminal's security module in the reader's SAM slot) is missing, unpowered or
    answered wrongly: a fault of the terminal, not of the citizen's card."""

    code = "reader_failure"
