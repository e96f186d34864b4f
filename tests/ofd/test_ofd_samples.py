"""Real OFD files of other producers (ofdrw's test resources) and the reference server's demo
certificate: every file opens, every page renders with ink where the file draws, every signature
gets a status with a reason, a changed byte in a signed page is TAMPERED and names that page."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import pem
from PIL import Image

from kiosk.ofd import SignatureStatus, open_ofd, render_page, render_pdf, verify_signatures

DATA = Path(__file__).parent / "data"
SAMPLES = sorted(DATA.glob("*.ofd"))
ANCHOR = [der for _t, _h, der in pem.unarmor((DATA / "demo_anchor.pem").read_bytes(), multiple=True)]


def _ink(img: Image.Image) -> float:
    """Share of pixels that are not white."""
    grey = img.convert("L").point(lambda v: 255 if v < 200 else 0)
    return sum(grey.histogram()[255:]) / (img.width * img.height)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_opens_and_every_page_renders(path: Path) -> None:
    doc = open_ofd(path.read_bytes())
    assert doc.page_count >= 1
    for i in range(doc.page_count):
        w, h = doc.page_size_mm(i)
        img = render_page(doc, i, width_px=300)
        assert img.size == (300, round(300 * h / w))
        assert _ink(img) > 0.001, f"page {i + 1} of {path.name} drew nothing"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_signature_gets_a_status_with_a_reason(path: Path) -> None:
    doc = open_ofd(path.read_bytes())
    for report in verify_signatures(doc, anchors=ANCHOR):
        assert report.status in SignatureStatus
        assert report.reason and report.code


def test_the_text_is_where_the_file_puts_it() -> None:
    # helloworld: one line of 3 mm text at (31.7, 25.4)+baseline 3 mm on an A4 page
    doc = open_ofd((DATA / "reader_src_test_resources_helloworld.ofd").read_bytes())
    img = render_page(doc, 0, width_px=1050).convert("L")  # 5 px per mm
    box = img.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert box is not None
    x0, y0, x1, y1 = box
    assert 31.7 * 5 - 3 <= x0 <= 31.7 * 5 + 6
    assert y0 >= 25.4 * 5 - 3 and y1 <= (25.4 + 3.5) * 5
    assert x1 > (31.7 + 30) * 5  # the whole line, not one glyph


def test_the_seal_picture_is_drawn_in_its_stamp_box() -> None:
    # SESV4SignDoc: StampAnnot Boundary="50 50 40 40" with a red seal from the signed value
    doc = open_ofd((DATA / "reader_src_test_resources_SESV4SignDoc.ofd").read_bytes())
    img = render_page(doc, 0, width_px=420).convert("RGB")  # 2 px per mm
    stamp = img.crop((100, 100, 180, 180))
    assert _red(stamp) > 300
    assert _red(img.crop((200, 200, 400, 400))) == 0


def _red(img: Image.Image) -> int:
    r, g, b = (band.point(lambda v: 255 if v > 150 else 0) for band in img.split())
    dark_g = g.point(lambda v: 255 - v)
    dark_b = b.point(lambda v: 255 - v)
    from PIL import ImageChops

    both = ImageChops.multiply(ImageChops.multiply(r, dark_g), dark_b)
    return both.histogram()[255]


def test_the_demo_certificate_is_valid_under_the_demo_ca() -> None:
    doc = open_ofd((DATA / "demo_certificate.ofd").read_bytes())
    (report,) = verify_signatures(doc, anchors=ANCHOR)
    assert report.status == SignatureStatus.VALID, report.reason
    assert report.seal_name and "演示印章" in report.seal_name
    assert report.signer


def test_without_the_anchor_the_signer_is_unknown() -> None:
    doc = open_ofd((DATA / "demo_certificate.ofd").read_bytes())
    (report,) = verify_signatures(doc, anchors=[])
    assert report.status == SignatureStatus.UNKNOWN_SIGNER
    assert "信任根" in report.reason


def test_after_the_seal_ends_the_signature_is_expired() -> None:
    doc = open_ofd((DATA / "demo_certificate.ofd").read_bytes())
    (report,) = verify_signatures(doc, anchors=ANCHOR, at=datetime(2046, 6, 1, tzinfo=UTC))
    assert report.status == SignatureStatus.EXPIRED
    assert "有效期" in report.reason


def _changed(data: bytes, name: str, change: bytes = b"0") -> bytes:
    """A copy of the package with one byte of entry ``name`` changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.lstrip("/") == name:
                i = body.index(b"<", 100) - 1 if b"<" in body[100:] else len(body) // 2
                body = body[:i] + (change if body[i : i + 1] != change else b"1") + body[i + 1 :]
            dst.writestr(info, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "page"),
    [
        ("demo_certificate.ofd", None),
        ("reader_src_test_resources_SESV4SignDoc.ofd", "Doc_0/Pages/Page_0/Content.xml"),
        ("converter_src_test_resources_1.ofd", "Doc_0/Pages/Page_0/Content.xml"),
    ],
)
def test_one_changed_byte_in_a_signed_page_is_tampered_and_named(name: str, page: str | None) -> None:
    data = (DATA / name).read_bytes()
    doc = open_ofd(data)
    if page is None:
        page = doc.pages[0].path
    before = verify_signatures(doc, anchors=ANCHOR)
    assert before and all(r.status != SignatureStatus.TAMPERED for r in before)
    after = verify_signatures(open_ofd(_changed(data, page)), anchors=ANCHOR)
    assert after and all(r.status == SignatureStatus.TAMPERED for r in after)
    assert all(r.file == page for r in after)
    assert all(page in r.reason for r in after)


def test_a_bare_digital_signature_is_unsupported_and_says_why() -> None:
    doc = open_ofd((DATA / "sign_src_test_resources_DigitalSign.ofd").read_bytes())
    (report,) = verify_signatures(doc, anchors=ANCHOR)
    assert report.status == SignatureStatus.UNSUPPORTED
    assert "证书" in report.reason


def test_gb_t_35275_digital_signatures_are_checked_to_the_signer() -> None:
    # the SM2 signatures of this producer verify; its CA is not ours
    doc = open_ofd((DATA / "converter_src_test_resources_testImageNotFound.ofd").read_bytes())
    reports = verify_signatures(doc, anchors=ANCHOR)
    assert [r.status for r in reports] == [SignatureStatus.UNKNOWN_SIGNER] * 2
    assert all(r.signer for r in reports)


def test_the_pdf_is_vector_with_the_page_size() -> None:
    doc = open_ofd((DATA / "demo_certificate.ofd").read_bytes())
    pdf = render_pdf(doc)
    assert pdf.startswith(b"%PDF")
    w, h = doc.page_size_mm(0)
    assert f"/MediaBox [0 0 {w * 72 / 25.4:.2f} {h * 72 / 25.4:.2f}]".encode() in pdf


def test_jbig2_images_are_a_placeholder_not_a_crash() -> None:
    doc = open_ofd((DATA / "converter_src_test_resources_1.ofd").read_bytes())
    from kiosk.ofd.draw import display_list

    assert any("JBIG2" in note for note in display_list(doc, 0).notes)
