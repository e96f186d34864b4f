"""Hostile containers: each is refused with a clear OfdError (or drawn without the bad part), with
bounded memory (peak measured in a fresh subprocess)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kiosk.ofd import OfdError, OfdLimits, open_ofd, render_page

OFD_XML = (
    '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0">'
    "<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)


def _document(extra_common: str = "", page_template: str = "") -> dict[str, bytes]:
    doc = (
        '<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:PageArea>'
        f"<ofd:PhysicalBox>0 0 100 100</ofd:PhysicalBox></ofd:PageArea>{extra_common}</ofd:CommonData>"
        '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>'
    )
    page = (
        f'<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016">{page_template}<ofd:Content><ofd:Layer ID="2">'
        '<ofd:PathObject ID="3" Boundary="10 10 50 50">'
        "<ofd:AbbreviatedData>M 0 0 L 50 50</ofd:AbbreviatedData></ofd:PathObject>"
        "</ofd:Layer></ofd:Content></ofd:Page>"
    )
    return {
        "OFD.xml": OFD_XML.encode(),
        "Doc_0/Document.xml": doc.encode(),
        "Doc_0/Pages/Page_0/Content.xml": page.encode(),
    }


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in entries.items():
            z.writestr(name, body)
    return out.getvalue()


def _refused(data: bytes, code: str, limits: OfdLimits | None = None) -> OfdError:
    with pytest.raises(OfdError) as info:
        doc = open_ofd(data, limits=limits)
        render_page(doc, 0, width_px=200)
    assert info.value.code == code, info.value
    assert info.value.reason  # plain Chinese for the screen
    return info.value


def test_a_minimal_file_opens_and_draws() -> None:
    doc = open_ofd(_zip(_document()))
    assert render_page(doc, 0, width_px=200).size == (200, 200)


def test_not_a_zip_and_empty() -> None:
    _refused(b"%PDF-1.7 not an ofd", "not_zip")
    _refused(b"", "empty")


def test_missing_ofd_xml_is_named() -> None:
    entries = _document()
    del entries["OFD.xml"]
    err = _refused(_zip(entries), "missing_ofd_xml")
    assert "缺少OFD.xml" in err.reason


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    entries = _document()
    entries["Doc_0/Res/bomb.bin"] = b"\0" * (50 * 1024 * 1024)  # deflates to ~50 KB
    _refused(_zip(entries), "entry_too_large", OfdLimits(max_entry_bytes=16 * 1024 * 1024))


def test_an_entry_that_lies_about_its_size_is_stopped_while_reading() -> None:
    entries = _document()
    entries["Doc_0/Pages/Page_0/Content.xml"] = entries["Doc_0/Pages/Page_0/Content.xml"] + b" " * 200_000
    data = bytearray(_zip(entries))
    # shrink the declared size of the page in the central directory (the local header is ignored)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("Doc_0/Pages/Page_0/Content.xml")
    name = b"Doc_0/Pages/Page_0/Content.xml"
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        if data[pos + 46 : pos + 46 + len(name)] == name:
            data[pos + 24 : pos + 28] = (1000).to_bytes(4, "little")
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    assert pos != -1 and info.file_size > 1000
    with pytest.raises(OfdError) as err:
        render_page(open_ofd(bytes(data)), 0, width_px=100)
    # read stops at the declared size; what is there then fails its CRC
    assert err.value.code in {"entry_too_large", "corrupt_entry"}
    assert "Content.xml" in err.value.reason


@pytest.mark.parametrize("name", ["../evil.xml", "Doc_0/../../evil.xml", "/../etc/passwd"])
def test_names_that_climb_out_are_refused(name: str) -> None:
    entries = _document()
    entries[name] = b"x"
    _refused(_zip(entries), "unsafe_name")


def test_xml_entity_expansion_is_refused() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
        )
        + ']><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>&lol9;</ofd:DocRoot>'
        "</ofd:DocBody></ofd:OFD>"
    )
    entries = _document()
    entries["OFD.xml"] = laughs.encode()
    _refused(_zip(entries), "xml_forbidden")


def test_an_external_entity_is_refused() -> None:
    entries = _document()
    entries["OFD.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>&e;</ofd:DocRoot></ofd:DocBody></ofd:OFD>'
    )
    _refused(_zip(entries), "xml_forbidden")


def test_a_missing_page_is_named() -> None:
    entries = _document()
    del entries["Doc_0/Pages/Page_0/Content.xml"]
    err = _refused(_zip(entries), "missing_page")
    assert "第 1 页" in err.reason


def test_circular_templates_are_drawn_once_not_forever() -> None:
    common = '<ofd:TemplatePage ID="7" BaseLoc="Tpls/T.xml"/>'
    entries = _document(common, '<ofd:Template TemplateID="7"/>')
    entries["Doc_0/Tpls/T.xml"] = (
        b'<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Template TemplateID="7"/></ofd:Page>'
    )
    doc = open_ofd(_zip(entries))
    from kiosk.ofd.draw import display_list

    assert any("循环" in n for n in display_list(doc, 0).notes)
    assert render_page(doc, 0, width_px=100).size == (100, 100)


def test_deep_nesting_is_refused() -> None:
    blocks = "<ofd:PageBlock>" * 200 + "</ofd:PageBlock>" * 200
    entries = _document()
    entries["Doc_0/Pages/Page_0/Content.xml"] = (
        f'<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer>{blocks}</ofd:Layer></ofd:Content></ofd:Page>'
    ).encode()
    _refused(_zip(entries), "too_deep")


def _huge_png() -> bytes:
    """A PNG whose header claims 60000 x 60000 pixels (its data is tiny and wrong)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


