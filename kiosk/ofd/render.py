"""Drawing a page: to a Pillow image for the screen (cached) and to vector PDF for A4.

Raster: everything is drawn at twice the asked size and scaled down (supersampling: ImageDraw draws
without anti-aliasing). Filled shapes with several contours (glyphs, paths with holes) are filled
by XOR of their contours (even-odd), which is how glyph outlines are meant to look. Glyph masks are
cached per glyph and pixel size, because a certificate repeats few characters many times.
"""

from __future__ import annotations

import io
import math
import threading
from collections import OrderedDict

from PIL import Image, ImageChops, ImageDraw, UnidentifiedImageError

from kiosk import session_memory
from kiosk.ofd.document import OfdDocument
from kiosk.ofd.draw import DisplayList, GlyphOp, ImageOp, Matrix, PathOp, apply, display_list, mul
from kiosk.ofd.errors import OfdError

SUPERSAMPLE = 2
_CACHE: OrderedDict[tuple[str, int, int], Image.Image] = OrderedDict()
_CACHE_SIZE = 12
_LOCK = threading.Lock()
_GLYPHS: OrderedDict[tuple[str, str, int, int], tuple[Image.Image, int, int]] = OrderedDict()


def release_pages() -> bool:
    """The session ended (kiosk.session_memory): drop the drawn pages and the glyph masks.

    WHY: the pages are the citizen's certificates, drawn (up to 12, 6-12 MB each at the screen's
    and the A4 copy's widths); kept, they were personal data outliving the session and most of what
    the terminal's memory had grown by at rest. The glyph masks are the characters of their text.
    """
    with _LOCK:
        had = bool(_CACHE) or bool(_GLYPHS)
        _CACHE.clear()
        _GLYPHS.clear()
    return had


session_memory.register("ofd-pages", release_pages)


def render_page(doc: OfdDocument, index: int, *, width_px: int) -> Image.Image:
    """Page ``index`` as an RGB image ``width_px`` wide (a copy of the cached one)."""
    if not 16 <= width_px <= 8000:
        raise OfdError("显示宽度超出范围", "bad_width")
    key = (doc.digest, index, width_px)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit.copy()
    img = _render(
        display_list(doc, index), width_px, doc.limits.max_image_pixels, doc.limits.max_render_pixels
    )
    with _LOCK:
        _CACHE[key] = img
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return img.copy()


def _render(
    dl: DisplayList, width_px: int, max_image_pixels: int, max_render_pixels: int, ss: int = SUPERSAMPLE
) -> Image.Image:
    scale = width_px / dl.width_mm
    height_px = max(1, round(dl.height_mm * scale))
    if width_px * height_px * ss * ss > max_render_pixels:
        ss = 1
        if width_px * height_px > max_render_pixels:
            raise OfdError("页面尺寸过大，无法显示", "page_too_large")
    canvas = Image.new("RGB", (width_px * ss, height_px * ss), (255, 255, 255))
    _draw_list(canvas, dl, (scale * ss, 0, 0, scale * ss, 0, 0), max_image_pixels)
    if ss > 1:
        canvas = canvas.resize((width_px, height_px), Image.Resampling.BOX)
    return canvas


def _draw_list(canvas: Image.Image, dl: DisplayList, dev: Matrix, max_image_pixels: int) -> None:
    draw = ImageDraw.Draw(canvas, "RGBA")
    for op in dl.ops:
        if isinstance(op, GlyphOp):
            _glyph(canvas, op, dev)
        elif isinstance(op, PathOp):
            _path(canvas, draw, op, dev)
        elif isinstance(op, ImageOp):
            _image(canvas, draw, op, dev, max_image_pixels)


def _bbox(points: list[tuple[float, float]]) -> tuple[int, int, int, int]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)) + 1, math.ceil(max(ys)) + 1


def _fill_mask(
    contours: list[list[tuple[float, float]]], size: tuple[int, int], off: tuple[int, int]
) -> Image.Image:
    mask = Image.new("1", size, 0)
    if len(contours) == 1:
        ImageDraw.Draw(mask).polygon([(x - off[0], y - off[1]) for x, y in contours[0]], fill=1)
        return mask
    for c in contours:
        one = Image.new("1", size, 0)
        ImageDraw.Draw(one).polygon([(x - off[0], y - off[1]) for x, y in c], fill=1)
        mask = ImageChops.logical_xor(mask, one)
    return mask


