"""The heavy part of showing a certificate as issued, run in the verifier process.

Open the OFD file, verify its seals against the terminal's trust anchors, and draw its first page
twice: as issued, and with the personal fields covered for onlookers (the boxes come from the
record's OFD link). WHY in the verifier process (kiosk.backend.verifier): verification and drawing
are pure-Python work of tens to hundreds of milliseconds that would otherwise hold the GIL the UI
thread needs; only plain values (statuses, reasons, pixels) come back through the pipe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageDraw

# outcome of the seal check, for the screen (kiosk.issued.service turns it into words)
VALID = "valid"
TAMPERED = "tampered"
UNKNOWN_SIGNER = "unknown_signer"
EXPIRED = "expired"
UNSUPPORTED = "unsupported"
UNSIGNED = "unsigned"
UNREADABLE = "unreadable"
UNFETCHED = "unfetched"  # the file could not be fetched: no check ran (kiosk.issued.service)

COVER_FILL = (214, 219, 226)
COVER_EDGE = (150, 158, 170)


@dataclass(frozen=True)
class SealCheck:
    status: str  # one of the constants above
    reason: str = ""  # the verifier's reason (plain Chinese) for the first signature not VALID
    file: str = ""  # the file whose digest differs (TAMPERED)
    seal_name: str = ""
    signed_at: str = ""


@dataclass(frozen=True)
class Drawn:
    """The first page as RGB pixels (top row first), as issued and with the cover."""

    check: SealCheck
    width: int = 0
    height: int = 0
    clear: bytes = b""
    covered: bytes = b""


def check_seals(data: bytes, anchors: Sequence[bytes], at: datetime | None = None) -> SealCheck:
    """Every signature of the file must be VALID for a VALID outcome; the first other one decides."""
    from kiosk.ofd import OfdError, SignatureStatus, open_ofd, verify_signatures

    try:
        doc = open_ofd(data)
        reports = verify_signatures(doc, anchors=list(anchors), at=at)
    except OfdError as exc:
        return SealCheck(UNREADABLE, exc.reason)
    if not reports:
        return SealCheck(UNSIGNED)
    first = reports[0]
    for report in reports:
        if report.status is not SignatureStatus.VALID:
            return SealCheck(
                str(report.status.value).lower(),
                report.reason or "",
                report.file or "",
                report.seal_name or "",
                _when(report.signed_at),
            )
    return SealCheck(VALID, "", "", first.seal_name or "", _when(first.signed_at))


def _when(value: object) -> str:
    if isinstance(value, datetime):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value or "")


def check_and_draw(
    data: bytes,
    anchors: Sequence[bytes],
    width_px: int,
    cover: Sequence[tuple[float, float, float, float]],
    at: datetime | None = None,
) -> Drawn:
    """Seals checked, then page 0 drawn ``width_px`` wide; ``cover`` boxes are page fractions."""
    from kiosk.ofd import OfdError, open_ofd, render_page

    check = check_seals(data, anchors, at)
    if check.status == UNREADABLE:
        return Drawn(check)
    try:
        doc = open_ofd(data)
        image = render_page(doc, 0, width_px=width_px).convert("RGB")
    except OfdError as exc:
        return Drawn(SealCheck(UNREADABLE, exc.reason))
    return Drawn(check, image.width, image.height, image.tobytes(), covered(image, cover).tobytes())


def covered(image: Image.Image, boxes: Sequence[tuple[float, float, float, float]]) -> Image.Image:
    """A copy of ``image`` with each box (x, y, w, h as fractions of the page) painted over."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    for x, y, w, h in boxes:
        left, top = round(x * out.width), round(y * out.height)
        right, bottom = round((x + w) * out.width), round((y + h) * out.height)
        if right > left and bottom > top:
            draw.rectangle((left, top, right, bottom), fill=COVER_FILL, outline=COVER_EDGE, width=2)
    return out


def draw_for_print(data: bytes, width_px: int) -> bytes:
    """Page 0 as PNG at print resolution (the A4 加注件, kiosk.receipt.a4)."""
    import io

    from kiosk.ofd import open_ofd, render_page

    image = render_page(open_ofd(data), 0, width_px=width_px).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