def _with_huge_image() -> bytes:
    common = "<ofd:DocumentRes>Res.xml</ofd:DocumentRes>"
    entries = _document(common)
    entries["Doc_0/Res.xml"] = (
        b'<ofd:Res xmlns:ofd="http://www.ofdspec.org/2016" BaseLoc="Res"><ofd:MultiMedias>'
        b'<ofd:MultiMedia ID="9" Type="Image"><ofd:MediaFile>big.png</ofd:MediaFile></ofd:MultiMedia>'
        b"</ofd:MultiMedias></ofd:Res>"
    )
    entries["Doc_0/Res/big.png"] = _huge_png()
    entries["Doc_0/Pages/Page_0/Content.xml"] = (
        b'<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content><ofd:Layer>'
        b'<ofd:ImageObject ID="4" ResourceID="9" Boundary="0 0 100 100" CTM="100 0 0 100 0 0"/>'
        b"</ofd:Layer></ofd:Content></ofd:Page>"
    )
    return _zip(entries)


def test_a_huge_image_is_a_placeholder_not_a_crash() -> None:
    doc = open_ofd(_with_huge_image())
    img = render_page(doc, 0, width_px=200)
    assert img.getpixel((100, 100)) != (255, 255, 255)  # the grey placeholder box


PROBE = """
import resource, sys, json
from pathlib import Path
from kiosk.ofd import OfdError, open_ofd, render_page
data = Path(sys.argv[1]).read_bytes()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcome = "drawn"
try:
    render_page(open_ofd(data), 0, width_px=400)
except OfdError as exc:
    outcome = exc.code
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "growth_kb": peak - base}))
"""


@pytest.mark.parametrize("kind", ["bomb", "huge_image", "laughs"])
def test_memory_stays_bounded(kind: str, tmp_path: Path) -> None:
    if kind == "bomb":
        entries = _document()
        entries["Doc_0/Pages/Page_0/Content.xml"] = b"<a>" + b" " * (300 * 1024 * 1024) + b"</a>"
        data = _zip(entries)
    elif kind == "huge_image":
        data = _with_huge_image()
    else:
        entries = _document()
        entries["OFD.xml"] = (
            '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "'
            + "x" * 1000
            + '">'
            + "".join(
                f'<!ENTITY a{i} "{"&a" + (str(i - 1) if i > 1 else "") + ";" * 1}' + ("&a;" * 10) + '">'
                for i in range(1, 12)
            )
            + "]><OFD>&a11;</OFD>"
        ).encode()
        data = _zip(entries)
    path = tmp_path / "hostile.ofd"
    path.write_bytes(data)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(out.stdout)
    assert result["growth_kb"] < 150 * 1024, result  # the 300 MB bomb, the 10.8 GB image, 10^11 laughs
    assert result["outcome"] in {"drawn", "entry_too_large", "xml_forbidden"}
