"""A page as vector PDF (fpdf2), the same display list as the screen: paths and glyph outlines stay
vectors, so the A4 加注件 prints sharp; pictures are embedded as they are.

fpdf2 is imported where a PDF is made, not with this module (kiosk.ofd imports it): about 18 MB
resident (fpdf2 with fontTools' variable-font modules) that every terminal kept once it had shown
a certificate, for an A4 copy few citizens print.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from kiosk.ofd.document import OfdDocument
from kiosk.ofd.draw import DisplayList, GlyphOp, ImageOp, PathOp, apply, display_list, mul
from kiosk.ofd.render import _decode

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.drawing import DeviceRGB


def render_pdf(doc: OfdDocument, pages: list[int] | None = None) -> bytes:
    """The document (or the given pages) as a PDF with each page at its own size in millimetres."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creator("kiosk ofd")
    for index in pages if pages is not None else range(doc.page_count):
        dl = display_list(doc, index)
        pdf.add_page(format=(dl.width_mm, dl.height_mm))
        draw_pdf(pdf, dl, (1, 0, 0, 1, 0, 0), doc.limits.max_image_pixels)
    return bytes(pdf.output())


def _rgb(c: tuple[int, ...]) -> DeviceRGB:
    from fpdf.drawing import DeviceRGB

    return DeviceRGB(c[0] / 255, c[1] / 255, c[2] / 255)


def _polygon(
    pdf: FPDF,
    contours: list[list[tuple[float, float]]],
    closed: list[bool],
    *,
    fill: tuple[int, ...] | None,
    stroke: tuple[int, ...] | None,
    width: float,
    even_odd: bool,
) -> None:
    with pdf.new_path() as path:
        path.style.fill_color = _rgb(fill) if fill else None
        path.style.fill_opacity = fill[3] / 255 if fill else None
        path.style.stroke_color = _rgb(stroke) if stroke else None
        path.style.stroke_opacity = stroke[3] / 255 if stroke else None
        path.style.stroke_width = max(width, 0.05) if stroke else None
        path.style.intersection_rule = "evenodd" if even_odd else "nonzero"
        for c, is_closed in zip(contours, closed, strict=False):
            if len(c) < 2:
                continue
            path.move_to(*c[0])
            for x, y in c[1:]:
                path.line_to(x, y)
            if is_closed:
                path.close()


def draw_pdf(
    pdf: FPDF, dl: DisplayList, m0: tuple[float, float, float, float, float, float], max_pixels: int
) -> None:
    for op in dl.ops:
        if isinstance(op, PathOp):
            pts = [[apply(m0, x, y) for x, y in c] for c in op.contours]
            fill_closed = [True] * len(pts) if op.fill else op.closed
            if op.fill:
                _polygon(pdf, pts, fill_closed, fill=op.fill, stroke=None, width=0, even_odd=op.even_odd)
            if op.stroke:
                _polygon(pdf, pts, op.closed, fill=None, stroke=op.stroke, width=op.width, even_odd=False)
        elif isinstance(op, GlyphOp):
            m = mul(op.matrix, m0)
            contours = [[apply(m, x, y) for x, y in c] for c in op.font.outline(op.gid)]
            if contours:
                _polygon(
                    pdf, contours, [True] * len(contours), fill=op.color, stroke=None, width=0, even_odd=True
                )
        elif isinstance(op, ImageOp):
            m = mul(op.matrix, m0)
            if op.ofd_page is not None and isinstance(op.ofd_page, DisplayList):
                inner = op.ofd_page
                draw_pdf(
                    pdf,
                    inner,
                    (
                        m[0] / inner.width_mm,
                        m[1] / inner.width_mm,
                        m[2] / inner.height_mm,
                        m[3] / inner.height_mm,
                        m[4],
                        m[5],
                    ),
                    max_pixels,
                )
                continue
            x0, y0 = apply(m, 0, 0)
            x1, y1 = apply(m, 1, 1)
            picture = _decode(op.data, max_pixels, (2000, 2000)) if op.data is not None else None
            if picture is None:
                corners = [apply(m, 0, 0), apply(m, 1, 0), apply(m, 1, 1), apply(m, 0, 1)]
                _polygon(
                    pdf,
                    [corners],
                    [True],
                    fill=(235, 235, 235, 255),
                    stroke=(150, 150, 150, 255),
                    width=0.2,
                    even_odd=False,
                )
                continue
            buf = io.BytesIO()
            if (
                op.data is not None
                and op.data[:2] == b"\xff\xd8"
                and picture.mode == "RGBA"
                and op.alpha == 255
            ):
                buf = io.BytesIO(op.data)  # a JPEG goes in as it is (fpdf2 passes DCT data through)
            else:
                picture.save(buf, format="PNG")
            pdf.image(buf, x=min(x0, x1), y=min(y0, y1), w=abs(x1 - x0) or 0.1, h=abs(y1 - y0) or 0.1)
