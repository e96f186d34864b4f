"""The start marker ("first frame drawn", which bench/startup_bench.py and technicians read) is logged
only once the first screen has actually been drawn, not when the drawing was merely scheduled."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.support.ui import DEFAULT_WINDOW, UiDriver, UiHarness, open_window

pytestmark = pytest.mark.ui


class MarkerWatch(logging.Handler):
    """Notes, when the marker is logged, how many window draws had run and what was on screen."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.draws = 0
        self.seen: list[tuple[int, str, bool]] = []

    def counted(self, *_: Any) -> None:
        self.draws += 1

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() != "first frame drawn":
            return
        from kivy.app import App

        app: Any = App.get_running_app()
        screen = app.screens[app.manager.current]
        self.seen.append((self.draws, app.manager.current, bool(screen.children)))


def test_the_start_marker_comes_after_the_first_screen_is_drawn(ui: UiHarness) -> None:
    window = open_window(DEFAULT_WINDOW)
    watch = MarkerWatch()
    logger = logging.getLogger("kiosk.app.kivy_app")
    logger.addHandler(watch)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    # bound to on_draw, this runs as each draw begins; on_flip (where the marker is logged) is
    # dispatched after on_draw has returned, so a draw counted here has been drawn by then
    window.bind(on_draw=watch.counted)
    try:

        async def script(d: UiDriver) -> None:
            await d.frames(0.5)

        ui.run(script, name="first-frame")
    finally:
        window.unbind(on_draw=watch.counted)
        logger.removeHandler(watch)
        logger.setLevel(old_level)
    assert len(watch.seen) == 1, watch.seen  # logged once
    draws, current, page_shown = watch.seen[0]
    assert draws >= 1, "the marker was logged before any frame was drawn"
    assert current == "attract" and page_shown  # the first screen, with its page, was drawn
