"""QR decoder: zxing-cpp first, then cheap extra passes only when the first finds nothing.

WHY this shape: zxing-cpp alone reads ~92 % of real photos at ~0.2 ms, so the common case must stay
a single zxing-cpp call. The misses are mostly small modules (phone screens at 2–3 px per module),
uneven lighting and blur; each extra pass targets one of these and runs only after a miss.
Nothing the underlying libraries raise escapes ``decode``: a bad frame is a frame with no code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import zxingcpp

from drivers.camera.payload_text import decode_eci_segments, decode_plain, parse_eci_segments

log = logging.getLogger(__name__)

Point = tuple[int, int]

_QR_FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode)
_ECI_SYMBOLOGY_IDS = {"]Q2", "]Q4", "]Q6"}


@dataclass(frozen=True, slots=True)
class DecodedCode:
    """One decoded code.

    ``text`` is None when the payload is not text under the strict rules (binary, or a charset the
    code does not declare); ``raw`` always holds the payload bytes. ``position`` is the four corners
    (top-left, top-right, bottom-right, bottom-left) in the coordinates of the image passed in.
    """

    text: str | None
    raw: bytes
    charset: str | None
    position: tuple[Point, Point, Point, Point]
    format: str = "QRCode"
    method: str = "zxing"  # which pass found it: for benchmarks and diagnostics
    extra: dict[str, str] = field(default_factory=dict)

    def display_text(self) -> str:
        """Text for callers that need a string: undecodable bytes become U+FFFD, never mojibake."""
        return self.text if self.text is not None else self.raw.decode("utf-8", errors="replace")


def _to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _zxing(gray: np.ndarray, **kwargs: object) -> list[zxingcpp.Barcode]:
    try:
        return list(zxingcpp.read_barcodes(gray, formats=_QR_FORMATS, **kwargs))  # type: ignore[arg-type]
    except Exception:  # the C++ layer may raise anything on odd input; a bad frame has no code
        log.debug("zxing-cpp failed on a frame", exc_info=True)
        return []


def _strict_text(
    barcode: zxingcpp.Barcode, gray: np.ndarray, kwargs: dict[str, object]
) -> tuple[str | None, str | None]:
    raw = bytes(barcode.bytes)
    if barcode.symbology_identifier in _ECI_SYMBOLOGY_IDS:
        # Rare: the code declares its charset(s). Read again for the designators themselves.
        for again in _zxing(gray, text_mode=zxingcpp.TextMode.HexECI, **kwargs):
            if bytes(again.bytes) == raw:
                try:
                    bytes_eci = bytes.fromhex(again.text)
                except ValueError:
                    break
                decoded = decode_eci_segments(parse_eci_segments(bytes_eci))
                return decoded if decoded else (None, None)
        return None, None
    decoded = decode_plain(raw, barcode.text)
    return decoded if decoded else (None, None)


def _position(
    barcode: zxingcpp.Barcode, scale: float, offset: Point = (0, 0)
) -> tuple[Point, Point, Point, Point]:
    p = barcode.position
    corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
    pts = [(round(c.x / scale) + offset[0], round(c.y / scale) + offset[1]) for c in corners]
    return pts[0], pts[1], pts[2], pts[3]


def _extra(barcode: zxingcpp.Barcode) -> dict[str, str]:
    extra = barcode.extra
    return {str(k): str(v) for k, v in extra.items()} if isinstance(extra, dict) else {}


Pass = Callable[[np.ndarray], list[tuple[zxingcpp.Barcode, np.ndarray, float, dict[str, object]]]]


class QrDecoder:
    """Decode QR codes from BGR or grey numpy images.

    ``thorough`` enables the extra passes (default). ``decode`` returns the codes of the first pass
    that finds any, de-duplicated by payload bytes.
    """

    def __init__(self, *, thorough: bool = True) -> None:
        self.thorough = thorough

    def decode(self, image: np.ndarray) -> list[DecodedCode]:
        try:
            return self._decode(image)
        except Exception:  # never let a decode failure reach the capture loop or the UI
            log.warning("QR decode failed on a frame", exc_info=True)
            return []

    # ----------------------------------------------------------------------------------------- passes

    def _decode(self, image: np.ndarray) -> list[DecodedCode]:
        if image is None or image.size == 0 or image.ndim not in (2, 3):
            return []
        gray = np.ascontiguousarray(_to_gray(image))
        passes: Sequence[tuple[str, Callable[[np.ndarray], list[DecodedCode]]]] = [("zxing", self._plain)]
        if self.thorough:
            passes = [*passes, *self._extra_passes()]
        for _name, run in passes:
            found = run(gray)
            if found:
                return found
        return []

    def _extra_passes(self) -> list[tuple[str, Callable[[np.ndarray], list[DecodedCode]]]]:
        return []

    def _results(
        self,
        barcodes: list[zxingcpp.Barcode],
        gray: np.ndarray,
        kwargs: dict[str, object],
        method: str,
        scale: float = 1.0,
    ) -> list[DecodedCode]:
        seen: set[bytes] = set()
        out: list[DecodedCode] = []
        for b in barcodes:
            raw = bytes(b.bytes)
            if raw in seen:
                continue
            seen.add(raw)
            text, charset = _strict_text(b, gray, kwargs)
            out.append(
                DecodedCode(
                    text=text,
                    raw=raw,
                    charset=charset,
                    position=_position(b, scale),
                    format=b.format.name,
                    method=method,
                    extra=_extra(b),
                )
            )
        return out

    def _plain(self, gray: np.ndarray) -> list[DecodedCode]:
        return self._results(_zxing(gray), gray, {}, "zxing")
