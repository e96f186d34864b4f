"""Build the ESC/POS bytes of one receipt job: the bytes python-escpos would make, in one pass.

A job is: ``ESC @`` (reset), the image as ``GS v 0`` raster bands of at most :data:`BAND_ROWS`
rows, then either a feed and a ``GS V`` full cut, or a feed alone. Building the bytes once, apart
from the link, lets every adapter (TCP, USB, serial, CUPS raw queue, file) send exactly the same
stream, and lets tests decode it back.

WHY not python-escpos's ``Dummy().image()`` (what this module did before, and what the tests still
compare against byte for byte): for each band it converts the 1-bit image to RGBA, pastes it on
white, converts to grey, inverts and converts back to 1 bit — 19-25 ms a receipt on the terminal.
A 1-bit image's own packed rows (``tobytes``: 8 dots a byte, the leftmost in the high bit) are
already the raster format with the colours the other way round, so the job is one inversion of
those bytes with numpy (well under a millisecond) plus the band headers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

#: Rows per ``GS v 0`` band: below the 16-bit limit and small enough for printers' input buffers.
BAND_ROWS = 480

# what python-escpos 3.1 writes for hw("INIT"), print_and_feed(6) and cut() with its default profile
# (ESC @; ESC d 6; GS V 0): tests/printer/test_job_bytes.py compares whole jobs with its output
INIT = b"\x1b@"
FEED_6 = b"\x1bd\x06"
FULL_CUT = b"\x1dV\x00"


def to_one_bit(image: Any, width_dots: int) -> Image.Image:
    """Accept any PIL image no wider than the paper; threshold (never dither) to mode ``1``."""
    if not isinstance(image, Image.Image):
        raise TypeError(f"expected a PIL image, got {type(image).__name__}")
    if image.width > width_dots:
        raise ValueError(f"image is {image.width} dots wide; the paper takes {width_dots}")
    if image.width == 0 or image.height == 0:
        raise ValueError("empty image")
    if image.mode == "1":
        return image
    grey = image.convert("L")
    return grey.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)


def raster_bands(one_bit: Image.Image) -> bytes:
    """``GS v 0`` bands (normal density) of a mode ``1`` image: a set bit is a black dot."""
    width_bytes = (one_bit.width + 7) // 8
    rows = np.frombuffer(one_bit.tobytes(), dtype=np.uint8).reshape(one_bit.height, width_bytes)
    dots = np.bitwise_not(rows)  # mode 1 keeps white as 1, the printer wants black as 1
    if one_bit.width % 8:  # the padding bits at the end of each row stay 0 (no dot)
        dots[:, -1] &= (0xFF << (8 - one_bit.width % 8)) & 0xFF
    out = bytearray()
    for top in range(0, one_bit.height, BAND_ROWS):
        band = dots[top : top + BAND_ROWS]
        out += b"\x1dv0\x00" + width_bytes.to_bytes(2, "little") + len(band).to_bytes(2, "little")
        out += band.tobytes()
    return bytes(out)


def receipt_job(image: Any, width_dots: int, cut: bool = True) -> bytes:
    """ESC @ + GS v 0 raster band(s) + feed + GS V: the whole job as bytes."""
    one_bit = to_one_bit(image, width_dots)
    return INIT + raster_bands(one_bit) + FEED_6 + (FULL_CUT if cut else b"")
