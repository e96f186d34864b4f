"""QR decoder: zxing-cpp first, then targeted extra passes only when the first finds nothing.

WHY this shape: zxing-cpp alone reads ~92 % of real photos in well under a millisecond, so the
common case must stay one zxing-cpp call. Its misses fall in two groups:

* a code was located but failed error correction (zxing-cpp reports it with ``return_errors``):
  small modules (phone screens at 2–3 px per module), uneven light, or a curved surface. We then
  work on that region only: another binariser, an upscaled and sharpened crop, and last OpenCV's
  curved-surface decoder. Cheap because the crop is small.
* nothing was located: a global-histogram binariser, then a sharpened frame (blurred finder
  patterns), then an upscaled frame (tiny images) — each also feeding the region passes above.

Frames without any code (the idle camera, the false-positive photos) run every whole-frame pass, so
those passes are kept few and cheap. Nothing the underlying libraries raise escapes ``decode``: a
bad frame is a frame with no code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
import zxingcpp

from drivers.camera.payload_text import decode_eci_segments, decode_plain, parse_eci_segments

log = logging.getLogger(__name__)

Point = tuple[int, int]
Quad = tuple[Point, Point, Point, Point]

_QR_FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode)
_ECI_SYMBOLOGY_IDS = {b"]Q2", b"]Q4", b"]Q6"}  # AIM ids of QR codes with ECI designators
_GH = zxingcpp.Binarizer.GlobalHistogram


@dataclass(frozen=True, slots=True)
class DecodedCode:
    """One decoded code.

    ``text`` is None when the payload is not text under the strict rules (binary, or a charset the
    code does not declare and zxing-cpp did not detect); ``raw`` always holds the payload bytes.
    ``position`` is the four corners (top-left, top-right, bottom-right, bottom-left) in the
    coordinates of the image passed in. ``method`` names the pass that read it.
    """

    text: str | None
    raw: bytes
    charset: str | None
    position: Quad
    format: str = "QRCode"
    method: str = "zxing"
    extra: dict[str, str] = field(default_factory=dict)

    def display_text(self) -> str:
        """Text for callers that need a string: undecodable bytes become U+FFFD, never mojibake."""
        return self.text if self.text is not None else self.raw.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class _View:
    """An image handed to zxing-cpp, and how its coordinates map back to the caller's."""

    image: np.ndarray
    scale: float = 1.0
    offset: tuple[int, int] = (0, 0)

    def back(self, x: float, y: float) -> Point:
        return round(x / self.scale) + self.offset[0], round(y / self.scale) + self.offset[1]


def _to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    channels = image.shape[2]
    if channels == 1:
        return image[:, :, 0]
    if channels == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _read(image: np.ndarray, **kwargs: object) -> list[zxingcpp.Barcode]:
    try:
        return list(zxingcpp.read_barcodes(image, formats=_QR_FORMATS, **kwargs))  # type: ignore[arg-type]
    except Exception:  # the C++ layer may raise anything on odd input; a bad frame has no code
        log.debug("zxing-cpp failed on a frame", exc_info=True)
        return []


def _upscale(image: np.ndarray, factor: float, interpolation: int = cv2.INTER_CUBIC) -> np.ndarray:
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=interpolation)


def _sharpen(image: np.ndarray, sigma: float, amount: float = 1.0) -> np.ndarray:
    """Unsharp mask: restores the edges of small modules that the lens and JPEG smeared."""
    return cv2.addWeighted(image, 1 + amount, cv2.GaussianBlur(image, (0, 0), sigma), -amount, 0)


def _box_sharpen(image: np.ndarray, size: int) -> np.ndarray:
    return cv2.addWeighted(image, 2.0, cv2.blur(image, (size, size)), -1.0, 0)


def _bounds(barcode: zxingcpp.Barcode) -> tuple[int, int, int, int]:
    p = barcode.position
    xs = [p.top_left.x, p.top_right.x, p.bottom_right.x, p.bottom_left.x]
    ys = [p.top_left.y, p.top_right.y, p.bottom_right.y, p.bottom_left.y]
    return min(xs), min(ys), max(xs), max(ys)


