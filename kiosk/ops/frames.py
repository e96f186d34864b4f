"""The longest gap between two UI frames: a frozen or janky screen shows up here first.

A callback scheduled every frame (``Clock.schedule_interval(..., 0)``) records the time between
frames. ``take_max()`` returns the longest gap since the last call and starts a new window.
"""

from __future__ import annotations

import time
from typing import Any


class FrameGapMeter:
    def __init__(self) -> None:
        self._last: float | None = None
        self._window_max = 0.0
        self.overall_max = 0.0
        self.frames = 0
        self._event: Any = None

    def start(self) -> None:
        from kivy.clock import Clock

        self._last = None
        self._event = Clock.schedule_interval(self._frame, 0)

    def _frame(self, *_: Any) -> None:
        now = time.perf_counter()
        if self._last is not None:
            gap = now - self._last
            self._window_max = max(self._window_max, gap)
            self.overall_max = max(self.overall_max, gap)
        self._last = now
        self.frames += 1

    @property
    def last_frame_at(self) -> float | None:
        """``time.perf_counter()`` of the last frame drawn (``None`` before the first)."""
        return self._last

    def reset(self) -> None:
        """Forget what was measured so far (after warm-up)."""
        self._window_max = self.overall_max = 0.0
        self._last = None

    def take_max(self) -> float:
        value, self._window_max = self._window_max, 0.0
        return value

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
