"""The decoder on real photos (a small Apache-2.0 sample, see data/README.md): exact texts, strict
charsets, several codes, nothing on code-free images."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drivers.camera.decoder import QrDecoder
from drivers.camera.file_source import read_image

DATA = Path(__file__).parent / "data"
SINGLE = sorted(
    p for p in DATA.iterdir() if p.suffix in (".webp", ".png") and (p.with_suffix(".txt")).exists()
)


@pytest.fixture(scope="module")
def decoder() -> QrDecoder:
    return QrDecoder()


@pytest.mark.parametrize("image", SINGLE, ids=lambda p: p.stem)
def test_real_photo_reads_the_expected_text(decoder: QrDecoder, image: Path) -> None:
    expected = image.with_suffix(".txt").read_bytes().decode("utf-8")
    codes = decoder.decode(read_image(image))
    assert expected in [c.text for c in codes]


def test_shift_jis_without_eci_is_text_in_shift_jis(decoder: QrDecoder) -> None:
    [code] = decoder.decode(read_image(DATA / "zxingcpp-qrcode-2_17.webp"))
    assert code.charset == "shift_jis"
    assert code.raw == code.text.encode("shift_jis") if code.text else False
    assert "\r\n" in (code.text or "")


def test_gb2312_without_eci_keeps_raw_bytes_and_control_characters(decoder: QrDecoder) -> None:
    [code] = decoder.decode(read_image(DATA / "zxing-qrcode-2_33.png"))
    assert code.charset == "gb18030"
    assert code.raw == b"\x01\x10AD:SUB:\xb0\xa2;;"
    assert code.text == "\x01\x10AD:SUB:阿;;"


def test_extra_passes_read_what_plain_zxing_misses(decoder: QrDecoder) -> None:
    plain = QrDecoder(thorough=False)
    for name in ("zxingcpp-qrcode-4_06.webp", "zxingcpp-qrcode-4_09.webp", "zxingcpp-qrcode-2_12.webp"):
        image = read_image(DATA / name)
        expected = (DATA / name).with_suffix(".txt").read_text("utf-8")
        assert plain.decode(image) == []
        [code] = decoder.decode(image)
        assert code.text == expected
        assert code.method != "zxing"


def test_four_codes_in_one_photo_with_positions(decoder: QrDecoder) -> None:
    expected = json.loads((DATA / "zxing-multi-qrcode-1_1.expected.json").read_text("utf-8"))[
        "expected_texts"
    ]
    image = read_image(DATA / "zxing-multi-qrcode-1_1.png")
    codes = decoder.decode(image)
    assert sorted(c.text or "" for c in codes) == sorted(expected)
    h, w = image.shape[:2]
    centres = set()
    for code in codes:
        xs = [p[0] for p in code.position]
        ys = [p[1] for p in code.position]
        assert 0 <= min(xs) < max(xs) <= w and 0 <= min(ys) < max(ys) <= h
        centres.add((sum(xs) // 4 > w // 2, sum(ys) // 4 > h // 2))
    assert len(centres) == 4  # one code per quadrant, as in the photo


@pytest.mark.parametrize(
    "name", ["nocode_zxingcpp-falsepositives-2_01.webp", "nocode_zxingcpp-falsepositives-1_1x1.webp"]
)
def test_no_code_no_result(decoder: QrDecoder, name: str) -> None:
    image = read_image(DATA / name)  # the 1x1 WebP only loads through Pillow
    assert image.ndim == 3
    assert decoder.decode(image) == []
