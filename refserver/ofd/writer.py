"""One-page OFD files (GB/T 33190) of the demo certificates, sealed (GB/T 38540), 测试数据.

The page is the certificate's 照面: a border, the title, each face field as text objects (label and
value), the certificate number and identifier, the issuer and the date, and the issuer's demo seal
as the signature's stamp annotation. Text names the Simplified Chinese face by name (``Noto Sans
CJK SC``, which the terminal has) rather than embedding a subset: the file stays a few kilobytes and
a reader without the face falls back to its own Simplified Chinese face. Glyph advances (DeltaX)
are measured with that face, so text sits where it was laid out in any reader.

The writer also reports where it put each face field's value (``fields``: label and box in
millimetres, y downwards as in OFD): the record carries those boxes, so the terminal can cover
personal fields for onlookers without having to find them in the page again.

Everything is deterministic (fixed times, zip dates and order, derived keys and nonces, see
``refserver.ofd.pki``): the same record always gives the same bytes and so the same SM3 digest.
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from PIL import ImageFont

from refserver.copies import _sc_face, drawable
from refserver.ofd.pki import SM2_WITH_SM3_OID, DemoCA, demo_ca, sm3_digest
from refserver.ofd.seal import SEAL_MM, make_seal, sign_document

NS = "http://www.ofdspec.org/2016"
FONT_NAME = "Noto Sans CJK SC"
SIGNED_AT = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)  # fixed: see the module docstring
ZIP_DATE = (2026, 1, 5, 9, 0, 0)
SM3_CHECK_METHOD = "1.2.156.10197.1.401"

PAGE_W = 210.0
MIN_PAGE_H = 148.0
MARGIN = 8.0
LABEL_X = 20.0
VALUE_X = 58.0
RIGHT = PAGE_W - 20.0
FIELD_SIZE = 4.6  # font size of the fields, mm
LINE = FIELD_SIZE * 1.45
TOP = 34.0

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class FieldBox:
    """Where one face field's value is on the page (mm; x, y of the top-left corner, y downwards)."""

    label: str
    box: tuple[float, float, float, float]
    page: int = 0


@dataclass(frozen=True)
class OfdFile:
    data: bytes
    page_size: tuple[float, float]
    fields: list[FieldBox]

    @property
    def sm3(self) -> str:
        return sm3_digest(self.data).hex()

    @property
    def size(self) -> int:
        return len(self.data)


@lru_cache(maxsize=1)
def _measure_font() -> ImageFont.FreeTypeFont | None:
    face = _sc_face()
    return None if face is None else ImageFont.truetype(face[0], 1000, index=face[1])


@lru_cache(maxsize=8192)
def advance(ch: str) -> float:
    """A character's advance as a fraction of the font size."""
    measure = _measure_font()
    if measure is None:  # no face here: CJK full width, the rest half
        return 1.0 if ord(ch) > 0x2E80 else 0.5
    return round(measure.getlength(ch) / 1000, 3)


