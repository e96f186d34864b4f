"""The reference server's sealed OFD files under the terminal's own verifier (kiosk.ofd): VALID
under the demo CA; one byte changed in the signed page is TAMPERED and names the page; the same
file under another CA is UNKNOWN_SIGNER; and the terminal's words for each (kiosk.issued, views)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any

import pytest

from kiosk.issued.work import TAMPERED, UNKNOWN_SIGNER, VALID, check_and_draw, check_seals
from kiosk.ofd import SignatureStatus, open_ofd, render_page, verify_signatures
from kiosk.views import issued_view
from refserver.ofd.pki import demo_ca
from refserver.ofd.writer import build_ofd
from refserver.seed import build_record, certificates_for, load_identities

PAGE = "Doc_0/Pages/Page_0/Content.xml"


def _records() -> list[dict[str, Any]]:
    out = []
    for n, person in enumerate(load_identities(), start=1):
        for i, cert in enumerate(certificates_for(person), start=1):
            out.append(build_record(person, cert, f"{cert.issue.year}{n:02d}{i:05d}", "demo"))
    return out


RECORDS = _records()
ANCHOR = demo_ca().root.cert


def _with_changed_byte(data: bytes, name: str, needle: bytes) -> bytes:
    """The same package with one byte of ``name`` changed (inside the text of ``needle``)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == name:
                at = body.index(needle)
                body = body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]
            dst.writestr(info, body)
    return out.getvalue()


@pytest.mark.parametrize("record", RECORDS, ids=[f"{r['name']}-{i}" for i, r in enumerate(RECORDS)])
def test_every_demo_certificate_verifies_and_draws(record: dict[str, Any]) -> None:
    doc = open_ofd(build_ofd(record).data)
    reports = verify_signatures(doc, anchors=[ANCHOR])
    assert [r.status for r in reports] == [SignatureStatus.VALID], reports
    assert "演示印章" in (reports[0].seal_name or "")
    assert doc.page_count == 1
    image = render_page(doc, 0, width_px=600)
    assert image.width == 600 and image.height > 300


def test_one_byte_changed_in_the_page_is_tampered_and_names_the_page() -> None:
    record = RECORDS[0]
    changed = _with_changed_byte(build_ofd(record).data, PAGE, record["face"][0]["value"].encode())
    reports = verify_signatures(open_ofd(changed), anchors=[ANCHOR])
    assert [r.status for r in reports] == [SignatureStatus.TAMPERED]
    assert PAGE in (reports[0].file or "")
    check = check_seals(changed, [ANCHOR])
    assert check.status == TAMPERED and PAGE in check.file
    view = issued_view(check_and_draw(changed, [ANCHOR], 400, []), revealed=False)
    assert view is not None and view.verdict == "验章未通过" and PAGE in view.message
    assert "验章通过" not in view.verdict


def test_a_seal_under_another_ca_is_an_unknown_signer() -> None:
    data = build_ofd(RECORDS[1], ca=demo_ca("some-other-demo-ca")).data
    reports = verify_signatures(open_ofd(data), anchors=[ANCHOR])
    assert [r.status for r in reports] == [SignatureStatus.UNKNOWN_SIGNER]
    assert check_seals(data, [ANCHOR]).status == UNKNOWN_SIGNER
    # and the demo CA's own files are not trusted by a terminal with no anchors at all
    assert check_seals(build_ofd(RECORDS[1]).data, []).status == UNKNOWN_SIGNER


def test_the_drawn_face_is_covered_where_the_boxes_say_and_valid_is_said_so() -> None:
    record = RECORDS[0]
    made = build_ofd(record)
    width, height = made.page_size
    x, y, w, h = made.fields[0].box  # 姓名
    drawn = check_and_draw(made.data, [ANCHOR], 800, [(x / width, y / height, w / width, h / height)])
    assert drawn.check.status == VALID and drawn.width == 800
    assert drawn.clear != drawn.covered
    shown = issued_view(drawn, revealed=False)
    assert shown is not None and shown.verdict == "验章通过" and shown.pixels == drawn.covered
    revealed = issued_view(drawn, revealed=True)
    assert revealed is not None and revealed.pixels == drawn.clear


def test_after_the_certificates_expire_the_seal_is_not_valid() -> None:
    data = build_ofd(RECORDS[0]).data
    assert check_seals(data, [ANCHOR], at=datetime(2046, 6, 1, tzinfo=UTC)).status == "expired"
