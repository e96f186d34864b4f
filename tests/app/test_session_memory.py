"""What a session loads stays only for the session (issue 21, memory at rest): the pinyin keyboard's
index lives in a child process that ends when the session's memory is released, and a child that
died costs the citizen no crash, only a moment of 正在准备 while a new one starts.

Real parts: the child is the real ``python -m kiosk.pinyin_input`` with the real dictionaries.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

from drivers.face.dlib_model import DlibFaceModel
from kiosk import pinyin_input, session_memory
from kiosk.session import Step
from tests.support.controllers import demo_controller
from tests.support.ui import make_config


def _child() -> pinyin_input.ChildIndex:
    found = pinyin_input.index()
    assert isinstance(found, pinyin_input.ChildIndex)  # not built in this process
    return found


def test_the_index_child_ends_with_the_session_and_comes_back_when_needed() -> None:
    session_memory.release()
    first = _child()
    assert pinyin_input.ready()
    assert pinyin_input.candidates("zhengwu")[0].text == "政务"

    assert "pinyin-index" in session_memory.release()
    assert not pinyin_input.ready()
    assert first._proc.poll() is not None  # the child process has ended: its memory went with it

    assert pinyin_input.candidates("tousu")[0].text == "投诉"  # the next session starts it again
    assert _child() is not first
    session_memory.release()


def test_a_child_that_died_gives_no_candidates_then_a_new_child() -> None:
    session_memory.release()
    dead = _child()
    dead._proc.kill()
    dead._proc.wait()
    assert pinyin_input.candidates("zhengwu") == []  # no crash, nothing wrong offered
    deadline = time.monotonic() + 60
    while not pinyin_input.ready():  # the keyboard shows 正在准备 meanwhile
        assert time.monotonic() < deadline, "no new child"
        time.sleep(0.05)
    assert _child() is not dead
    assert pinyin_input.candidates("jubao")[0].text == "举报"
    session_memory.release()


async def test_closing_a_page_over_the_attract_step_releases_what_it_loaded(tmp_path: Path) -> None:
    """The 投诉 pages are a view over the attract step, not a session: closing them rests too."""
    ctl, _devices = demo_controller(make_config({}), tmp_path / "audit.jsonl")
    ctl.available_views.add("complaint")
    session_memory.release()
    await ctl.start()
    try:
        ctl.open_view("complaint")
        assert ctl.machine.view == "complaint"
        child = _child()  # the keyboard on the complaint page started it
        ctl.close_view()
        assert ctl.machine.view is None and ctl.machine.step is Step.ATTRACT
        assert not pinyin_input.ready()
        assert child._proc.poll() is not None
    finally:
        await ctl.stop()


async def test_the_face_model_is_loaded_for_the_face_step_and_dropped_when_the_session_ends(
    tmp_path: Path,
) -> None:
    """The dlib models (about 36 MB) are loaded as the face step is entered and go with the session."""
    ctl, _devices = demo_controller(make_config({"face": {"kind": "simulated"}}), tmp_path / "audit.jsonl")
    model = ctl.face.model
    assert isinstance(model, DlibFaceModel)
    session_memory.release()
    assert model._loaded is None
    ctl.face.enter(SimpleNamespace(id="s", face=None))  # the session reached the face step
    deadline = time.monotonic() + 60
    while model._loaded is None:  # warmed in the background, before the citizen starts the check
        assert time.monotonic() < deadline, "the model was not loaded"
        time.sleep(0.05)
    assert "face-model" in session_memory.release()
    assert model._loaded is None