class QrDecoder:
    """Decode QR codes from BGR, BGRA or grey numpy images.

    ``thorough=False`` keeps only the single zxing-cpp pass (the baseline). Whole-frame retries
    depend on the longest side: up to ``small_side`` (thumbnails, small photos) the image is tried
    upscaled 2×; from ``frame_side`` (HD camera frames) sharpened, and below ``upscale_below``
    (720p class; 1080p frames already have 1.5× the pixels per module) also 1.5× sharpened; in between
    only the global-histogram retry and the region passes run (WHY: an idle camera runs every
    whole-frame pass on every frame, so they must stay cheap where they rarely help).
    ``curved`` enables OpenCV's curved-surface decoder on located-but-unreadable regions up to
    ``curved_max_side`` pixels.
    """

    def __init__(
        self,
        *,
        thorough: bool = True,
        small_side: int = 512,
        frame_side: int = 960,
        upscale_below: int = 1600,
        curved: bool = True,
        curved_max_side: int = 480,
    ) -> None:
        self.thorough = thorough
        self.small_side = small_side
        self.frame_side = frame_side
        self.upscale_below = upscale_below
        self.curved = curved
        self.curved_max_side = curved_max_side
        self._cv_detector: cv2.QRCodeDetector | None = None

    def decode(self, image: np.ndarray, *, thorough: bool | None = None) -> list[DecodedCode]:
        """All codes in ``image`` (empty when none, or on any failure).

        ``thorough`` overrides the instance setting for this call (the scanner runs the extra
        passes on some frames only, to bound the CPU an idle camera costs).
        """
        try:
            if not isinstance(image, np.ndarray) or image.size == 0 or image.ndim not in (2, 3):
                return []
            if image.dtype != np.uint8:
                return []
            full = self.thorough if thorough is None else thorough
            return self._decode(np.ascontiguousarray(_to_gray(image)), full)
        except Exception:  # never let a decode failure reach the capture loop or the UI
            log.warning("QR decode failed on a frame", exc_info=True)
            return []

    # ----------------------------------------------------------------------------------------- passes

    def _decode(self, gray: np.ndarray, thorough: bool) -> list[DecodedCode]:
        view = _View(gray)
        found, located = self._attempt(view, "zxing")
        if found or not thorough:
            return found
        tried: list[tuple[int, int, int, int]] = []
        for method, candidate_view, kwargs in self._whole_frame_views(gray):
            if located:
                found = self._regions(gray, located, tried)
                if found:
                    return found
            found, located = self._attempt(candidate_view, method, **kwargs)
            if found:
                return found
        if located:
            return self._regions(gray, located, tried)
        return []

    def _whole_frame_views(self, gray: np.ndarray) -> Iterator[tuple[str, _View, dict[str, object]]]:
        """Whole-frame retries, cheapest first; generated lazily so that a hit stops the work."""
        yield "global-histogram", _View(gray), {"binarizer": _GH}
        side = max(gray.shape)
        if side <= self.small_side:
            # small photos: modules of 1–2 px need more pixels, not sharper ones
            yield "upscaled-2x-gh", _View(_upscale(gray, 2.0), 2.0), {"binarizer": _GH}
        elif side >= self.frame_side:
            # HD camera frames: blurred finder patterns of small codes (phone screens at arm's length).
            # Box-blur unsharp masks: a third of the cost of Gaussian ones, the same reads here.
            yield "sharpened", _View(_box_sharpen(gray, 3)), {}
            if side < self.upscale_below:
                yield "upscaled-1.5x-sharpened", _View(_box_sharpen(_upscale(gray, 1.5), 5), 1.5), {}

    def _regions(
        self,
        gray: np.ndarray,
        located: list[tuple[zxingcpp.Barcode, _View]],
        tried: list[tuple[int, int, int, int]],
    ) -> list[DecodedCode]:
        """Work on the crops around codes that were located but not read."""
        h, w = gray.shape
        for barcode, view in located:
            if barcode.format != zxingcpp.BarcodeFormat.QRCode:
                continue  # Micro QR "candidates" are mostly finder-pattern look-alikes
            x0, y0, x1, y1 = _bounds(barcode)
            x0, y0 = view.back(x0, y0)
            x1, y1 = view.back(x1, y1)
            margin = int(0.3 * max(x1 - x0, y1 - y0)) + 8
            box = (max(x0 - margin, 0), max(y0 - margin, 0), min(x1 + margin, w), min(y1 + margin, h))
            if box[2] - box[0] < 8 or box[3] - box[1] < 8:
                continue
            if any(_overlap(box, seen) > 0.7 for seen in tried):
                continue
            tried.append(box)
            crop = np.ascontiguousarray(gray[box[1] : box[3], box[0] : box[2]])
            offset = (box[0], box[1])
            side = max(crop.shape)
            for method, region_view, kwargs in self._region_views(crop, offset):
                found, _ = self._attempt(region_view, method, **kwargs)
                if found:
                    return found
            if self.curved and side <= self.curved_max_side:
                found = self._opencv_curved(crop, offset)
                if found:
                    return found
        return []

    @staticmethod
    def _region_views(
        crop: np.ndarray, offset: tuple[int, int]
    ) -> Iterator[tuple[str, _View, dict[str, object]]]:
        """Retries on one region, lazily: another binariser, then more pixels per module with the
        edges restored (small modules smeared by lens, screen and JPEG)."""
        yield "region-gh", _View(crop, 1.0, offset), {"binarizer": _GH}
        yield "region-2x-sharpened", _View(_sharpen(_upscale(crop, 2.0), 2.0), 2.0, offset), {}
        if max(crop.shape) <= 600:
            yield "region-3x-sharpened", _View(_sharpen(_upscale(crop, 3.0), 3.0), 3.0, offset), {}

    def _attempt(
        self, view: _View, method: str, **kwargs: object
    ) -> tuple[list[DecodedCode], list[tuple[zxingcpp.Barcode, _View]]]:
        """One zxing-cpp call; returns the read codes and the located-but-unread ones."""
        barcodes = _read(view.image, return_errors=True, text_mode=zxingcpp.TextMode.HexECI, **kwargs)
        valid = [b for b in barcodes if b.valid]
        located = [(b, view) for b in barcodes if not b.valid]
        return self._results(valid, view, kwargs, method), located

    def _results(
        self, barcodes: list[zxingcpp.Barcode], view: _View, kwargs: dict[str, object], method: str
    ) -> list[DecodedCode]:
        seen: set[bytes] = set()
        out: list[DecodedCode] = []
        for b in barcodes:
            raw = bytes(b.bytes)
            if raw in seen:
                continue
            seen.add(raw)
            text, charset = self._strict_text(b, view, kwargs)
            p = b.position
            corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
            quad = tuple(view.back(c.x, c.y) for c in corners)
            out.append(
                DecodedCode(
                    text=text,
                    raw=raw,
                    charset=charset,
                    position=quad,  # type: ignore[arg-type]
                    format=b.format.name,
                    method=method,
                    extra=_extra(b),
                )
            )
        return out

    @staticmethod
    def _strict_text(
        barcode: zxingcpp.Barcode, view: _View, kwargs: dict[str, object]
    ) -> tuple[str | None, str | None]:
        """Text by the strict rules. Codes are read in ``HexECI`` mode, whose content is the AIM
        symbology identifier plus the payload with its ECI designators: the only place the
        Python binding shows whether (and which) ECI the code declares."""
        raw = bytes(barcode.bytes)
        try:
            bytes_eci = bytes.fromhex(barcode.text)
        except ValueError:
            bytes_eci = b""
        if bytes_eci[:3] in _ECI_SYMBOLOGY_IDS:
            decoded = decode_eci_segments(parse_eci_segments(bytes_eci))
            return decoded if decoded else (None, None)
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        # Rare: no ECI and not UTF-8. Read again for zxing-cpp's own charset detection.
        for again in _read(view.image, text_mode=zxingcpp.TextMode.Plain, **kwargs):
            if bytes(again.bytes) == raw:
                binary = again.content_type == zxingcpp.ContentType.Binary
                decoded = decode_plain(raw, again.text, zxing_says_binary=binary)
                return decoded if decoded else (None, None)
        return None, None

    def _opencv_curved(self, crop: np.ndarray, offset: tuple[int, int]) -> list[DecodedCode]:
        """OpenCV's decoder for codes on curved surfaces (fabric, bottles) — slow, so last and
        only on a small region. OpenCV hands back text, not bytes: a payload that is not valid
        UTF-8 raises inside the binding and counts as unread."""
        if self._cv_detector is None:
            self._cv_detector = cv2.QRCodeDetector()
        try:
            text, points, _ = self._cv_detector.detectAndDecodeCurved(crop)
        except Exception:
            return []
        if not text or points is None:
            return []
        pts = np.asarray(points).reshape(-1, 2)
        if pts.shape[0] < 4:
            return []
        quad = tuple((round(float(x)) + offset[0], round(float(y)) + offset[1]) for x, y in pts[:4])
        return [
            DecodedCode(
                text=text,
                raw=text.encode("utf-8"),
                charset="utf-8",
                position=quad,  # type: ignore[arg-type]
                method="opencv-curved",
            )
        ]


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return inter / smaller if smaller > 0 else 0.0


def _extra(barcode: zxingcpp.Barcode) -> dict[str, str]:
    extra = barcode.extra
    return {str(k): str(v) for k, v in extra.items()} if isinstance(extra, dict) else {}
