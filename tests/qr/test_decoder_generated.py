"""The decoder on generated codes: long URLs, JSON tokens, Chinese text, ECI charsets, binary,
inverted and rotated codes, phone-screen scenes; and garbage input that must not raise."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import qrcode
import zxingcpp

from drivers.camera.decoder import QrDecoder
from drivers.camera.synthetic import SceneParams, render_scene

LONG_URL = "https://lz.gxzf.example/t/" + "AbCdEfGh0123456789_-" * 12 + "?src=wechat&lang=zh-CN#top"
JSON_TOKEN = json.dumps(
    {"t": "lz", "v": 1, "token": "LZ1-9f2a6b0c4d1e8f3a7b5c", "exp": 1764400000, "use": "免证办"},
    ensure_ascii=False,
)
CHINESE = "柳江区政务服务中心 · 电子证照亮证码（测试）：请在有效期内使用。"


def qr_image(payload: str | bytes, *, box: int = 6, border: int = 4) -> np.ndarray:
    """A clean code from the ``qrcode`` library (byte mode, no ECI), as a grey image."""
    qr = qrcode.QRCode(box_size=box, border=border, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(payload.encode("utf-8") if isinstance(payload, str) else payload)
    qr.make(fit=True)
    return np.asarray(qr.make_image().get_image().convert("L"))


def zxing_image(payload: str | bytes, **options: object) -> np.ndarray:
    """A code written by zxing-cpp, which can declare an ECI charset."""
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, **options)
    return np.asarray(barcode.to_image(scale=5))


@pytest.fixture(scope="module")
def decoder() -> QrDecoder:
    return QrDecoder()


@pytest.mark.parametrize("payload", [LONG_URL, JSON_TOKEN, CHINESE, "LZ:LZ1-abcdefgh", "a\\b [b]x[/b] & ;"])
def test_utf8_payloads_round_trip(decoder: QrDecoder, payload: str) -> None:
    [code] = decoder.decode(qr_image(payload))
    assert code.text == payload
    assert code.raw == payload.encode("utf-8")
    assert code.charset == "utf-8"


@pytest.mark.parametrize(
    ("payload", "eci", "charset"),
    [
        (CHINESE, "GB18030", "gb18030"),
        ("亮证码 𠀀 (outside GBK, inside GB 18030)", "GB18030", "gb18030"),
        ("日本語のテキスト", "Shift_JIS", "shift_jis"),
        ("Grüße, €", "ISO8859_15", "iso8859-15"),
        (CHINESE, "UTF8", "utf-8"),
    ],
)
def test_declared_eci_charset_is_honoured(decoder: QrDecoder, payload: str, eci: str, charset: str) -> None:
    [code] = decoder.decode(zxing_image(payload, eci=eci))
    assert code.text == payload
    assert code.charset == charset
    assert code.raw == payload.encode(charset)


def test_gbk_bytes_without_eci_follow_zxing_detection_losslessly(decoder: QrDecoder) -> None:
    """Without ECI the bytes are ambiguous (these GBK bytes are also valid Shift_JIS, and zxing-cpp
    detects Shift_JIS): the text is whatever zxing-cpp detected, but always exactly the bytes in the
    reported charset — never text with substitutions. Generators must declare ECI or use UTF-8."""
    raw = "电子证照".encode("gb18030")
    [code] = decoder.decode(qr_image(raw))
    assert code.raw == raw
    assert code.text is not None and code.charset in ("shift_jis", "gb18030")
    assert code.text.encode(code.charset) == raw
    assert "\ufffd" not in code.text


def test_binary_payload_has_no_text(decoder: QrDecoder) -> None:
    blob = bytes(range(256))
    [code] = decoder.decode(qr_image(blob))
    assert code.text is None
    assert code.raw == blob
    assert "\ufffd" in code.display_text()


def test_inverted_and_rotated_codes(decoder: QrDecoder) -> None:
    image = qr_image(LONG_URL, box=4)
    assert [c.text for c in decoder.decode(255 - image)] == [LONG_URL]
    for rotation in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE):
        assert [c.text for c in decoder.decode(cv2.rotate(image, rotation))] == [LONG_URL]


def test_position_surrounds_the_code(decoder: QrDecoder) -> None:
    code_img = qr_image("LZ:LZ1-position-check", box=5, border=0)
    canvas = np.full((480, 640), 255, np.uint8)
    h, w = code_img.shape
    canvas[100 : 100 + h, 200 : 200 + w] = code_img
    [code] = decoder.decode(canvas)
    xs = [p[0] for p in code.position]
    ys = [p[1] for p in code.position]
    assert abs(min(xs) - 200) <= 6 and abs(max(xs) - (200 + w)) <= 6
    assert abs(min(ys) - 100) <= 6 and abs(max(ys) - (100 + h)) <= 6


@pytest.mark.parametrize("seed", range(6))
def test_phone_screen_scenes(decoder: QrDecoder, seed: int) -> None:
    """720p frames with a phone at arm's length: 3–4 px modules, perspective, glare, moiré, JPEG."""
    rng = np.random.default_rng(seed)
    payload = f"https://lz.gxzf.example/t/LZ1-{seed:02d}" + "x7Kq2" * 6
    params = SceneParams(
        module_px=float(rng.uniform(3.0, 4.0)),
        angle_deg=float(rng.uniform(-20, 20)),
        tilt=0.15,
        dark_mode=seed % 3 == 0,
        inverted=seed == 3,
        blur=0.7,
        glare=0.4,
        moire=0.3,
        jpeg_quality=70,
        noise=3.0,
        seed=seed,
    )
    assert [c.text for c in decoder.decode(render_scene(payload, params))] == [payload]


def test_empty_scene_has_no_code(decoder: QrDecoder) -> None:
    assert decoder.decode(render_scene(None, SceneParams(seed=5))) == []


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((0, 0), np.uint8),
        np.zeros((1, 1), np.uint8),
        np.zeros((1, 100, 3), np.uint8),
        np.zeros((64, 64), np.float32),
        np.zeros((4, 4, 4, 4), np.uint8),
        np.zeros((32, 32, 2), np.uint8),
        np.full((200, 200, 4), 255, np.uint8),
        np.random.default_rng(1).integers(0, 256, size=(480, 640, 3), dtype=np.uint8),
    ],
    ids=["empty", "1x1", "1x100", "float", "4d", "2ch", "bgra", "noise"],
)
def test_garbage_frames_give_nothing_and_never_raise(decoder: QrDecoder, image: np.ndarray) -> None:
    assert decoder.decode(image) == []


def test_non_array_input_gives_nothing(decoder: QrDecoder) -> None:
    assert decoder.decode(None) == []  # type: ignore[arg-type]
    assert decoder.decode(b"not an image") == []  # type: ignore[arg-type]
