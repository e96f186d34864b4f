"""The serial SAM frame protocol (domain.md §1.3): build commands, find and check answer frames.

Command: ``AA AA AA 96 69 | LEN(2, BE) | CMD PARA [DATA] | CHK``; answer: ``... | LEN | SW1 SW2 SW3
[DATA] | CHK``; LEN counts everything after itself, CHK is the XOR of LEN up to the byte before it.

:class:`FrameBuffer` is the resynchronising receiver: a serial line delivers noise, half frames and
frames cut by a reset, so bytes are fed in as they come and frames popped out once complete, with
everything before a plausible preamble thrown away.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

from drivers.card.errors import FrameChecksumError, FrameError, SamStatusError
from drivers.card.identity import CardIdentity
from drivers.card.text_block import TEXT_BLOCK_SIZE, parse_text_block

PREAMBLE = bytes.fromhex("AAAAAA9669")
HEADER_SIZE = len(PREAMBLE) + 2  # preamble + LEN
MIN_ANSWER_LEN = 4  # SW1 SW2 SW3 CHK
# Largest answer: 30 10 = SW(3) + three lengths (6) + text 256 + photo 1024 + fingerprints 1024 + CHK.
# Anything claiming more is noise that happened to contain a preamble.
MAX_FRAME_LEN = 4096

CMD_RESET_SAM = (0x10, 0xFF)
CMD_SAM_STATUS = (0x11, 0xFF)
CMD_READ_SAM_ID = (0x12, 0xFF)
CMD_FIND_CARD = (0x20, 0x01)
CMD_SELECT_CARD = (0x20, 0x02)
CMD_READ_TEXT_PHOTO = (0x30, 0x01)
CMD_READ_APPENDED_ADDRESS = (0x30, 0x03)
CMD_READ_TEXT_PHOTO_FINGERPRINT = (0x30, 0x10)

SW3_OK = 0x90
SW3_NO_CONTENT = 0x91
SW3_CARD_FOUND = 0x9F
SW3_FIND_FAILED = 0x80
SW3_SELECT_FAILED = 0x81

SW3_MEANINGS: dict[int, str] = {
    0x90: "OK",
    0x91: "no content",
    0x9F: "card found",
    0x10: "checksum error in the command",
    0x11: "length error in the command",
    0x21: "bad command",
    0x23: "operation not permitted",
    0x24: "unknown error",
    0x31: "card authentication failed",
    0x32: "SAM authentication failed",
    0x33: "verification error",
    0x40: "unknown card type",
    0x41: "read failed",
    0x47: "random number failure",
    0x60: "SAM self-test failed",
    0x66: "SAM not authorised",
    0x80: "find card failed (no card)",
    0x81: "select card failed",
}

# SW3 → the reader event error code (kiosk.ports): card trouble is "unreadable", a corrupted link is
# "checksum", a SAM that cannot work at all is "reader_failure".
_SW3_ERROR_CODES: dict[int, str] = {
    0x10: "checksum",
    0x11: "checksum",
    0x21: "reader_failure",
    0x23: "reader_failure",
    0x24: "unreadable",
    0x31: "unreadable",
    0x32: "reader_failure",
    0x33: "unreadable",
    0x40: "unreadable",
    0x41: "unreadable",
    0x47: "unreadable",
    0x60: "reader_failure",
    0x66: "reader_failure",
    0x80: "unreadable",
    0x81: "unreadable",
    0x91: "unreadable",
}


def sw3_meaning(sw3: int) -> str:
    return SW3_MEANINGS.get(sw3, f"undocumented status {sw3:02X}")


def sw3_error_code(sw3: int) -> str:
    return _SW3_ERROR_CODES.get(sw3, "unreadable")


def xor_checksum(data: bytes) -> int:
    return reduce(operator.xor, data, 0)


def build_frame(body: bytes) -> bytes:
    """Wrap ``body`` (CMD PARA DATA, or SW1 SW2 SW3 DATA) in preamble, LEN and CHK."""
    length = len(body) + 1
    if length > 0xFFFF:
        raise ValueError("frame body too long")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([xor_checksum(head + body)])


def build_command(cmd: int, para: int, data: bytes = b"") -> bytes:
    return build_frame(bytes([cmd, para]) + data)


@dataclass(frozen=True, slots=True)
class SamAnswer:
    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def meaning(self) -> str:
        return sw3_meaning(self.sw3)

    def expect(self, *ok: int) -> SamAnswer:
        """Return self if SW3 is one of ``ok``, else raise :class:`SamStatusError`."""
        if self.sw3 not in ok:
            raise SamStatusError(self.sw3, self.meaning)
        return self


def _check_frame(frame: bytes, min_body: int) -> None:
    if len(frame) < HEADER_SIZE + min_body:
        raise FrameError(f"frame of {len(frame)} bytes is too short")
    if frame[: len(PREAMBLE)] != PREAMBLE:
        raise FrameError("frame does not start with AA AA AA 96 69")
    length = int.from_bytes(frame[5:7], "big")
    if length + HEADER_SIZE != len(frame):
        raise FrameError(f"LEN says {length + HEADER_SIZE} bytes, frame has {len(frame)}")
    if xor_checksum(frame[5:-1]) != frame[-1]:
        raise FrameChecksumError(f"check byte {frame[-1]:02X}, computed {xor_checksum(frame[5:-1]):02X}")


def parse_answer(frame: bytes) -> SamAnswer:
    """Check one complete answer frame and split it. Raises FrameError / FrameChecksumError."""
    frame = bytes(frame)
    _check_frame(frame, MIN_ANSWER_LEN)
    return SamAnswer(frame[7], frame[8], frame[9], frame[10:-1])


def parse_command(frame: bytes) -> tuple[int, int, bytes]:
    """Check one command frame and return (CMD, PARA, DATA): for fake SAMs in tests and benches."""
    frame = bytes(frame)
    _check_frame(frame, 3)
    return frame[7], frame[8], frame[9:-1]


@dataclass(frozen=True, slots=True)
class CardRead:
    """The blocks of a ``30 01`` / ``30 10`` answer."""

    text: bytes
    photo: bytes
    fingerprint: bytes | None = None


def split_read_answer(answer: SamAnswer) -> CardRead:
    """Split the data of a successful read into text, photo (WLT) and optional fingerprints."""
    answer.expect(SW3_OK)
    data = answer.data
    if len(data) < 4:
        raise FrameError("read answer too short for its length fields")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if 4 + text_len + photo_len == len(data):
        start, fp_len = 4, None
    elif len(data) >= 6 and 6 + text_len + photo_len + int.from_bytes(data[4:6], "big") == len(data):
        start, fp_len = 6, int.from_bytes(data[4:6], "big")
    else:
        raise FrameError("read answer lengths do not add up")
    if text_len != TEXT_BLOCK_SIZE:
        raise FrameError(f"text block length {text_len}, expected {TEXT_BLOCK_SIZE}")
    text = data[start : start + text_len]
    photo = data[start + text_len : start + text_len + photo_len]
    fingerprint = data[start + text_len + photo_len :] if fp_len is not None else None
    return CardRead(text, photo, fingerprint)


def identity_from_read_frame(frame: bytes) -> CardIdentity:
    """Frame of a ``30 01`` / ``30 10`` answer → identity (the technician's ``kiosk card parse``)."""
    return parse_text_block(split_read_answer(parse_answer(frame)).text)


def build_read_answer(text: bytes, photo: bytes = bytes(1024), fingerprint: bytes | None = None) -> bytes:
    """The answer frame a SAM sends for a read (fake SAMs in tests, benches)."""
    lengths = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
    body = text + photo
    if fingerprint is not None:
        lengths += len(fingerprint).to_bytes(2, "big")
        body += fingerprint
    return build_frame(bytes([0x00, 0x00, SW3_OK]) + lengths + body)


def build_status_answer(sw3: int, data: bytes = b"") -> bytes:
    return build_frame(bytes([0x00, 0x00, sw3]) + data)


class FrameBuffer:
    """Accumulates received bytes and pops complete frames, resynchronising on garbage.

    ``pop()`` returns the next complete frame (checksum verified) or None if more bytes are needed.
    A frame with a bad check byte is consumed and raised as :class:`FrameChecksumError`; an implausible
    LEN makes the buffer skip that preamble and search again. ``discarded`` counts dropped bytes.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self.discarded = 0

    def feed(self, data: bytes) -> None:
        self._buf += data

    def clear(self) -> None:
        self.discarded += len(self._buf)
        self._buf.clear()

    def __len__(self) -> int:
        return len(self._buf)

    def _drop(self, n: int) -> None:
        del self._buf[:n]
        self.discarded += n

    def pop(self) -> bytes | None:
        while True:
            start = self._buf.find(PREAMBLE)
            if start < 0:
                # keep a tail that could be the start of a preamble split across reads
                keep = next(
                    (k for k in range(len(PREAMBLE) - 1, 0, -1) if self._buf.endswith(PREAMBLE[:k])), 0
                )
                self._drop(len(self._buf) - keep)
                return None
            if start:
                self._drop(start)
            if len(self._buf) < HEADER_SIZE:
                return None
            length = int.from_bytes(self._buf[5:7], "big")
            if length < 3 or length + HEADER_SIZE > MAX_FRAME_LEN:
                self._drop(1)  # not a real frame: look for the next preamble
                continue
            total = HEADER_SIZE + length
            if len(self._buf) < total:
                return None
            frame = bytes(self._buf[:total])
            del self._buf[:total]
            if xor_checksum(frame[5:-1]) != frame[-1]:
                self.discarded += total
                raise FrameChecksumError(f"answer check byte {frame[-1]:02X} does not match")
            return frame