def _paint(
    canvas: Image.Image, mask: Image.Image, pos: tuple[int, int], rgba: tuple[int, int, int, int]
) -> None:
    if rgba[3] < 255:
        mask = mask.convert("L").point(lambda v: v * rgba[3] // 255)
    canvas.paste(rgba[:3], (pos[0], pos[1], pos[0] + mask.width, pos[1] + mask.height), mask)


def _glyph(canvas: Image.Image, op: GlyphOp, dev: Matrix) -> None:
    m = mul(op.matrix, dev)
    contours = op.font.outline(op.gid)
    if not contours:
        return
    axis = abs(m[1]) < 1e-9 and abs(m[2]) < 1e-9
    if axis:  # the usual case: cache the mask by glyph and pixel size
        key = (op.font.key, op.gid, round(m[0] * 1e4), round(m[3] * 1e4))
        hit = _GLYPHS.get(key)
        if hit is None:
            pts = [[(m[0] * x, m[3] * y) for x, y in c] for c in contours]
            x0, y0, x1, y1 = _bbox([p for c in pts for p in c])
            if (x1 - x0) * (y1 - y0) > 4_000_000:
                return
            hit = (_fill_mask(pts, (max(1, x1 - x0), max(1, y1 - y0)), (x0, y0)), x0, y0)
            _GLYPHS[key] = hit
            if len(_GLYPHS) > 4000:
                _GLYPHS.popitem(last=False)
        mask, x0, y0 = hit
        _paint(canvas, mask, (round(m[4]) + x0, round(m[5]) + y0), op.color)
        return
    pts = [[apply(m, x, y) for x, y in c] for c in contours]
    x0, y0, x1, y1 = _bbox([p for c in pts for p in c])
    if (x1 - x0) * (y1 - y0) > 4_000_000:
        return
    _paint(canvas, _fill_mask(pts, (max(1, x1 - x0), max(1, y1 - y0)), (x0, y0)), (x0, y0), op.color)


def _path(canvas: Image.Image, draw: ImageDraw.ImageDraw, op: PathOp, dev: Matrix) -> None:
    pts = [[apply(dev, x, y) for x, y in c] for c in op.contours]
    if op.fill is not None:
        closed = [c for c in pts if len(c) >= 3]
        if closed:
            x0, y0, x1, y1 = _bbox([p for c in closed for p in c])
            x0, y0 = max(0, x0), max(0, y0)
            x1, y1 = min(canvas.width, x1), min(canvas.height, y1)
            if x1 > x0 and y1 > y0:
                _paint(canvas, _fill_mask(closed, (x1 - x0, y1 - y0), (x0, y0)), (x0, y0), op.fill)
    if op.stroke is not None:
        width = max(1, round(op.width * dev[0] / 1)) if op.width > 0 else 1
        for c, closed_flag in zip(pts, op.closed, strict=False):
            line = [*c, c[0]] if closed_flag and len(c) > 2 else c
            if len(line) >= 2:
                draw.line(line, fill=op.stroke, width=width, joint="curve" if width > 2 else None)


def _image(canvas: Image.Image, draw: ImageDraw.ImageDraw, op: ImageOp, dev: Matrix, max_pixels: int) -> None:
    m = mul(op.matrix, dev)
    corners = [apply(m, 0, 0), apply(m, 1, 0), apply(m, 1, 1), apply(m, 0, 1)]
    x0, y0, x1, y1 = _bbox(corners)
    w, h = x1 - x0, y1 - y0
    if w <= 0 or h <= 0 or w * h > 40_000_000:
        return
    if op.ofd_page is not None and isinstance(op.ofd_page, DisplayList):
        inner = op.ofd_page
        sub = (
            m[0] / inner.width_mm,
            m[1] / inner.width_mm,
            m[2] / inner.height_mm,
            m[3] / inner.height_mm,
            m[4] - x0,
            m[5] - y0,
        )
        layer = Image.new("RGB", (w, h), (255, 255, 255))
        _draw_list(layer, inner, sub, max_pixels)
        mask = ImageChops.invert(layer.convert("L")).point(lambda v: 255 if v > 8 else 0)
        canvas.paste(layer, (x0, y0), mask)
        return
    picture = _decode(op.data, max_pixels, (w, h)) if op.data is not None else None
    if picture is None:
        _placeholder(draw, corners, op.label or "图片")
        return
    if abs(m[1]) < 1e-9 and abs(m[2]) < 1e-9:
        if m[0] < 0:
            picture = picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        if m[3] < 0:
            picture = picture.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        picture = picture.resize(
            (max(1, round(abs(m[0]))), max(1, round(abs(m[3])))), Image.Resampling.BILINEAR
        )
        pos = (round(min(corners[0][0], corners[2][0])), round(min(corners[0][1], corners[2][1])))
    else:
        # inverse of device ← unit square, for Image.transform (output pixel → input pixel)
        a, b, c, d, e, f = m
        det = a * d - b * c
        if abs(det) < 1e-12:
            return
        ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
        pw, ph = picture.size
        coeffs = (
            ia * pw,
            ic * pw,
            (ia * (x0 - e) + ic * (y0 - f)) * pw,
            ib * ph,
            id_ * ph,
            (ib * (x0 - e) + id_ * (y0 - f)) * ph,
        )
        picture = picture.transform((w, h), Image.Transform.AFFINE, coeffs, Image.Resampling.BILINEAR)
        pos = (x0, y0)
    if op.alpha < 255:
        alpha = picture.getchannel("A").point(lambda v: v * op.alpha // 255)
        picture.putalpha(alpha)
    canvas.paste(picture.convert("RGB"), pos, picture.getchannel("A"))


def _decode(data: bytes, max_pixels: int, target: tuple[int, int]) -> Image.Image | None:
    """A picture as RGBA, or None when it cannot be decoded or is larger than the cap."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > max_pixels:
                return None
            probe.draft("RGB", target)  # a JPEG decodes at a smaller scale when that is enough
            picture = probe.convert("RGBA")
        return picture
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError, EOFError):
        return None


def _placeholder(draw: ImageDraw.ImageDraw, corners: list[tuple[float, float]], label: str) -> None:
    draw.polygon(corners, fill=(235, 235, 235, 255), outline=(150, 150, 150, 255))
    draw.line([corners[0], corners[2]], fill=(170, 170, 170, 255))
    draw.line([corners[1], corners[3]], fill=(170, 170, 170, 255))
