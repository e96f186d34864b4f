"""SAM frames: the byte strings from domain.md §1.3, checksums, resynchronisation."""

from __future__ import annotations

import pytest

from drivers.card import FrameChecksumError, FrameError, SamStatusError, encode_text_block
from drivers.card.sam_protocol import (
    SW3_MEANINGS,
    FrameBuffer,
    build_command,
    build_read_answer,
    build_status_answer,
    identity_from_read_frame,
    parse_answer,
    parse_command,
    split_read_answer,
    sw3_error_code,
    sw3_meaning,
    xor_checksum,
)

FIND_OK = bytes.fromhex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
NO_CARD = bytes.fromhex("AA AA AA 96 69 00 04 00 00 80 84")


def test_golden_answers() -> None:
    ok = parse_answer(FIND_OK)
    assert (ok.sw1, ok.sw2, ok.sw3, ok.data) == (0, 0, 0x9F, bytes(4))
    assert ok.meaning == "card found"
    none = parse_answer(NO_CARD)
    assert none.sw3 == 0x80 and none.data == b""
    assert build_status_answer(0x9F, bytes(4)) == FIND_OK
    assert build_status_answer(0x80) == NO_CARD


def test_commands() -> None:
    assert build_command(0x20, 0x01) == bytes.fromhex("AA AA AA 96 69 00 03 20 01 22")
    assert build_command(0x30, 0x01) == bytes.fromhex("AA AA AA 96 69 00 03 30 01 32")
    assert build_command(0x12, 0xFF) == bytes.fromhex("AA AA AA 96 69 00 03 12 FF EE")
    assert parse_command(build_command(0x30, 0x10, b"\x01\x02")) == (0x30, 0x10, b"\x01\x02")
    assert xor_checksum(bytes.fromhex("00 03 20 01")) == 0x22


def test_every_sw3_has_a_meaning_and_an_error_code() -> None:
    documented = [0x90, 0x91, 0x9F, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47]
    documented += [0x60, 0x66, 0x80, 0x81]
    assert sorted(SW3_MEANINGS) == sorted(documented)
    assert sw3_meaning(0x41) == "read failed"
    assert sw3_meaning(0x55).startswith("undocumented")
    assert sw3_error_code(0x10) == "checksum"
    assert sw3_error_code(0x60) == "reader_failure"
    assert sw3_error_code(0x66) == "reader_failure"
    assert sw3_error_code(0x41) == "unreadable"
    with pytest.raises(SamStatusError) as info:
        parse_answer(NO_CARD).expect(0x9F)
    assert info.value.sw3 == 0x80 and "no card" in info.value.meaning


def test_full_read_answer_is_1295_bytes(demo_identities) -> None:
    text = encode_text_block(demo_identities[0])
    frame = build_read_answer(text, bytes(range(256)) * 4)
    assert len(frame) == 1295
    assert frame[7:14] == bytes.fromhex("00 00 90 01 00 04 00")
    read = split_read_answer(parse_answer(frame))
    assert read.text == text and read.photo == bytes(range(256)) * 4 and read.fingerprint is None
    assert identity_from_read_frame(frame) == demo_identities[0]


def test_read_with_fingerprints(demo_identities) -> None:
    frame = build_read_answer(encode_text_block(demo_identities[1]), bytes(1024), b"\x55" * 1024)
    read = split_read_answer(parse_answer(frame))
    assert read.fingerprint == b"\x55" * 1024


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (FIND_OK[:-1] + b"\x00", FrameChecksumError),
        (FIND_OK[:-2], FrameError),
        (b"\x00" + FIND_OK[1:], FrameError),
        (FIND_OK[:6], FrameError),
        (FIND_OK + b"\x00", FrameError),
    ],
)
def test_bad_frames(frame: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_answer(frame)


def test_read_answer_with_wrong_lengths() -> None:
    frame = build_status_answer(0x90, bytes.fromhex("01 00 04 00") + bytes(100))
    with pytest.raises(FrameError, match="add up"):
        identity_from_read_frame(frame)
    frame = build_status_answer(0x90, bytes.fromhex("00 10 00 00") + bytes(16))
    with pytest.raises(FrameError, match="text block length"):
        identity_from_read_frame(frame)
    with pytest.raises(SamStatusError):
        identity_from_read_frame(build_status_answer(0x41))


def test_buffer_resynchronises_on_garbage_and_split_frames() -> None:
    buf = FrameBuffer()
    stream = b"\x13\x37\xaa\xaa" + NO_CARD + b"\xaa\xaa\xaa\x96\x69\xff\xff" + FIND_OK
    for i in range(0, len(stream), 3):  # arrive in small pieces
        buf.feed(stream[i : i + 3])
    assert buf.pop() == NO_CARD
    assert buf.pop() == FIND_OK  # the implausible LEN FFFF was skipped
    assert buf.pop() is None
    assert buf.discarded >= 4


def test_buffer_keeps_a_split_preamble() -> None:
    buf = FrameBuffer()
    buf.feed(b"garbage\xaa\xaa")
    assert buf.pop() is None
    buf.feed(NO_CARD[2:])
    assert buf.pop() == NO_CARD


def test_buffer_raises_on_bad_checksum_then_continues() -> None:
    buf = FrameBuffer()
    buf.feed(FIND_OK[:-1] + b"\x00" + NO_CARD)
    with pytest.raises(FrameChecksumError):
        buf.pop()
    assert buf.pop() == NO_CARD
