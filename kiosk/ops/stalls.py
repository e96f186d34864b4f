"""Where the UI thread was when a frame came late: the stack of every stall, sampled from a thread.

A frozen screen is the one failure a citizen sees without any message, and its cause (a file read,
a font rasterised, a JSON parse on the UI thread) is invisible in the logs. The sampler thread wakes
every few milliseconds; while the frame meter says no frame has been drawn for longer than the
threshold, it records the UI thread's stack (file, line and function only: no variable is read,
so no personal data can leak). ``worst()`` then names the code lines that cost the most stalled time.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType


@dataclass
class StallSampler:
    """Samples the stack of ``thread_id`` while ``last_frame()`` is older than ``threshold``."""

    last_frame: Callable[[], float | None]
    thread_id: int = field(default_factory=threading.get_ident)
    threshold: float = 0.1
    interval: float = 0.005
    depth: int = 6
    context: Callable[[], str] = lambda: ""
    samples: Counter[tuple[str, ...]] = field(default_factory=Counter)
    stalls: list[tuple[float, str]] = field(default_factory=list)  # (seconds, context) of each
    # per stall (same index as ``stalls``): sampled places, each "project line | innermost line"
    stall_places: list[Counter[str]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)

    def _run(self) -> None:
        open_stall: tuple[float, str] | None = None  # (last frame before it, context)
        places: Counter[str] = Counter()
        while not self._stop.wait(self.interval):
            last = self.last_frame()
            if open_stall is not None and last != open_stall[0]:
                if last is not None:
                    self.stalls.append((last - open_stall[0], open_stall[1]))
                    self.stall_places.append(places)
                open_stall, places = None, Counter()
            if last is None or time.perf_counter() - last < self.threshold:
                continue
            if open_stall is None:
                open_stall = (last, self.context())
            frame = sys._current_frames().get(self.thread_id)
            if frame is None:
                continue
            full = _places(frame)
            self.samples[tuple(full[-self.depth :])] += 1
            ours = [line for line in full if line.startswith(_PROJECT_CODE)]
            places[f"{ours[-1] if ours else '-'} | {full[-1]}"] += 1

    def longest(self, n: int = 3, places: int = 3) -> list[tuple[float, str, list[tuple[str, float]]]]:
        """The ``n`` longest stalls: seconds, context, and where the UI thread was (seconds each)."""
        order = sorted(range(len(self.stalls)), key=lambda i: self.stalls[i][0], reverse=True)[:n]
        return [
            (
                self.stalls[i][0],
                self.stalls[i][1],
                [(place, count * self.interval) for place, count in self.stall_places[i].most_common(places)],
            )
            for i in order
        ]

    def worst(self, n: int = 5, frames: int = 1) -> list[tuple[float, tuple[str, ...]]]:
        """The ``n`` places seen most often during stalls (the innermost ``frames`` of each stack),
        with the stalled seconds they cover."""
        places: Counter[tuple[str, ...]] = Counter()
        for stack, count in self.samples.items():
            places[stack[-frames:]] += count
        return [(count * self.interval, place) for place, count in places.most_common(n)]

    def clear(self) -> None:
        self.samples.clear()
        self.stalls.clear()
        self.stall_places.clear()

    @property
    def stalled_seconds(self) -> float:
        return sum(self.samples.values()) * self.interval


_ROOT = str(Path(__file__).resolve().parents[2]) + "/"
_PROJECT_CODE = ("kiosk/", "screens/", "drivers/")


def _places(frame: FrameType | None) -> list[str]:
    """The stack from the outermost frame in, as "file:line function" (no source text).

    WHY not traceback.extract_stack: it reads every file on the stack into linecache, to show
    lines nobody here prints; in the soak that cache alone grew by 0.9 MB in 600 sessions, inside
    the very process whose resident size is being judged."""
    places = []
    while frame is not None:
        code = frame.f_code
        places.append(f"{_short(code.co_filename)}:{frame.f_lineno} {code.co_name}")
        frame = frame.f_back
    places.reverse()
    return places


def _short(path: str) -> str:
    """A path relative to the project or to site-packages: short, and the same on every machine."""
    if path.startswith(_ROOT):
        return path[len(_ROOT) :]
    return path.split("/site-packages/", 1)[-1]
