"""Property tests and a bounded fuzz run: any input gives a typed result or a typed error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.card import CardDataError, CardIdentity, encode_text_block, parse_text_block
from drivers.card.apdu import MAX_RESPONSE_BYTES, Transmit, exchange
from drivers.card.codes import NATION_NAMES, gb11643_check_char
from drivers.card.demo_identities import load_demo_identities
from drivers.card.sam_protocol import (
    FrameBuffer,
    build_frame,
    build_read_answer,
    identity_from_read_frame,
    parse_answer,
)
from drivers.card.ssse import (
    EF05_RECORDS,
    EF06_RECORDS,
    encode_ssse_records,
    identity_from_records,
    parse_tlv,
)
from drivers.card.ssse_auth import PsamProfile, authenticate_card
from tests.card.blocks import RESIDENT, block

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _typed(fn: Callable[..., object], *args: object) -> None:
    try:
        fn(*args)
    except CardDataError as exc:
        assert exc.reason  # every error says why


@FUZZ
@given(st.binary(min_size=0, max_size=300))
def test_any_bytes_as_text_block(data: bytes) -> None:
    _typed(parse_text_block, data)


@FUZZ
@given(st.binary(min_size=256, max_size=256), st.sampled_from([" ", "J", "I", "Y"]))
def test_any_256_bytes_with_a_valid_marker(data: bytes, marker: str) -> None:
    raw = bytearray(data)
    raw[248:250] = marker.encode("utf-16-le")
    _typed(parse_text_block, bytes(raw))


@FUZZ
@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
def test_single_byte_corruption_of_a_valid_block(pos: int, value: int, pos2: int) -> None:
    raw = bytearray(block(RESIDENT))
    raw[pos] = value
    raw[pos2] ^= 0xFF
    _typed(parse_text_block, bytes(raw))


@FUZZ
@given(st.binary(max_size=1400))
def test_any_bytes_as_sam_answer(data: bytes) -> None:
    _typed(parse_answer, data)
    _typed(identity_from_read_frame, b"\xaa\xaa\xaa\x96\x69" + data)


@FUZZ
@given(st.lists(st.binary(max_size=64), max_size=20))
def test_frame_buffer_never_hangs_or_crashes(chunks: list[bytes]) -> None:
    buf = FrameBuffer()
    for chunk in chunks:
        buf.feed(chunk)
        for _ in range(len(chunk) + 2):  # bounded: each pop consumes or returns None
            try:
                if buf.pop() is None:
                    break
            except CardDataError:
                pass
    assert len(buf) <= sum(map(len, chunks))


@FUZZ
@given(st.binary(max_size=120), st.binary(max_size=120))
def test_any_bytes_as_ssse_records(a: bytes, b: bytes) -> None:
    def both() -> None:
        identity_from_records(parse_tlv(a), parse_tlv(b))

    _typed(both)


@FUZZ
@given(st.text(max_size=200))
def test_any_text_as_demo_identities(text: str) -> None:
    _typed(load_demo_identities, "[[identity]]\n" + text)


_HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@st.composite
def resident_identities(draw: st.DrawFn) -> CardIdentity:
    birth = draw(st.dates(date(1900, 1, 1), date(2025, 12, 31)))
    first17 = "450206" + birth.strftime("%Y%m%d") + draw(st.from_regex(r"\A[0-9]{3}\Z"))
    valid_from = draw(st.dates(date(2000, 1, 1), date(2030, 1, 1)))
    return CardIdentity(
        card_type=draw(st.sampled_from(["resident", "hmt_permit"])),
        name=draw(st.text(_HAN | st.just("·"), min_size=1, max_size=15).filter(lambda s: s.strip() == s)),
        id_number=first17 + gb11643_check_char(first17),
        sex=draw(st.sampled_from(["男", "女", "未知", "未说明"])),
        nation=draw(st.sampled_from(sorted(NATION_NAMES.values()))),
        birth_date=birth,
        address=draw(st.text(_HAN | st.sampled_from("0123456789号（）"), min_size=1, max_size=35)),
        authority=draw(st.text(_HAN, min_size=1, max_size=15)),
        valid_from=valid_from,
        valid_to=draw(st.none() | st.dates(valid_from, date(2099, 1, 1))),
    )


@settings(max_examples=200, deadline=None)
@given(resident_identities())
def test_encode_then_parse_is_identity(ident: CardIdentity) -> None:
    from dataclasses import replace

    if ident.card_type == "hmt_permit":
        ident = replace(ident, nation=None, pass_number="H0000001", issue_count="02")
    assert parse_text_block(encode_text_block(ident)) == ident
    assert identity_from_read_frame(build_read_answer(encode_text_block(ident))) == ident


# --------------------------------------------------------------------------- structured fuzzing
# (abuse suite) Random bytes rarely get past the first length check; these keep most of a valid
# input and break one layer at a time, so the deeper parsers see hostile values too.

_GOLDEN_TAGS = set(EF05_RECORDS) | set(EF06_RECORDS)
_DEMO = load_demo_identities(Path(__file__).resolve().parents[2] / "config" / "demo_identities.toml")
_MUTATIONS = st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255)), min_size=1, max_size=12)


@FUZZ
@given(st.sampled_from([i for i in _DEMO if i.card_type != "social_security"]), _MUTATIONS)
def test_mutated_text_blocks_of_every_card_type(
    ident: CardIdentity, mutations: list[tuple[int, int]]
) -> None:
    raw = bytearray(encode_text_block(ident))
    for pos, value in mutations:
        raw[pos] = value
    _typed(parse_text_block, bytes(raw))
    _typed(identity_from_read_frame, build_read_answer(bytes(raw)))


@FUZZ
@given(
    st.binary(min_size=0, max_size=600),
    st.one_of(st.none(), st.integers(0, 0xFFFF)),  # None: the right LEN
    st.one_of(st.none(), st.integers(0, 255)),  # None: the right check byte
)
def test_sam_frames_with_random_lengths_and_checksums(
    body: bytes, length: int | None, chk: int | None
) -> None:
    frame = bytearray(build_frame(body))
    if length is not None:
        frame[5:7] = length.to_bytes(2, "big")
    if chk is not None:
        frame[-1] = chk
    _typed(parse_answer, bytes(frame))
    _typed(identity_from_read_frame, bytes(frame))
    buf = FrameBuffer()
    buf.feed(bytes(frame) * 2)
    for _ in range(4):  # two frames fed: a bounded number of pops drains or refuses them
        try:
            if buf.pop() is None:
                break
        except CardDataError as exc:
            assert exc.reason


@FUZZ
@given(st.sampled_from([0x90, 0x91, 0x41, 0x31, 0x80]), st.binary(max_size=40), _MUTATIONS)
def test_read_answers_with_a_valid_checksum_and_hostile_content(
    sw3: int, extra: bytes, mutations: list[tuple[int, int]]
) -> None:
    """The check byte is right, so the content (lengths 01 00 / 04 00, the text) is what is tested."""
    body = bytearray(build_read_answer(block(RESIDENT))[7:-1])
    body[2] = sw3
    for pos, value in mutations:
        body[3 + pos % 8] = value  # the text / photo / fingerprint length fields and their neighbours
    _typed(identity_from_read_frame, build_frame(bytes(body) + extra))


_SSSE_TAGS = st.sampled_from([0x01, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x00, 0xFF])
_TLVS = st.lists(st.tuples(_SSSE_TAGS, st.integers(0, 255), st.binary(max_size=40)), max_size=8)


def _tlv_bytes(items: list[tuple[int, int, bytes]]) -> bytes:
    return b"".join(bytes([tag, length]) + value for tag, length, value in items)


@FUZZ
@given(_TLVS, _TLVS)
def test_ssse_records_with_random_lengths(
    ef05: list[tuple[int, int, bytes]], ef06: list[tuple[int, int, bytes]]
) -> None:
    def both() -> None:
        identity_from_records(parse_tlv(_tlv_bytes(ef05)), parse_tlv(_tlv_bytes(ef06)))

    _typed(both)


@FUZZ
@given(
    st.sampled_from(sorted(_GOLDEN_TAGS)), st.binary(max_size=40), st.one_of(st.none(), st.integers(0, 255))
)
def test_one_hostile_value_in_otherwise_genuine_ssse_records(
    tag: int, value: bytes, length: int | None
) -> None:
    records = encode_ssse_records(_DEMO[3])
    ef05, ef06 = records["EF05"], records["EF06"]
    target = ef05 if tag in ef05 else ef06
    target = {**target, tag: bytes([tag, len(value) if length is None else length]) + value}
    new05, new06 = (target, ef06) if tag in ef05 else (ef05, target)

    def both() -> None:
        identity_from_records(parse_tlv(b"".join(new05.values())), parse_tlv(b"".join(new06.values())))

    _typed(both)


_ANSWER = st.tuples(st.binary(max_size=300), st.integers(0, 255), st.integers(0, 255))


@FUZZ
@given(st.lists(_ANSWER, min_size=1, max_size=30), st.booleans())
def test_apdu_exchange_with_a_hostile_card_is_bounded(
    answers: list[tuple[bytes, int, int]], chain: bool
) -> None:
    """Whatever a card answers (61 xx chains included, here repeated without end), exchange returns
    or raises a typed error after a bounded number of commands."""
    sent = []

    def transmit(apdu: list[int]) -> tuple[list[int], int, int]:
        sent.append(apdu)
        data, sw1, sw2 = answers[min(len(sent) - 1, len(answers) - 1)]
        return list(data), (0x61 if chain and len(sent) >= len(answers) else sw1), sw2

    _typed(exchange, transmit, [0x00, 0xB2, 0x01, 0x04, 0x00], "READ RECORD")
    assert len(sent) <= 2 + MAX_RESPONSE_BYTES  # at most: command, 6C resend, one byte per GET RESPONSE


Answers = list[tuple[bytes, int, int]]
_ANSWERS = st.lists(_ANSWER, min_size=1, max_size=8)


@FUZZ
@given(_ANSWERS, _ANSWERS, st.binary(max_size=20))
def test_authentication_against_hostile_card_and_psam(card: Answers, psam: Answers, card_id: bytes) -> None:
    """Random answers from both sides: typed refusals only, and a pass only when the card's
    INTERNAL AUTHENTICATE answer is exactly what the PSAM computed."""
    log: list[tuple[str, list[int], bytes]] = []

    def scripted(side: str, answers: Answers) -> Transmit:
        it = iter(answers)

        def transmit(apdu: list[int]) -> tuple[list[int], int, int]:
            data, sw1, sw2 = next(it, (b"", 0x6F, 0x00))
            log.append((side, apdu, data))
            return list(data), sw1, sw2

        return transmit

    try:
        authenticate_card(scripted("card", card), scripted("psam", psam), PsamProfile(reader="x"), card_id)
    except CardDataError as exc:
        assert exc.reason
        return
    card_said = next(d for side, apdu, d in log if side == "card" and apdu[1] == 0x88)
    psam_said = next(d for side, apdu, d in log if side == "psam" and apdu[:2] == [0x80, 0xFA])
    assert card_said == psam_said and len(card_said) == 8
