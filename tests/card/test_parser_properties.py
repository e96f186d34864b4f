"""Property tests and a bounded fuzz run: any input gives a typed result or a typed error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.card import CardDataError, CardIdentity, encode_text_block, parse_text_block
from drivers.card.codes import NATION_NAMES, gb11643_check_char
from drivers.card.demo_identities import load_demo_identities
from drivers.card.sam_protocol import FrameBuffer, build_read_answer, identity_from_read_frame, parse_answer
from drivers.card.ssse import identity_from_records, parse_tlv
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
