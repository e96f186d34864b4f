"""Build the ESC/POS bytes of one receipt job with python-escpos (``Dummy`` collects the output).

A job is: ``ESC @`` (reset), the image as ``GS v 0`` raster (python-escpos splits tall images into
bands), feed, ``GS V`` cut. Building the bytes once, apart from the link, lets every adapter (TCP,
USB, serial, CUPS raw queue, file) send exactly the same stream, and lets tests decode it back.
"""

from __future__ import annotations

import copy
from typing import Any

from escpos.printer import Dummy
from PIL import Image

#: Rows per ``GS v 0`` band: below the 16-bit limit and small enough for printers' input buffers.
BAND_ROWS = 480


def _with_media_width(printer: Dummy, width_dots: int) -> None:
    """Tell python-escpos the paper width so it checks the image (and stops printing a warning)."""
    data = copy.deepcopy(printer.profile.profile_data)
    data["media"] = {"dpi": 203, "width": {"mm": width_dots // 8, "pixels": width_dots}}
    printer.profile.profile_data = data


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


def receipt_job(image: Any, width_dots: int, cut: bool = True) -> bytes:
    """ESC @ + GS v 0 raster band(s) + feed + GS V: the whole job as bytes."""
    one_bit = to_one_bit(image, width_dots)
    printer = Dummy()
    _with_media_width(printer, width_dots)
    printer.hw("INIT")
    printer.image(one_bit, impl="bitImageRaster", fragment_height=BAND_ROWS)
    if cut:
        printer.cut()
    else:
        printer.print_and_feed(6)
    return bytes(printer.output)
