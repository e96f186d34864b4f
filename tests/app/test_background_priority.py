"""Work a session starts in the background runs below the screen's priority (issue 21, frames).

WHY: the terminal has two cores and no graphics card; the UI thread and the software renderer's
threads draw the screen. The OFD font warm-up (kiosk.session_memory.warm_up, started as the list
of certificates appears) parses a 16 MB face in pure Python for the better part of a second; at
the UI thread's priority it took a core from the frames the citizen was watching (bench/soak.py
saw it busy in the session's late frames). On Linux a nice value belongs to a thread, so the
thread's own value is read from inside it.
"""

from __future__ import annotations

import os
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk import session_memory
from kiosk.thread_priority import BACKGROUND_NICE


@pytest.fixture
def warm_module() -> Iterator[tuple[str, dict[str, int], threading.Event]]:
    name = "kiosk_test_warm_priority"
    seen: dict[str, int] = {}
    done = threading.Event()

    def warm_up() -> None:
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, 0)  # this thread's (Linux)
        done.set()

    module = types.ModuleType(name)
    module.warm_up = warm_up  # type: ignore[attr-defined]
    sys.modules[name] = module
    yield name, seen, done
    del sys.modules[name]


def test_the_session_warm_up_runs_below_the_ui_thread(
    warm_module: tuple[str, dict[str, int], threading.Event],
) -> None:
    name, seen, done = warm_module
    ui = os.getpriority(os.PRIO_PROCESS, 0)
    session_memory.warm_up(name)
    assert done.wait(10), "the warm-up never ran"
    assert seen["nice"] == min(19, ui + BACKGROUND_NICE)
    assert os.getpriority(os.PRIO_PROCESS, 0) == ui  # the UI thread keeps its own


async def test_the_certificate_face_is_loaded_while_the_citizen_reads_the_consent(tmp_path: Path) -> None:
    """The OFD fallback face (most of a second of pure Python when fontTools parsed it; a FreeType
    face now, kiosk.ofd.freetype_face) is loaded while the consent
    page is up, a still page the citizen reads, not as the certificate list is drawn: there its
    parse held the interpreter's lock between the list's label uploads and made its frames late
    (bench/soak.py). Nothing a citizen sees changes: the face is ready before the list, as before."""
    from kiosk.ofd import draw
    from kiosk.session import Step
    from tests.support.controllers import demo_controller, until
    from tests.support.ui import make_config

    ctl, devices = demo_controller(make_config({}), tmp_path / "audit.jsonl")
    session_memory.release()
    await ctl.start()
    try:
        devices.card.insert(0)
        await until(lambda: ctl.machine.step is Step.CONSENT)
        await until(lambda: "fallback-sc" in draw.fonts_held(), 30)  # the citizen has not agreed yet
        assert ctl.machine.step is Step.CONSENT
        ctl.home()
        devices.card.remove()
        await until(lambda: ctl.machine.step is Step.ATTRACT)
        assert draw.fonts_held() == []  # and dropped with the session, as before
    finally:
        await ctl.stop()


def test_ending_a_session_does_not_wait_for_the_face_being_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The session's end drops the OFD face on the UI thread (kiosk.session_memory.release); the
    face's parse, started at consent in a background thread, may still be running (a citizen who
    leaves from the consent page). The drop must not wait for the parse: it held the fonts' lock
    all along, and the UI thread sat in the drop for as long as the parse had left (150-580 ms in
    bench/soak.py's cancelled sessions). The parse that finishes after the drop is not kept."""
    from kiosk.ofd import draw

    started, finish = threading.Event(), threading.Event()
    real = draw._load_fallback

    def slow_load() -> Any:
        started.set()
        assert finish.wait(10)
        return real()

    monkeypatch.setattr(draw, "_load_fallback", slow_load)
    session_memory.release()
    parse = threading.Thread(target=draw.fallback_font)
    parse.start()
    try:
        assert started.wait(10)
        released = threading.Event()

        def drop() -> None:
            draw.release_fonts()
            released.set()

        threading.Thread(target=drop).start()
        assert released.wait(5), "the drop waited for the parse"
    finally:
        finish.set()
        parse.join(30)
    assert draw.fonts_held() == []  # the late parse is not kept after the session ended
