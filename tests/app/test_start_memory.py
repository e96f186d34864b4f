"""What the terminal holds at rest after start-up (issue 21, memory at rest).

The receipt renderer's fonts (the CJK face opened at each size, its file mapped each time) and the
lines it remembers were opened by a warm-up at start and kept all day: about 22 MB resident on a
terminal at rest. Now a session's start warms them (kiosk.wiring.printer.warm_up, in the
background) and its end drops them (kiosk.receipt.render.release_fonts, kiosk.session_memory).
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

from kiosk import session_memory
from kiosk.session import Step
from tests.support.controllers import demo_controller, until
from tests.support.ui import make_config

render_module = importlib.import_module("kiosk.receipt.render")  # the package exports render()


def _fonts_open() -> int:
    return render_module._font.cache_info().currsize


async def test_the_receipt_fonts_are_opened_for_a_session_and_closed_when_it_ends(tmp_path: Path) -> None:
    session_memory.release()
    ctl, devices = demo_controller(make_config({}), tmp_path / "audit.jsonl")
    await ctl.start()
    try:
        await until(lambda: ctl.machine.step is Step.ATTRACT)
        assert _fonts_open() == 0 and render_module.kept_texts() == []  # at rest after start: none
        assert not any(t.name == "warm-kiosk.wiring.printer" for t in threading.enumerate())

        devices.card.insert(0)  # a citizen starts a session
        await until(lambda: ctl.machine.step is not Step.ATTRACT)
        await until(
            lambda: _fonts_open() > 0 and "电子证照查询凭条" in render_module.kept_texts(), timeout=60
        )
        await until(lambda: not any(t.name == "warm-kiosk.wiring.printer" for t in threading.enumerate()))

        ctl.home()  # the session ends: the terminal rests again
        await until(lambda: ctl.machine.step is Step.ATTRACT and ctl.machine.view is None)
        assert _fonts_open() == 0 and render_module.kept_texts() == []
    finally:
        await ctl.stop()
        session_memory.release()


def test_a_receipt_drawn_after_the_release_is_the_same() -> None:
    """Closing the fonts changes nothing of what is printed: they are opened again."""
    from kiosk.receipt.samples import sample_certificate_receipt

    receipt = sample_certificate_receipt()
    before = render_module.render(receipt, 576).tobytes()
    assert render_module.release_fonts()
    assert _fonts_open() == 0
    assert render_module.render(receipt, 576).tobytes() == before
    render_module.release_fonts()
