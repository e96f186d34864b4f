"""ISO 7816 APDU helpers shared by the PC/SC profiles and the virtual cards in tests.

``Transmit`` is the only thing a profile needs from a link: send a command APDU, get data and the
two status bytes. Keeping it a plain callable lets the same profile code run over pyscard, over a
test double in a bench, or inside the simulated reader.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from drivers.card.errors import CardDataError

Transmit = Callable[[list[int]], tuple[list[int], int, int]]


class ApduStatusError(CardDataError):
    """A card answered a command with a status word other than 90 00."""

    code = "unreadable"

    def __init__(self, command: str, sw1: int, sw2: int) -> None:
        super().__init__(f"{command}: status {sw1:02X} {sw2:02X} ({status_meaning(sw1, sw2)})")
        self.sw1 = sw1
        self.sw2 = sw2


_MEANINGS = {
    0x6700: "wrong length",
    0x6982: "security status not satisfied",
    0x6983: "authentication method blocked",
    0x6985: "conditions of use not satisfied",
    0x6A81: "function not supported",
    0x6A82: "file or application not found",
    0x6A83: "record not found",
    0x6A86: "incorrect P1 P2",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
}


def status_meaning(sw1: int, sw2: int) -> str:
    if sw1 == 0x90 and sw2 == 0x00:
        return "ok"
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return f"verification failed, {sw2 & 0x0F} tries left"
    return _MEANINGS.get((sw1 << 8) | sw2, "error")


def parse_hex_apdu(text: str) -> list[int]:
    """``"FF B0 00 00 00"`` or ``"FFB0000000"`` → bytes as ints (configuration values)."""
    cleaned = "".join(text.split())
    try:
        data = bytes.fromhex(cleaned)
    except ValueError:
        raise ValueError(f"not a hex APDU: {text!r}") from None
    if len(data) < 4:
        raise ValueError(f"an APDU needs at least 4 bytes: {text!r}")
    return list(data)


# Longest answer any command of ours may assemble (an extended-length APDU carries at most 64 KiB;
# the longest real one, text + photo, is 1.3 KB): a card that keeps answering 61 xx is cut off.
MAX_RESPONSE_BYTES = 65536


class ResponseTooLongError(CardDataError):
    """A card kept announcing more data (61 xx) past any answer a real card gives."""

    code = "unreadable"


def exchange(transmit: Transmit, command: Sequence[int], what: str) -> bytes:
    """Send ``command``, follow 61xx (GET RESPONSE) and 6Cxx (resend with Le), demand 90 00.

    The GET RESPONSE chain is bounded (``MAX_RESPONSE_BYTES``, and each round must bring data): a
    hostile or broken card answering 61 xx forever would otherwise hold the reader thread for good.
    """
    data, sw1, sw2 = transmit(list(command))
    if sw1 == 0x6C:
        data, sw1, sw2 = transmit([*command[:4], sw2] if len(command) <= 5 else [*command[:-1], sw2])
    parts = [bytes(data)]
    size = len(parts[0])
    while sw1 == 0x61:
        data, sw1, sw2 = transmit([0x00, 0xC0, 0x00, 0x00, sw2])
        if not data and sw1 == 0x61:
            raise ResponseTooLongError(f"{what}: GET RESPONSE brought no data and announced more")
        size += len(data)
        if size > MAX_RESPONSE_BYTES:
            raise ResponseTooLongError(f"{what}: answer longer than {MAX_RESPONSE_BYTES} bytes")
        parts.append(bytes(data))
    out = b"".join(parts)
    if (sw1, sw2) != (0x90, 0x00):
        raise ApduStatusError(what, sw1, sw2)
    return out
