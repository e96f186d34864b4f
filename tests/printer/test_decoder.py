"""The ESC/POS decoder itself: hand-written streams with known meaning, and strict errors."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.support.escpos_decode import EscposDecodeError, decode


def _gs_v0(image: Image.Image) -> bytes:
    """Encode by hand (not with the driver under test): 1 = black, MSB first."""
    width_bytes = (image.width + 7) // 8
    rows = bytearray()
    px = image.convert("1").load()
    assert px is not None
    for y in range(image.height):
        for xb in range(width_bytes):
            byte = 0
            for bit in range(8):
                x = xb * 8 + bit
                if x < image.width and px[x, y] == 0:
                    byte |= 0x80 >> bit
            rows.append(byte)
    head = b"\x1dv0\x00" + bytes(
        [width_bytes & 0xFF, width_bytes >> 8, image.height & 0xFF, image.height >> 8]
    )
    return head + bytes(rows)


def test_text_in_chinese_mode_is_gb18030_and_plain_text_is_ascii() -> None:
    stream = decode(b"\x1b@Receipt\n\x1c&" + "凭条 䶮".encode("gb18030") + b"\n\x1c.done\n\x1dV\x00")
    [page] = stream.pages
    assert page.text == ["Receipt", "凭条 䶮", "done"]
    assert page.cut == "full"


def test_raster_round_trip_and_partial_cut_with_feed() -> None:
    img = Image.new("1", (16, 3), 255)
    img.putpixel((0, 0), 0)
    img.putpixel((15, 2), 0)
    stream = decode(b"\x1b@" + _gs_v0(img) + b"\x1bd\x02\x1dVB\x03")
    [page] = stream.pages
    assert page.raster is not None and page.raster.tobytes() == img.tobytes()
    assert [k for k, _ in page.items] == ["raster", "feed", "feed"]
    assert page.cut == "partial"


def test_qr_store_and_print() -> None:
    data = b"KIOSK-V1:T:R:0123abcd"
    store = b"\x1d(k" + bytes([len(data) + 3, 0]) + b"1P0" + data
    size = b"\x1d(k\x03\x001C\x06"
    print_ = b"\x1d(k\x03\x001Q0"
    page = decode(b"\x1b@" + size + store + print_ + b"\x1dV\x01").pages[0]
    assert page.qr_codes == ["KIOSK-V1:T:R:0123abcd"]
    assert page.cut == "partial"


def test_two_cuts_make_two_pages_and_status_queries_are_counted() -> None:
    stream = decode(b"\x10\x04\x01\x10\x04\x04\x1b@A\n\x1dV\x00B\n\x1dV\x00")
    assert stream.status_queries == [1, 4]
    assert [p.text for p in stream.pages] == [["A"], ["B"]]


@pytest.mark.parametrize(
    "bad",
    [b"\x1b\xff", b"\x1d\xfe", b"\x1dv0\x00\x02\x00\x05\x00\xff", b"\x10\x05\x01", b"\x07", b"\x1dV\x07"],
)
def test_unknown_or_truncated_commands_raise_with_an_offset(bad: bytes) -> None:
    with pytest.raises(EscposDecodeError, match="at byte"):
        decode(b"\x1b@" + bad)
