"""A4 copies (加注件) through CUPS: the certificate as issued, stamped with its use (annotated_pdf).

There is one builder, and it takes whether the file's seals verified (kiosk.issued checks them):
the official sentence goes on paper only over a page whose seals did. (An older builder put the
watermark sentence under any image it was given, with no seal check; it is gone.)

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
from typing import Any, Protocol

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


def _a4_page(certificate_name: str) -> tuple[Any, float]:
    """A new A4 document with one page and the Simplified Chinese face; the text width."""
    from fpdf import FPDF  # here, not at the top: 0.1-0.4 s and ~45 MB at every start, for a rare A4 copy

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_title(f"{certificate_name} 加注件")
    pdf.add_font("sc", "", str(font_path("regular")))
    pdf.add_page()
    return pdf, A4_MM[0] - 2 * MARGIN_MM


def print_copy(queue: A4Queue, pdf: bytes, title: str = "copy") -> A4Outcome:
    """Blocking: submit the PDF to the A4 queue; failures become a plain-Chinese outcome."""
    try:
        job_id = queue.submit(pdf, title=title)
    except OSError as exc:
        reason = str(getattr(exc, "reason", "io"))
        state = PrinterState(reason) if reason in PrinterState._value2member_map_ else PrinterState.IO
        log.warning("A4 copy not queued: %s", reason)
        return A4Outcome(False, state, message_for(state, "a4"))
    return A4Outcome(True, PrinterState.READY, DONE_A4, job_id)


@dataclass(frozen=True, slots=True)
class UseAnnotation:
    """What a 加注件 is stamped with: the one use it serves, when, where, and how to check it."""

    use: str  # the matter, e.g. 户籍业务: printed as 仅供办理户籍业务使用
    made_on: date
    valid_until: date
    terminal_id: str
    verify_code: str  # the receipt check code (kiosk.receipt.codes)
    qr_payload: str  # what the verification QR says (no personal data)
    centre_name: str = DEFAULT_CENTRE

    def sentence(self) -> str:
        return f"仅供办理{self.use}使用"


NOT_VERIFIED = "未通过验章，不能作为办事凭证"


def annotated_pdf(
    page_png: bytes,
    page_mm: tuple[float, float],
    certificate_name: str,
    note: UseAnnotation,
    *,
    verified: bool,
) -> bytes:
    """The 加注件 on A4: the certificate as issued (its OFD page), the use annotation stamped over
    it (仅供办理……使用, date, terminal), the watermark sentence and a verification QR.

    ``verified`` is whether the file's seals verified (验章通过). Without it the page carries
    :data:`NOT_VERIFIED` instead of every official sentence: the paper must never look like a
    copy the terminal vouches for.
    """
    img = _load_copy(page_png)
    pdf, width = _a4_page(certificate_name)

    pdf.set_font("sc", "", 16)
    heading = f"{certificate_name}（电子证照加注件）" if verified else f"{certificate_name}（未验章的打印件）"
    pdf.cell(width, 9, heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    page_w, page_h = page_mm
    w = width
    h = w * (page_h / page_w if page_w > 0 else img.height / img.width)
    h = min(h, A4_MM[1] - pdf.get_y() - MARGIN_MM - 70)
    w = min(w, h * img.width / img.height)
    x, y = MARGIN_MM + (width - w) / 2, pdf.get_y()
    pdf.image(img, x=x, y=y, w=w, h=h)
    _stamp_over(pdf, note, x, y, w, h, verified)
    pdf.set_y(y + h + 6)

    qr = 32.0
    text_w = width - qr - 6
    if verified:
        pdf.set_font("sc", "", 11)
        pdf.multi_cell(text_w, 6, note.sentence(), new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(
            text_w, 6, watermark_sentence(note.valid_until, note.centre_name), new_x="LMARGIN", new_y="NEXT"
        )
    else:
        pdf.set_font("sc", "", 13)
        pdf.set_text_color(179, 38, 30)
        pdf.multi_cell(text_w, 7, NOT_VERIFIED, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.set_font("sc", "", 9)
    lines = [f"打印日期：{cn_date(note.made_on)}", f"终端编号：{note.terminal_id}"]
    if verified:
        lines.insert(1, f"有效期至：{cn_date(note.valid_until)}")
        lines.append(f"核验码：{note.verify_code}")
    for line in lines:
        pdf.multi_cell(text_w, 5, line, new_x="LMARGIN", new_y="NEXT")
    if verified and note.qr_payload:
        pdf.image(_qr_image(note.qr_payload), x=A4_MM[0] - MARGIN_MM - qr, y=y + h + 6, w=qr, h=qr)
    return bytes(pdf.output())


def _stamp_over(
    pdf: object, note: UseAnnotation, x: float, y: float, w: float, h: float, verified: bool
) -> None:
    """The use annotation across the page (diagonal, translucent red) and a boxed note on it."""
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    text = note.sentence() if verified else NOT_VERIFIED
    size = max(10.0, min(20.0, w / max(len(text), 1) * 2.2))
    with pdf.local_context(fill_opacity=0.28, text_color=(200, 20, 20)):
        pdf.set_font("sc", "", size)
        for fy in (0.3, 0.62, 0.9):
            cx, cy = x + w * 0.12, y + h * fy
            with pdf.rotation(18, cx, cy):
                pdf.text(cx, cy, text)
    # the boxed note sits in the page's lower left corner, where certificates leave room
    box_w, box_h = min(62.0, w * 0.45), 17.0
    bx, by = x + w * 0.06, y + h - box_h - h * 0.06
    pdf.set_draw_color(200, 20, 20)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_line_width(0.5)
    pdf.rect(bx, by, box_w, box_h, style="DF")
    pdf.set_text_color(200, 20, 20)
    pdf.set_font("sc", "", 9)
    for i, line in enumerate((text, cn_date(note.made_on), f"终端 {note.terminal_id}")):
        pdf.text(bx + 2.5, by + 5 + i * 5, line)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)


def _qr_image(payload: str) -> Image.Image:
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=8)
    code.add_data(payload)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
