"""The receipt renderer's shortcuts draw exactly what the libraries draw.

Remembered line masks against ImageDraw.text, the vectorised QR mask choice against qrcode's own
search (matrix and image), and caches that never carry one receipt into another.
"""

from __future__ import annotations

import importlib
import random
import string

import numpy as np
import pytest
import qrcode
import qrcode.constants
from PIL import Image, ImageDraw

from kiosk.receipt.qr_matrix import qr_image, qr_matrix
from kiosk.receipt.samples import sample_certificate_receipt
from tests.printer.helpers import FIXED_TIME, qr_texts, same_pixels

render_module = importlib.import_module("kiosk.receipt.render")  # the package exports render()


@pytest.mark.parametrize("size", [18, 24, 36])
@pytest.mark.parametrize("bold", [False, True])
def test_a_remembered_line_is_the_line_imagedraw_draws(size: int, bold: bool) -> None:
    font = render_module._font(size, bold)
    rng = random.Random(size * 2 + bold)
    texts = [
        "覃䶮 450206199005170038",
        "有效期至 2027年3月15日。",
        "★ 测试数据 · 非真实信息 ★",
        "ABC-123/x",
        "",
    ]
    for text in texts:
        for _ in range(3):
            xy = (rng.uniform(0, 60), rng.uniform(0, 20))  # fractional positions: sub-dot starts
            for fill in (0, 255):
                expected = Image.new("L", (700, 80), 255 - fill)
                ImageDraw.Draw(expected).text(xy, text, fill=fill, font=font)
                for _ in range(2):  # the second time from the cache
                    got = Image.new("L", (700, 80), 255 - fill)
                    render_module.draw_line(ImageDraw.Draw(got), xy, text, font, fill)
                    assert same_pixels(got, expected), (text, xy, fill)


def qrcode_symbol(data: bytes) -> tuple[list[list[bool]], Image.Image]:
    """qrcode's own result: its matrix and its image (box 3, 4-module border)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=3)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    return code.modules, image


def payloads() -> list[str]:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + ":-._ 测"
    out = [
        f"KIOSK-V1:LJ-ZZ-DEMO:20261129{i:06d}-{rng.randbytes(3).hex()}:{rng.randbytes(4).hex()}"
        for i in range(60)
    ]
    out += ["".join(rng.choice(alphabet) for _ in range(n)) for n in (1, 5, 17, 40, 90, 150, 260, 400)]
    out += ["12345678901234567890", "HELLO WORLD 123", "a" * 120]  # numeric, alphanumeric, repetitive
    return out


def test_the_qr_matrix_and_mask_are_qrcodes_own() -> None:
    versions = set()
    for payload in payloads():
        expected, image = qrcode_symbol(payload.encode("utf-8"))
        got = qr_matrix(payload.encode("utf-8"))
        assert np.array_equal(got, np.array(expected, dtype=bool)), payload
        versions.add((len(expected) - 17) // 4)
        assert same_pixels(qr_image(payload, image.width), image), payload
    assert min(versions) <= 2 and max(versions) >= 7  # small symbols and ones with version information


def test_receipt_qr_codes_scan_back() -> None:
    payload = "KIOSK-V1:LJ-ZZ-DEMO:20261129150700-a1b2c3:bc762e28"
    image = qr_image(payload, 280)
    assert image.mode == "L" and qr_texts(image) == [payload]


def test_receipts_drawn_in_turn_do_not_borrow_from_each_other() -> None:
    a = sample_certificate_receipt(issued_at=FIXED_TIME, receipt_id="20261129150700-a1b2c3")
    b = sample_certificate_receipt(issued_at=FIXED_TIME.replace(hour=9), receipt_id="20261129090000-ffffff")
    for width in (384, 576):
        first = render_module.render(a, width)
        other = render_module.render(b, width)
        assert not same_pixels(first, other)
        render_module.forget_all()
        assert same_pixels(render_module.render(a, width), first)  # drawn afresh: the same paper
        assert same_pixels(render_module.render(a, width), first)  # from the caches: the same paper
        [code] = qr_texts(render_module.render(b, width))
        assert code.startswith("KIOSK-V1:LJ-ZZ-DEMO:20261129090000-ffffff:")


def test_the_caches_stay_bounded() -> None:
    font = render_module._font(24, False)
    canvas = ImageDraw.Draw(Image.new("L", (600, 40), 255))
    for i in range(render_module._LINE_MASKS_KEPT + 50):
        render_module.draw_line(canvas, (8, 0), f"第{i}行", font, 0, fixed=True)
    kept = render_module._LINE_MASKS
    assert len(kept) <= render_module._LINE_MASKS_KEPT == kept.maxsize
    assert "第0行" not in render_module.kept_texts()  # the oldest went first
    assert f"第{render_module._LINE_MASKS_KEPT + 49}行" in render_module.kept_texts()


def test_warm_up_leaves_the_shared_lines_remembered() -> None:
    render_module.forget_all()
    render_module.warm_up(576)
    before = set(render_module.kept_texts())
    assert {"电子证照查询凭条", "证件号码：", "工作人员扫码核验本凭条"} <= before
    receipt = sample_certificate_receipt(
        issued_at=FIXED_TIME.replace(hour=10), receipt_id="20261129100000-0a0b0c"
    )
    render_module.render(receipt, 576)
    added = set(render_module.kept_texts()) - before
    # only the lines with this receipt's own validity date are new (warm_up drew today's)
    assert added and all("2026" in text or "年" in text for text in added), added
