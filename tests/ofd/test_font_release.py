"""The OFD renderer's fonts and drawn pages are held for one citizen's session only (issue 21,
memory at rest; a drawn certificate is also the citizen's personal data).

The fallback Simplified Chinese face (then about 50 MB of parsed fontTools objects, now a FreeType
face and the outlines drawn from it) used to stay in a cache for the life of the process once the
first certificate was drawn. Now the session's end drops it (kiosk.session_memory), and the next
drawing loads it again and draws the same page.

Real parts for the session: the controller with its backend client over HTTP against the scripted
server that answers genuinely signed records linking sealed OFD files (tests/issued/seal_server.py).
"""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

import kiosk.ofd.render as ofd_render
from kiosk import session_memory
from kiosk.ofd import draw, open_ofd, render_page
from kiosk.session import Step
from tests.core.hostile_backend import ISSUER, signed_records
from tests.issued.seal_server import DEMO_SEAL_ANCHOR, SealServer, seal_server, sealed
from tests.support.controllers import demo_controller, until
from tests.support.ui import make_config

DEMO = Path(__file__).parent / "data" / "demo_certificate.ofd"


def test_released_fonts_are_freed_and_the_page_is_drawn_the_same_again() -> None:
    doc = open_ofd(DEMO.read_bytes())
    first = render_page(doc, 0, width_px=600).tobytes()
    assert "fallback-sc" in draw.fonts_held()  # the demo certificate's text uses the fallback face
    held = weakref.ref(draw.fallback_font())

    assert "ofd-fonts" in session_memory.release()
    assert draw.fonts_held() == []
    gc.collect()
    assert held() is None  # nothing else kept the parsed face alive

    again = render_page(open_ofd(DEMO.read_bytes()), 0, width_px=600).tobytes()
    assert again == first
    session_memory.release()
    assert "ofd-fonts" not in session_memory.release()  # nothing held: says so


@pytest.fixture(scope="module")
def server() -> Iterator[SealServer]:
    with seal_server() as s:
        yield s


async def test_the_fonts_a_session_drew_with_are_dropped_when_it_ends(
    server: SealServer, tmp_path: Path
) -> None:
    good = signed_records("elder")[0]
    server.serve_sealed([sealed(good)])
    config = make_config(
        {
            "terminal": {"id": "LJ-ZZ-TEST"},
            "backend": {
                "url": server.url,
                "terminal_secret": "test-terminal-secret",
                "issuer_keys": {ISSUER.key_id: ISSUER.public_hex},
                "retries": 0,
            },
            "trust": {"ofd_seal_anchors": [DEMO_SEAL_ANCHOR]},
        }
    )
    ctl, devices = demo_controller(config, tmp_path / "audit.jsonl")
    session_memory.release()
    await ctl.start()
    try:
        devices.card.insert(0)
        await until(lambda: ctl.machine.step is Step.CONSENT)
        ctl.agree()
        await until(lambda: ctl.machine.step is Step.CERTIFICATES and not ctl.machine.busy)
        ctl.select(good.identifier)

        def drawn() -> bool:
            face = ctl.issued.face(good.identifier)
            return face is not None and face.phase != "loading"

        await until(drawn, 40)
        face = ctl.issued.face(good.identifier)
        assert face is not None and face.phase == "shown"
        assert "fallback-sc" in draw.fonts_held()  # the session drew with the fallback face
        assert ofd_render._CACHE  # and its drawn page is kept while the session lasts
        held = weakref.ref(draw.fallback_font())

        ctl.home()
        devices.card.remove()
        await until(lambda: ctl.machine.step is Step.ATTRACT)
        assert draw.fonts_held() == []
        assert not ofd_render._CACHE and not ofd_render._GLYPHS  # the citizen's page went too
        gc.collect()
        assert held() is None
    finally:
        await ctl.stop()


def test_drawing_a_certificate_does_not_load_the_pdf_library() -> None:
    """fpdf2 (about 18 MB resident, kept for good once imported) is loaded for an A4 copy only."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from kiosk.ofd import open_ofd, render_page, verify_signatures\n"
        f"doc = open_ofd(Path({str(DEMO)!r}).read_bytes())\n"
        "render_page(doc, 0, width_px=300)\n"
        "verify_signatures(doc)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'fpdf'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
