"""加注件: a PNG of a certificate face, watermarked for one use (国办函〔2016〕108号).

The font is found here rather than through the kiosk (a separate program): the Simplified Chinese
face of Debian's Noto Sans CJK collection, picked by its family name because the first face of the
collection is the Japanese one.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

COLLECTIONS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
SC_FAMILY = "Noto Sans CJK SC"


@lru_cache(maxsize=1)
def _sc_face() -> tuple[str, int] | None:
    for path in COLLECTIONS:
        if not Path(path).is_file():
            continue
        for index in range(16):
            try:
                font = ImageFont.truetype(path, 12, index=index)
            except OSError:
                break
            if font.getname()[0] == SC_FAMILY:
                return path, index
    return None


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    face = _sc_face()
    if face is None:  # no CJK font: still produce an image rather than fail the request
        return ImageFont.load_default(size)
    return ImageFont.truetype(face[0], size, index=face[1])


def drawable(text: str) -> str:
    """``text`` without the characters a text layout cannot place on one line.

    WHY: Pillow's raqm layout fails outright (RuntimeError) on paragraph separators such as U+001C,
    U+001D, U+001E, U+0085, U+2029 and CR; a copy must never fail for what a caller typed, so
    everything not printable (controls, separators, format characters) is left out.
    """
    return "".join(c for c in text if c.isprintable())


def watermark_sentence(issuer: str, expiry: date) -> str:
    until = f"{expiry.year}年{expiry.month}月{expiry.day}日"
    return f"此件由{issuer}提供，仅供办理政务服务事项时使用，有效期至{until}"


def render_copy(record: dict[str, Any], use_cause: str, expiry: date, made_at: datetime) -> bytes:
    width, height = 1240, 1754 // 2 + 200
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    title, body, small = font(48), font(30), font(24)
    draw.rectangle((20, 20, width - 20, height - 20), outline=(160, 30, 30), width=4)
    draw.text((width // 2, 70), drawable(record["name"]), font=title, fill="black", anchor="mm")
    draw.text((width - 40, 40), "演示数据 DEMO", font=small, fill=(150, 150, 150), anchor="ra")
    y = 140
    for field in record["face"]:
        draw.text((70, y), drawable(f"{field['label']}："), font=body, fill=(60, 60, 60))
        draw.text((330, y), drawable(str(field["value"]))[:40], font=body, fill="black")
        y += 48
    y += 10
    for line in (
        f"证照编号：{record['number']}",
        f"颁发机构：{record['issuer']}",
        f"证照标识：{record['identifier']}",
    ):
        draw.text((70, y), drawable(line), font=small, fill=(60, 60, 60))
        y += 34
    # diagonal repeated watermark with the use cause, over the whole face
    mark = Image.new("RGBA", img.size, (255, 255, 255, 0))
    mdraw = ImageDraw.Draw(mark)
    use_cause = drawable(use_cause)
    text = f"仅用于：{use_cause}"
    for yy in range(-200, height + 400, 220):
        for xx in range(-400, width + 400, 700):
            mdraw.text((xx, yy), text, font=body, fill=(200, 0, 0, 70))
    mark = mark.rotate(25, center=(width // 2, height // 2))
    img = Image.alpha_composite(img.convert("RGBA"), mark).convert("RGB")
    draw = ImageDraw.Draw(img)
    sentence = drawable(watermark_sentence(record["issuer"], expiry))
    draw.text((width // 2, height - 120), sentence, font=small, fill=(160, 30, 30), anchor="mm")
    draw.text((width // 2, height - 80), f"事由：{use_cause}", font=small, fill=(160, 30, 30), anchor="mm")
    draw.text(
        (width // 2, height - 45),
        f"制作时间：{made_at:%Y-%m-%d %H:%M}",
        font=small,
        fill=(120, 120, 120),
        anchor="mm",
    )
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False)
    return out.getvalue()
