"""A4 copies (加注件) through CUPS: a PDF with the backend's copy PNG and the watermark sentence.

fpdf2 embeds the Simplified Chinese OTF from :mod:`kiosk.fonts` as it is: Noto Sans CJK is
CFF-based, and fpdf2 (2.8) writes it as a subset ``CIDFontType0C`` font, so 䶮 and the SC glyph
shapes come out right. Loading and subsetting the 16 MB font takes about 1 s a document, so the
page uses one face (regular) only; run it in a worker thread.

kiosk/ imports no printer library: the queue comes from the wiring as anything with
``submit(data, title, raw=False) -> str`` (``drivers.printer.CupsQueue``).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from PIL import Image, UnidentifiedImageError

from kiosk.fonts import font_path
from kiosk.receipt.contents import DEFAULT_CENTRE, cn_date, watermark_sentence
from kiosk.receipt.messages import DONE_A4, PrinterState, message_for

log = logging.getLogger(__name__)

A4_MM = (210.0, 297.0)
MARGIN_MM = 15.0
MAX_COPY_BYTES = 20_000_000


class A4Queue(Protocol):
    def submit(self, data: bytes, title: str, raw: bool = False) -> str: ...


class CopyImageError(ValueError):
    """The copy from the backend is not a usable image."""


@dataclass(frozen=True, slots=True)
class A4Outcome:
    ok: bool
    state: PrinterState
    message: str
    job_id: str = ""


def _load_copy(png: bytes) -> Image.Image:
    if not png or len(png) > MAX_COPY_BYTES:
        raise CopyImageError(f"copy image is {len(png)} bytes")
    try:
        img = Image.open(io.BytesIO(png))
        img.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise CopyImageError(f"copy is not an image: {exc}") from exc
    if img.width < 10 or img.height < 10:
        raise CopyImageError(f"copy image is {img.width}x{img.height}")
    return img.convert("RGB")


def copy_pdf(
    copy_png: bytes,
    certificate_name: str,
    valid_until: date,
    use_cause: str,
    *,
    centre_name: str = DEFAULT_CENTRE,
    verify_text: str = "",
) -> bytes:
    """One A4 page: heading, the copy image scaled to fit, the watermark sentence and use cause.

    Raises :class:`CopyImageError` for a copy that is not an image.
    """
    from fpdf import FPDF  # here, not at the top: 0.1-0.4 s and ~45 MB at every start, for a rare A4 copy

    img = _load_copy(copy_png)
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_title(f"{certificate_name} 加注件")
    pdf.add_font("sc", "", str(font_path("regular")))
    pdf.add_page()
    width = A4_MM[0] - 2 * MARGIN_MM

    pdf.set_font("sc", "", 16)
    pdf.cell(width, 9, f"{certificate_name}（加注件）", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sc", "", 10)
    pdf.cell(width, 6, f"用途：{use_cause}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    text_reserve = 40.0
    box_h = A4_MM[1] - pdf.get_y() - MARGIN_MM - text_reserve
    scale = min(width / img.width, box_h / img.height)
    w, h = img.width * scale, img.height * scale
    pdf.image(img, x=MARGIN_MM + (width - w) / 2, y=pdf.get_y(), w=w, h=h)
    pdf.set_y(pdf.get_y() + h + 4)

    pdf.set_font("sc", "", 11)
    pdf.multi_cell(width, 6, watermark_sentence(valid_until, centre_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sc", "", 9)
    pdf.multi_cell(width, 5, f"有效期至：{cn_date(valid_until)}", new_x="LMARGIN", new_y="NEXT")
    if verify_text:
        pdf.multi_cell(width, 5, f"核验码：{verify_text}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def print_copy(queue: A4Queue, pdf: bytes, title: str = "copy") -> A4Outcome:
    """Blocking: submit the PDF to the A4 queue; failures become a plain-Chinese outcome."""
    try:
        job_id = queue.submit(pdf, title=title)
    except OSError as exc:
        reason = str(getattr(exc, "reason", "io"))
        state = PrinterState(reason) if reason in PrinterState._value2member_map_ else PrinterState.IO
        log.warning("A4 copy not queued: %s", reason)
        return A4Outcome(False, state, message_for(state))
    return A4Outcome(True, PrinterState.READY, DONE_A4, job_id)