def _r(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def wrap(text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    line, used = "", 0.0
    for ch in text:
        w = advance(ch) * size
        if line and used + w > width:
            lines.append(line)
            line, used = "", 0.0
        line += ch
        used += w
    return [*lines, line] if line or not lines else lines


@dataclass
class _Page:
    """Page objects as OFD XML; IDs come from the document's one counter."""

    next_id: Callable[[], int]
    objects: list[str] = field(default_factory=list)

    def text(self, x: float, y: float, text: str, size: float, colour: str = "0 0 0") -> float:
        """One line at (x, baseline y); returns its width in mm."""
        text = drawable(text)
        if not text:
            return 0.0
        widths = [advance(ch) * size for ch in text]
        total = sum(widths)
        deltas = " ".join(_r(w) for w in widths[:-1])
        delta_attr = f" DeltaX={quoteattr(deltas)}" if deltas else ""
        top = y - size
        self.objects.append(
            f'<ofd:TextObject ID="{self.next_id()}" Boundary="{_r(x)} {_r(top)} {_r(total + 1)} '
            f'{_r(size * 1.4)}" Font="{FONT_ID}" Size="{_r(size)}">'
            f'<ofd:FillColor Value="{colour}"/>'
            f'<ofd:TextCode X="0" Y="{_r(size)}"{delta_attr}>{escape(text)}</ofd:TextCode>'
            "</ofd:TextObject>"
        )
        return total

    def centred(self, y: float, text: str, size: float, colour: str = "0 0 0") -> None:
        width = sum(advance(ch) * size for ch in drawable(text))
        self.text((PAGE_W - width) / 2, y, text, size, colour)

    def rect(self, x: float, y: float, w: float, h: float, width: float, colour: str) -> None:
        self.objects.append(
            f'<ofd:PathObject ID="{self.next_id()}" Boundary="{_r(x)} {_r(y)} {_r(w)} {_r(h)}" '
            f'LineWidth="{_r(width)}" Stroke="true" Fill="false">'
            f'<ofd:StrokeColor Value="{colour}"/>'
            f"<ofd:AbbreviatedData>M 0 0 L {_r(w)} 0 L {_r(w)} {_r(h)} L 0 {_r(h)} C</ofd:AbbreviatedData>"
            "</ofd:PathObject>"
        )

    def line(self, x1: float, y1: float, x2: float, width: float, colour: str) -> None:
        self.objects.append(
            f'<ofd:PathObject ID="{self.next_id()}" Boundary="{_r(x1)} {_r(y1)} {_r(x2 - x1)} 1" '
            f'LineWidth="{_r(width)}" Stroke="true" Fill="false">'
            f'<ofd:StrokeColor Value="{colour}"/>'
            f"<ofd:AbbreviatedData>M 0 0 L {_r(x2 - x1)} 0</ofd:AbbreviatedData>"
            "</ofd:PathObject>"
        )


FONT_ID = 1
BORDER = "150 30 30"
MUTED = "90 90 90"


def _date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def build_ofd(record: dict[str, Any], ca: DemoCA | None = None) -> OfdFile:
    """The sealed one-page OFD of ``record`` (the record as signed, without its ``ofd`` entry)."""
    ca = ca or demo_ca()
    counter = iter(range(2, 1_000_000))

    def next_id() -> int:
        return next(counter)

    page_id, layer_id = next_id(), next_id()
    page = _Page(next_id)
    fields: list[FieldBox] = []
    page.text(RIGHT - 40, 16, "测试数据 · 演示样本", 3.2, MUTED)
    page.centred(24, str(record["name"]), 8.0)
    y = TOP
    face: Sequence[dict[str, Any]] = record.get("face", [])
    for f in face:
        label, value = str(f["label"]), str(f["value"])
        page.text(LABEL_X, y + FIELD_SIZE, label, FIELD_SIZE, MUTED)
        lines = wrap(drawable(value), FIELD_SIZE, RIGHT - VALUE_X)
        top = y
        for line in lines:
            page.text(VALUE_X, y + FIELD_SIZE, line, FIELD_SIZE)
            y += LINE
        fields.append(FieldBox(label, (VALUE_X - 1, top - 0.6, RIGHT - VALUE_X + 2, y - top)))
        y += 1.2
    y += 4
    page.line(LABEL_X, y, RIGHT, 0.3, BORDER)
    y += 7
    number_x = LABEL_X + page.text(LABEL_X, y, "证照编号：", 3.6, MUTED)
    page.text(number_x, y, str(record["number"]), 3.6, MUTED)
    fields.append(FieldBox("证照编号", (number_x - 1, y - 3.6 - 0.6, RIGHT - number_x + 1, 3.6 * 1.5)))
    y += 6
    for ident_line in wrap(f"证照标识：{record['identifier']}", 3.2, RIGHT - LABEL_X - SEAL_MM):
        page.text(LABEL_X, y, ident_line, 3.2, MUTED)
        y += 5
    y += 10
    issuer = str(record["issuer"])
    issuer_w = sum(advance(ch) * 5.0 for ch in issuer)
    issuer_x = RIGHT - issuer_w
    page.text(issuer_x, y, issuer, 5.0)
    date_text = _date(str(record["issue_date"]))
    date_w = sum(advance(ch) * 4.2 for ch in date_text)
    page.text(RIGHT - date_w, y + 8, date_text, 4.2)
    height = max(MIN_PAGE_H, y + 8 + MARGIN + 8)
    seal_x = max(MARGIN, issuer_x + issuer_w / 2 - SEAL_MM / 2)
    seal_y = min(height - MARGIN - SEAL_MM, y - SEAL_MM / 2 + 2)
    border = next_id()
    page.objects.insert(
        0,
        f'<ofd:PathObject ID="{border}" Boundary="{_r(MARGIN)} {_r(MARGIN)} {_r(PAGE_W - 2 * MARGIN)} '
        f'{_r(height - 2 * MARGIN)}" LineWidth="1.2" Stroke="true" Fill="false">'
        f'<ofd:StrokeColor Value="{BORDER}"/><ofd:AbbreviatedData>M 0 0 L {_r(PAGE_W - 2 * MARGIN)} 0 '
        f"L {_r(PAGE_W - 2 * MARGIN)} {_r(height - 2 * MARGIN)} L 0 {_r(height - 2 * MARGIN)} C"
        "</ofd:AbbreviatedData></ofd:PathObject>",
    )
    page.rect(MARGIN + 2.5, MARGIN + 2.5, PAGE_W - 2 * MARGIN - 5, height - 2 * MARGIN - 5, 0.35, BORDER)
    stamp_id = next_id()
    box = f"0 0 {_r(PAGE_W)} {_r(height)}"
    files: dict[str, bytes] = {}
    files["Doc_0/Pages/Page_0/Content.xml"] = _xml(
        f'<ofd:Page xmlns:ofd="{NS}"><ofd:Area><ofd:PhysicalBox>{box}</ofd:PhysicalBox></ofd:Area>'
        f'<ofd:Content><ofd:Layer ID="{layer_id}" Type="Body">{"".join(page.objects)}</ofd:Layer>'
        "</ofd:Content></ofd:Page>"
    )
    files["Doc_0/PublicRes.xml"] = _xml(
        f'<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
        f'<ofd:Font ID="{FONT_ID}" FontName="{FONT_NAME}" FamilyName="{FONT_NAME}" Charset="unicode"/>'
        "</ofd:Fonts></ofd:Res>"
    )
    files["Doc_0/Document.xml"] = _xml(
        f'<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>{stamp_id}</ofd:MaxUnitID>'
        f"<ofd:PageArea><ofd:PhysicalBox>{box}</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
        f'<ofd:Pages><ofd:Page ID="{page_id}" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
        "</ofd:Document>"
    )
    title = f"{record['name']}（测试数据）"
    files["OFD.xml"] = _xml(
        f'<ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
        f"<ofd:DocID>{sm3_digest(str(record['identifier']).encode())[:16].hex()}</ofd:DocID>"
        f"<ofd:Title>{escape(title)}</ofd:Title><ofd:Author>{escape(issuer)}</ofd:Author>"
        f"<ofd:CreationDate>{SIGNED_AT.date().isoformat()}</ofd:CreationDate>"
        "<ofd:Creator>liujiang refserver (演示)</ofd:Creator>"
        '<ofd:CustomDatas><ofd:CustomData Name="测试数据">演示样本，所有人员与证照均为虚构</ofd:CustomData>'
        "</ofd:CustomDatas></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
        "<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures></ofd:DocBody></ofd:OFD>"
    )
    signer = ca.signer(str(record["issuer_code"]), issuer)
    seal = _seal(ca, str(record["issuer_code"]), issuer)
    files["Doc_0/Signs/Sign_0/Seal.esl"] = seal
    references = "".join(
        f'<ofd:Reference FileRef="/{name}"><ofd:CheckValue>'
        f"{base64.b64encode(sm3_digest(files[name])).decode('ascii')}</ofd:CheckValue></ofd:Reference>"
        for name in (
            "OFD.xml",
            "Doc_0/Document.xml",
            "Doc_0/PublicRes.xml",
            "Doc_0/Pages/Page_0/Content.xml",
            "Doc_0/Signs/Sign_0/Seal.esl",
        )
    )
    signature_xml = _xml(
        f'<ofd:Signature xmlns:ofd="{NS}"><ofd:SignedInfo>'
        '<ofd:Provider ProviderName="liujiang-refserver-demo" Version="1.0" Company="测试数据"/>'
        f"<ofd:SignatureMethod>{SM2_WITH_SM3_OID}</ofd:SignatureMethod>"
        f"<ofd:SignatureDateTime>{SIGNED_AT:%Y-%m-%d %H:%M:%S}</ofd:SignatureDateTime>"
        f'<ofd:References CheckMethod="{SM3_CHECK_METHOD}">{references}</ofd:References>'
        f'<ofd:StampAnnot ID="{stamp_id}" PageRef="{page_id}" '
        f'Boundary="{_r(seal_x)} {_r(seal_y)} {SEAL_MM} {SEAL_MM}"/>'
        "<ofd:Seal><ofd:BaseLoc>/Doc_0/Signs/Sign_0/Seal.esl</ofd:BaseLoc></ofd:Seal>"
        "</ofd:SignedInfo><ofd:SignedValue>/Doc_0/Signs/Sign_0/SignedValue.dat</ofd:SignedValue>"
        "</ofd:Signature>"
    )
    files["Doc_0/Signs/Sign_0/Signature.xml"] = signature_xml
    files["Doc_0/Signs/Sign_0/SignedValue.dat"] = sign_document(
        seal, signer, signature_xml, "/Doc_0/Signs/Sign_0/Signature.xml", SIGNED_AT
    )
    files["Doc_0/Signs/Signatures.xml"] = _xml(
        f'<ofd:Signatures xmlns:ofd="{NS}"><ofd:MaxSignId>1</ofd:MaxSignId>'
        '<ofd:Signature ID="1" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/>'
        "</ofd:Signatures>"
    )
    return OfdFile(_zip(files), (PAGE_W, height), fields)


def _xml(body: str) -> bytes:
    return (_XML_HEAD + body).encode("utf-8")


@lru_cache(maxsize=32)
def _seal(ca: DemoCA, issuer_code: str, issuer_name: str) -> bytes:
    return make_seal(ca, ca.signer(issuer_code, issuer_name), issuer_code, issuer_name)


ORDER = (
    "OFD.xml",
    "Doc_0/Document.xml",
    "Doc_0/PublicRes.xml",
    "Doc_0/Pages/Page_0/Content.xml",
    "Doc_0/Signs/Signatures.xml",
    "Doc_0/Signs/Sign_0/Signature.xml",
    "Doc_0/Signs/Sign_0/Seal.esl",
    "Doc_0/Signs/Sign_0/SignedValue.dat",
)


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in ORDER:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, files[name])
    return out.getvalue()
