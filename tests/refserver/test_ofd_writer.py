"""The reference server's OFD files, checked by parsing them here (independently of kiosk.ofd):
the package's parts, the references' SM3 digests, the seal maker's and the signer's SM2
signatures, the chain to the demo CA, and that the same record always gives the same bytes."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from asn1crypto import algos, x509
from gmssl import sm2

from refserver.ofd import link_for
from refserver.ofd.pki import SM2_WITH_SM3_OID, demo_ca
from refserver.ofd.seal import SESSignature
from refserver.ofd.writer import build_ofd
from refserver.seed import build_record, certificates_for, load_identities

NS = {"ofd": "http://www.ofdspec.org/2016"}


def _records() -> list[dict[str, Any]]:
    out = []
    for n, person in enumerate(load_identities(), start=1):
        for i, cert in enumerate(certificates_for(person), start=1):
            out.append(build_record(person, cert, f"{cert.issue.year}{n:02d}{i:05d}", "demo"))
    return out


def _sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def _verify(cert_der: bytes, signature_der: bytes, message: bytes) -> bool:
    """SM2 with SM3 and the default user id, the signature as DER SEQUENCE { r, s }."""
    point = x509.Certificate.load(cert_der).public_key["public_key"].native
    raw = algos.DSASignature.load(signature_der).to_p1363().hex()
    return bool(sm2.CryptSM2(private_key=None, public_key=point.hex()[2:]).verify_with_sm3(raw, message))


def _signed_by(cert_der: bytes, issuer_der: bytes) -> bool:
    cert = x509.Certificate.load(cert_der)
    return _verify(issuer_der, cert["signature_value"].native, cert["tbs_certificate"].dump())


RECORD = _records()[0]


def test_the_package_has_the_parts_of_gb_t_33190() -> None:
    made = build_ofd(RECORD)
    z = zipfile.ZipFile(io.BytesIO(made.data))
    names = set(z.namelist())
    assert {"OFD.xml", "Doc_0/Document.xml", "Doc_0/PublicRes.xml", "Doc_0/Pages/Page_0/Content.xml"} <= names
    root = ET.fromstring(z.read("OFD.xml"))
    assert root.find("ofd:DocBody/ofd:DocRoot", NS).text == "Doc_0/Document.xml"  # type: ignore[union-attr]
    assert "测试数据" in z.read("OFD.xml").decode("utf-8")
    doc = ET.fromstring(z.read("Doc_0/Document.xml"))
    page_loc = doc.find("ofd:Pages/ofd:Page", NS).get("BaseLoc")  # type: ignore[union-attr]
    assert page_loc == "Pages/Page_0/Content.xml"
    content = ET.fromstring(z.read("Doc_0/Pages/Page_0/Content.xml"))
    texts = "".join(t.text or "" for t in content.iter(f"{{{NS['ofd']}}}TextCode"))
    for field in RECORD["face"]:
        assert field["value"].replace("（", "").split("（")[0][:4] in texts  # each value is on the page
    assert RECORD["name"] in texts and RECORD["issuer"] in texts and "测试数据" in texts
    assert content.find(".//ofd:PathObject", NS) is not None  # the border
    fonts = ET.fromstring(z.read("Doc_0/PublicRes.xml")).findall(".//ofd:Font", NS)
    assert [f.get("FontName") for f in fonts] == ["Noto Sans CJK SC"]


def test_references_seal_and_signature_verify_and_chain_to_the_demo_ca() -> None:
    made = build_ofd(RECORD)
    z = zipfile.ZipFile(io.BytesIO(made.data))
    signature_xml = z.read("Doc_0/Signs/Sign_0/Signature.xml")
    info = ET.fromstring(signature_xml).find("ofd:SignedInfo", NS)
    assert info is not None
    refs = info.findall("ofd:References/ofd:Reference", NS)
    referenced = {r.get("FileRef") for r in refs}
    assert {"/OFD.xml", "/Doc_0/Document.xml", "/Doc_0/Pages/Page_0/Content.xml"} <= referenced
    for ref in refs:
        name = str(ref.get("FileRef")).lstrip("/")
        assert base64.b64decode(ref.findtext("ofd:CheckValue", "", NS)) == _sm3(z.read(name)), name
    stamp = info.find("ofd:StampAnnot", NS)
    assert stamp is not None and len(str(stamp.get("Boundary")).split()) == 4

    ses = SESSignature.load(z.read("Doc_0/Signs/Sign_0/SignedValue.dat"))
    tbs = ses["to_sign"]
    assert tbs["version"].native == 4
    assert tbs["data_hash"].native == _sm3(signature_xml)
    assert tbs["property_info"].native == "/Doc_0/Signs/Sign_0/Signature.xml"
    assert ses["signature_alg_id"].dotted == SM2_WITH_SM3_OID
    assert _verify(ses["cert"].native, ses["signature"].native, tbs.dump())

    seal = tbs["eseal"]
    assert seal["eseal_info"]["header"]["id"].native == "ES"
    assert "演示印章" in seal["eseal_info"]["property"]["name"].native
    assert seal["eseal_info"]["picture"]["data"].native.startswith(b"\x89PNG")
    assert ses["cert"].native in [c.native for c in seal["eseal_info"]["property"]["cert_list"]]
    assert _verify(seal["cert"].native, seal["signed_value"].native, seal["eseal_info"].dump())

    root = demo_ca().root.cert
    assert _signed_by(ses["cert"].native, root) and _signed_by(seal["cert"].native, root)
    assert _signed_by(root, root)
    other = demo_ca("another-ca-for-tests").root.cert
    assert not _signed_by(ses["cert"].native, other)


def test_a_changed_byte_no_longer_matches_the_signed_reference() -> None:
    made = build_ofd(RECORD)
    z = zipfile.ZipFile(io.BytesIO(made.data))
    page = bytearray(z.read("Doc_0/Pages/Page_0/Content.xml"))
    at = page.index(RECORD["face"][0]["value"].encode("utf-8"))
    page[at] ^= 1
    info = ET.fromstring(z.read("Doc_0/Signs/Sign_0/Signature.xml")).find("ofd:SignedInfo", NS)
    ref = next(
        r
        for r in info.findall("ofd:References/ofd:Reference", NS)  # type: ignore[union-attr]
        if r.get("FileRef") == "/Doc_0/Pages/Page_0/Content.xml"
    )
    assert base64.b64decode(ref.findtext("ofd:CheckValue", "", NS)) != _sm3(bytes(page))


def test_the_same_record_always_gives_the_same_file() -> None:
    assert build_ofd(RECORD).data == build_ofd(dict(RECORD)).data
    other = dict(RECORD, face=[{"label": "姓名", "value": "韦桂兰改"}, *RECORD["face"][1:]])
    assert build_ofd(other).data != build_ofd(RECORD).data


@pytest.mark.parametrize("record", _records()[::4], ids=lambda r: r["name"])
def test_the_link_names_each_face_field_inside_the_page(record: dict[str, Any]) -> None:
    link = link_for(record)
    made = build_ofd(record)
    assert link["sm3"] == _sm3(made.data).hex() and link["size"] == len(made.data)
    assert link["url"] == f"/v1/certificates/{record['identifier']}/ofd"
    assert link["unit"] == "0.01mm"
    width, height = link["page"]
    assert (width, height) == (round(made.page_size[0] * 100), round(made.page_size[1] * 100))
    labels = [f["label"] for f in link["fields"]]
    assert labels[: len(record["face"])] == [f["label"] for f in record["face"]]
    assert "证照编号" in labels
    for field in link["fields"]:
        x, y, w, h = field["box"]
        assert all(isinstance(v, int) for v in field["box"])  # signed records hold no floats
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height and w > 0 and h > 0
