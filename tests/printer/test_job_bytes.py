"""The one-pass ESC/POS encoder writes the bytes python-escpos writes, for the same image.

The reference is python-escpos itself (``Dummy().image(..., impl="bitImageRaster")``, what
drivers/printer/job_bytes.py called before), and both streams are decoded back to paper with the
tests' own ESC/POS decoder.
"""

from __future__ import annotations

import copy
import random

import pytest
from PIL import Image

from drivers.printer import escpos_cache
from drivers.printer.job_bytes import BAND_ROWS, receipt_job
from kiosk.receipt.render import render
from tests.printer.helpers import same_pixels, sample_receipt
from tests.support.escpos_decode import decode


def escpos_job(image: Image.Image, width_dots: int, cut: bool = True) -> bytes:
    """The job as python-escpos 3.1 builds it (the previous implementation, kept as the reference)."""
    escpos_cache.prepare()
    from escpos.printer import Dummy

    one_bit = image if image.mode == "1" else image.convert("L").point(lambda v: 255 if v >= 128 else 0)
    one_bit = one_bit.convert("1", dither=Image.Dither.NONE)
    printer = Dummy()
    data = copy.deepcopy(printer.profile.profile_data)
    data["media"] = {"dpi": 203, "width": {"mm": width_dots // 8, "pixels": width_dots}}
    printer.profile.profile_data = data
    printer.hw("INIT")
    printer.image(one_bit, impl="bitImageRaster", fragment_height=BAND_ROWS)
    if cut:
        printer.cut()
    else:
        printer.print_and_feed(6)
    return bytes(printer.output)


@pytest.mark.parametrize("width", [384, 576])
def test_the_receipt_job_is_byte_for_byte_what_python_escpos_makes(width: int) -> None:
    image = render(sample_receipt(), width)
    assert image.height > BAND_ROWS  # several bands
    job = receipt_job(image, width)
    assert job == escpos_job(image, width)
    [page] = decode(job).pages
    assert page.raster is not None and same_pixels(page.raster, image)
    assert page.cut == "full"


def noise(width: int, height: int, seed: int) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes("1", (width, height), rng.randbytes(((width + 7) // 8) * height))


@pytest.mark.parametrize(
    ("width", "height"),
    [(1, 1), (7, 3), (100, BAND_ROWS + 1), (383, 2 * BAND_ROWS), (384, BAND_ROWS), (576, 3 * BAND_ROWS + 17)],
)
def test_odd_sizes_and_band_edges(width: int, height: int) -> None:
    """Widths that are not a multiple of 8 (padding bits stay white) and heights on, just over and
    well past the band size."""
    image = noise(width, height, width * 1000 + height)
    for cut in (True, False):
        job = receipt_job(image, 576, cut=cut)
        assert job == escpos_job(image, 576, cut=cut)
    [page] = decode(receipt_job(image, 576)).pages
    assert page.raster is not None and page.raster.width == (width + 7) // 8 * 8
    assert same_pixels(page.raster.crop((0, 0, width, height)), image)
    padding = page.raster.crop((width, 0, page.raster.width, height)).convert("L")
    assert padding.width == 0 or padding.getextrema() == (255, 255)  # no dots past the image


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "P"])
def test_other_modes_are_thresholded_the_same_way(mode: str) -> None:
    grey = Image.linear_gradient("L").resize((200, 90))
    image = grey.convert(mode)
    assert receipt_job(image, 384) == escpos_job(image, 384)


def test_too_wide_or_empty_images_are_refused() -> None:
    with pytest.raises(ValueError, match="paper takes 384"):
        receipt_job(Image.new("1", (385, 10), 1), 384)
    with pytest.raises(ValueError, match="empty"):
        receipt_job(Image.new("1", (0, 10), 1), 384)
    with pytest.raises(TypeError):
        receipt_job(b"not an image", 384)
