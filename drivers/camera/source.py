"""Frame sources: a capture thread that always holds the newest frame, reconnecting by itself.

WHY a capture loop per source and a single slot: a camera delivers frames at its own pace whether or not
anyone reads them; OpenCV buffers a few internally, so a slow consumer would decode stale frames.
The capture thread drains the device continuously and keeps only the newest frame; consumers wait
for a frame newer than the one they last saw. When the device disappears the thread closes it and
retries with back-off, so "camera lost" is a state, never an exception in the caller.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from drivers.camera.worker import Run, Worker, setup_once

log = logging.getLogger(__name__)

_ROTATIONS = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


class SourceError(OSError):
    """The device could not be opened or read (the capture thread retries)."""


@dataclass(frozen=True, slots=True)
class SourceState:
    """Diagnostics snapshot. ``status``: idle | connecting | streaming | stalled | lost."""

    name: str
    status: str
    frames: int
    reconnects: int
    last_error: str | None
    seconds_since_frame: float | None
    width: int | None
    height: int | None
    measured_fps: float | None


class FrameSource:
    """Base class: subclasses implement ``_open``, ``_read`` and ``_close`` (all blocking, called only
    from the capture thread). ``_read`` returns a BGR frame, or None when the device stopped
    delivering (after ``lost_after_failures`` Nones in a row the device is reopened).
    """

    name = "source"
    lost_after_failures = 5
    stall_seconds = 2.0

    def __init__(self, *, rotate: int = 0, retry_min: float = 0.2, retry_max: float = 3.0) -> None:
        if rotate not in (0, 90, 180, 270):
            raise ValueError(f"rotate must be 0, 90, 180 or 270, not {rotate!r}")
        self.rotate = rotate
        self.retry_min = retry_min
        self.retry_max = retry_max
        self._cond = threading.Condition()
        self._frame: np.ndarray | None = None
        self._seq = 0
        self._frame_time: float | None = None
        self._status = "idle"
        self._reconnects = 0
        self._last_error: str | None = None
        self._ever_opened = False
        self._fps_window: list[float] = []
        self._stop = threading.Event()
        self._thread: Run | None = None  # the current (or last) capture run
        self._worker: Worker | None = None  # its thread, kept between runs (drivers.camera.worker)
        # called first in each capture thread (the app lowers the thread's priority there)
        self.thread_setup: Callable[[], None] | None = None
        # at least this many seconds between frames read; 0: as fast as the device delivers. The
        # scanner sets it at rest (drivers.camera.scanner): a frame not read is not converted,
        # allocated and copied, which at 15-30 fps was most of a resting camera's CPU
        self.frame_interval = 0.0

    # ------------------------------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Start the capture thread (idempotent). Returns at once: opening happens in the thread."""
        if self._thread is not None and self._thread.is_alive() and not self._stop.is_set():
            return
        self._stop = threading.Event()  # one event per run: a stopping run keeps its own
        self._set_status("connecting")
        if self._worker is None:
            self._worker = Worker(f"camera-{self.name}", self)
        # queued behind a run still finishing: the device is released before it is opened again
        self._thread = self._worker.submit(self._run, self._stop)

    def stop(self, wait: float = 0.0) -> None:
        """Stop capturing; the thread releases the device on its way out.

        Returns at once by default (WHY: the controller calls this on the UI's loop, and a camera
        read can block for a frame or, on a failing device, much longer); ``wait`` joins for up to
        that many seconds. A ``start()`` right after is queued behind the previous run, on the same
        thread, so the device is released before it is opened again. The last frame is dropped so
        that no stale image of the previous citizen's phone reaches the next preview.
        """
        self._stop.set()
        thread = self._thread
        if wait and thread is not None:
            thread.join(wait)  # at once from the capture thread itself
        with self._cond:
            self._status = "idle"
            self._frame = None
            self._frame_time = None
            self._fps_window.clear()
            self._cond.notify_all()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    # ------------------------------------------------------------------------------------- consumers

    def wait_frame(self, after_seq: int, timeout: float) -> tuple[int, np.ndarray] | None:
        """The newest frame with a sequence number above ``after_seq``, waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._seq <= after_seq or self._frame is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stop.is_set():
                    return None
                self._cond.wait(remaining)
            return self._seq, self._frame

    def newest(self) -> tuple[int, np.ndarray] | None:
        with self._cond:
            if self._frame is None:
                return None
            return self._seq, self._frame

    def state(self) -> SourceState:
        with self._cond:
            now = time.monotonic()
            since = None if self._frame_time is None else now - self._frame_time
            status = self._status
            if status == "streaming" and since is not None and since > self.stall_seconds:
                status = "stalled"
            h, w = (self._frame.shape[:2]) if self._frame is not None else (None, None)
            window = self._fps_window
            fps = (
                (len(window) - 1) / (window[-1] - window[0])
                if len(window) > 1 and window[-1] > window[0]
                else None
            )
            return SourceState(
                name=self.name,
                status=status,
                frames=self._seq,
                reconnects=self._reconnects,
                last_error=self._last_error,
                seconds_since_frame=since,
                width=w,
                height=h,
                measured_fps=fps,
            )

    def health(self) -> str:
        """ok | degraded | down | unknown (the port's vocabulary)."""
        status = self.state().status
        return {
            "streaming": "ok",
            "stalled": "degraded",
            "connecting": "unknown" if not self._ever_opened else "down",
            "lost": "down",
            "idle": "unknown",
        }.get(status, "unknown")

    # ------------------------------------------------------------------------------- subclass hooks

    def _open(self) -> None:
        raise NotImplementedError

    def _read(self) -> np.ndarray | None:
        raise NotImplementedError

    def _close(self) -> None:
        """Release the device; must not raise."""

    # ---------------------------------------------------------------------------------------- thread

    def _set_status(self, status: str, error: str | None = None, stop: threading.Event | None = None) -> None:
        with self._cond:
            if stop is not None and stop.is_set():
                return  # a stopping run must not overwrite the state of the next one
            self._status = status
            if error is not None:
                self._last_error = error

    def _publish(self, frame: np.ndarray, stop: threading.Event) -> None:
        if self.rotate:
            frame = cv2.rotate(frame, _ROTATIONS[self.rotate])
        now = time.monotonic()
        with self._cond:
            if stop.is_set():
                return
            self._frame = frame
            self._seq += 1
            self._frame_time = now
            self._fps_window.append(now)
            if len(self._fps_window) > 30:
                del self._fps_window[0]
            self._cond.notify_all()

    def _run(self, stop: threading.Event) -> None:
        setup_once(self.thread_setup)  # once per kept thread (drivers.camera.worker)
        delay = self.retry_min
        while not stop.is_set():
            try:
                self._open()
            except Exception as exc:  # the device is absent or busy: retry with back-off
                self._set_status("lost" if self._ever_opened else "connecting", f"open: {exc}", stop)
                stop.wait(delay)
                delay = min(delay * 2, self.retry_max)
                continue
            if self._ever_opened:
                with self._cond:
                    self._reconnects += 1
            self._ever_opened = True
            self._set_status("streaming", None, stop)
            log.info("camera %s streaming", self.name)
            delay = self.retry_min
            self._stream(stop)
            try:
                self._close()
            except Exception:
                log.debug("camera %s close failed", self.name, exc_info=True)
            if not stop.is_set():
                log.warning("camera %s lost; reconnecting", self.name)
                self._set_status("lost", self._last_error or "no frames", stop)
                stop.wait(delay)

    def _stream(self, stop: threading.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                frame = self._read()
            except Exception as exc:
                self._set_status("streaming", f"read: {exc}", stop)
                frame = None
            if frame is None or frame.size == 0:
                failures += 1
                if failures >= self.lost_after_failures:
                    return
                stop.wait(0.02)
                continue
            failures = 0
            self._publish(frame, stop)
            self._rest(stop, time.monotonic())

    def _rest(self, stop: threading.Event, since: float) -> None:
        """Wait out ``frame_interval`` in short steps, so that a shorter one (the scanner woke up)
        applies within 50 ms."""
        while not stop.is_set():
            remaining = since + self.frame_interval - time.monotonic()
            if remaining <= 0:
                return
            stop.wait(min(remaining, 0.05))


class Pacer:
    """Sleeps so that a synthetic or file source delivers at most ``fps`` frames a second."""

    def __init__(self, fps: float, stop: threading.Event) -> None:
        self.interval = 1.0 / max(fps, 0.1)
        self._next = time.monotonic()
        self._stop = stop

    def wait(self) -> None:
        now = time.monotonic()
        if self._next > now:
            self._stop.wait(self._next - now)
            self._next += self.interval
        else:
            self._next = now + self.interval
