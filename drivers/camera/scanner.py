"""The QR scanner: a frame source, a decoder and a worker thread that reports new payloads.

Satisfies ``kiosk.ports.QrScannerPort`` by shape. WHY debounce by "last seen": a citizen holds the
phone in front of the camera for seconds, so the same code is decoded dozens of times; the core
wants it once. A payload is reported again only after it has been out of sight for ``forget_after``
seconds (a missed frame or two does not count as leaving).

WHY ``thorough_interval``: the decoder's extra passes cost several times the plain zxing-cpp call
and run in full on every frame without a code, i.e. all the time the camera films an empty
counter. Running them at most every ``thorough_interval`` seconds (plain zxing-cpp on the other
frames) bounds the CPU of an idle camera while a hard code still gets read within a few frames.

WHY a pace (:class:`ScanPace`, set by the core per page): the home page reads 亮证码 too, and it
stands untouched most of the day; decoding every frame there with the extra passes cost a large
share of a core at rest. At rest (``AT_REST``) the scanner decodes at most ``max_fps`` frames a
second with the plain pass only (and asks the camera for no more frames than that: FrameSource
``frame_interval``), and wakes to full speed for ``wake_seconds`` as soon as a frame
looks unlike the last one it decoded (someone stepped up, a phone came into view): the code is
then read within about a second, its first frame decoded at most 1/``max_fps`` s after it appeared.
At rest a frame that still shows the scene last decoded is not decoded again, but for one check
every ``recheck_seconds`` (the light may change, a code may sit still after a blurred first look):
an empty counter costs a thumbnail a frame, not a decode.

WHY the preview is made only while someone looks: only the diagnostics page shows the camera's
picture; scaling every decoded frame for nobody was a third of the decode's cost at rest.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from drivers.camera.decoder import DecodedCode, QrDecoder
from drivers.camera.frames import Frame
from drivers.camera.source import FrameSource, SourceState
from drivers.camera.worker import Run, Worker, setup_once

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScannerState:
    """Diagnostics: the source's state plus decode figures."""

    source: SourceState
    running: bool
    frames_decoded: int
    decode_fps: float | None
    last_decode_ms: float | None
    payloads_reported: int


@dataclass(frozen=True, slots=True)
class ScanPace:
    """How hard the scanner works: ``max_fps`` frames decoded a second at most (None: every frame
    the camera delivers), and whether the decoder's extra passes run (``thorough``)."""

    max_fps: float | None = None
    thorough: bool = True


FULL = ScanPace()
AT_REST = ScanPace(max_fps=2.0, thorough=False)

_THUMB = (32, 18)  # the picture the wake-up compares: a change of scene, not a code's detail
_PREVIEW_WANTED_SECONDS = 2.0  # a preview asked for this recently is made by the worker


def _thumbnail(image: np.ndarray) -> np.ndarray:
    """A 32×18 grey average of the frame. WHY two steps: an area average straight from 1280×720 took
    2.6 ms a frame; a bilinear step to 5× the thumbnail first (each output pixel still averages
    about a hundred sensor pixels, so noise stays far below the wake threshold) takes 0.03 ms."""
    step = (_THUMB[0] * 5, _THUMB[1] * 5)
    if image.shape[1] > step[0] * 2:
        image = cv2.resize(image, step, interpolation=cv2.INTER_LINEAR)
    small = cv2.resize(image, _THUMB, interpolation=cv2.INTER_AREA).astype(np.float32)
    return small if small.ndim == 2 else small.mean(axis=2)


class _Pacing:
    """When the worker may decode next and how thoroughly: the pace the core set, woken to full
    speed for ``wake_seconds`` after a decoded frame differs from the one before it by more than
    ``wake_change`` grey levels on average. At rest, a frame within ``still_change`` of the last
    decoded one is skipped unless ``recheck_seconds`` have passed since that decode. Pure (the
    clock is passed in): tests step it."""

    def __init__(
        self,
        wake_seconds: float,
        wake_change: float,
        still_change: float | None = None,
        recheck_seconds: float = 2.0,
    ) -> None:
        self.pace = FULL
        self.wake_seconds = wake_seconds
        self.wake_change = wake_change
        self.still_change = wake_change / 3 if still_change is None else still_change
        self.recheck_seconds = recheck_seconds
        self._awake_until = float("-inf")
        self._last_at = float("-inf")
        self._last_thumb: np.ndarray | None = None
        self._checked_at = float("-inf")
        self.changed_at = float("-inf")  # when a frame last looked unlike the one before (at rest)

    def set(self, pace: ScanPace) -> None:
        if pace != self.pace:
            self.pace = pace
            self._awake_until = float("-inf")
            self._last_thumb = None

    def effective(self, now: float) -> ScanPace:
        return FULL if now < self._awake_until else self.pace

    def frame_interval(self, now: float) -> float:
        """What the camera may wait between frames at the pace now in force (0: every frame)."""
        max_fps = self.effective(now).max_fps
        return 0.0 if max_fps is None else 1.0 / max_fps

    def wait_before_decode(self, now: float) -> float:
        """Seconds to wait before the next frame may be decoded (0: decode the newest now)."""
        max_fps = self.effective(now).max_fps
        if max_fps is None:
            return 0.0
        return max(0.0, self._last_at + 1.0 / max_fps - now)

    def decoding(self, now: float, image: np.ndarray) -> bool | None:
        """Note a frame taken at ``now``; returns None when it need not be decoded (at rest, the
        scene last decoded, checked recently), else whether the extra passes may run (the scanner
        still bounds them to one every ``thorough_interval``)."""
        self._last_at = now
        if self.pace.max_fps is not None:  # at rest: does this frame show someone new?
            thumb = _thumbnail(image)
            last = self._last_thumb
            change = float(np.abs(thumb - last).mean()) if last is not None else None
            still = change is not None and change <= self.still_change
            if still and now >= self._awake_until and now - self._checked_at < self.recheck_seconds:
                return None  # compared with the last decoded frame: changes add up until they count
            self._last_thumb, self._checked_at = thumb, now
            if change is not None and change > self.wake_change:
                self._awake_until = now + self.wake_seconds
                self.changed_at = now
        return self.effective(now).thorough


class QrScanner:
    """Capture + decode in a worker thread; ``on_text`` gets each newly seen payload.

    ``on_text`` is called from the worker thread (the core hops it onto its loop). Exceptions it
    raises are logged and do not stop scanning.
    """

    def __init__(
        self,
        source: FrameSource,
        decoder: QrDecoder | None = None,
        *,
        forget_after: float = 2.0,
        thorough_interval: float = 0.1,
        preview_width: int = 640,
        clock: Callable[[], float] = time.monotonic,
        wake_seconds: float = 3.0,
        wake_change: float = 6.0,
    ) -> None:
        self.source = source
        self.preview_width = preview_width
        self._preview: tuple[int, Frame] | None = None
        self._preview_asked = float("-inf")
        self.decoder = decoder or QrDecoder()
        self.forget_after = forget_after
        self.thorough_interval = thorough_interval
        self._clock = clock
        self._on_text: Callable[[str], None] | None = None
        self._on_code: Callable[[DecodedCode], None] | None = None
        self._thread: Run | None = None  # the current (or last) decode run
        self._worker: Worker | None = None
        self._stop = threading.Event()
        self._lock = threading.RLock()  # a callback may call stop() from the worker thread
        self._decoded = 0
        self._reported = 0
        self._last_ms: float | None = None
        self._decode_times: list[float] = []
        self._pacing = _Pacing(wake_seconds, wake_change)
        self._pace_changed = threading.Event()  # cuts a rest wait short (a new pace, or stop)

    # ------------------------------------------------------------------------------------------ port

    def start(
        self, on_text: Callable[[str], None], on_code: Callable[[DecodedCode], None] | None = None
    ) -> None:
        """Begin capturing and decoding; returns at once. Calling it again while running replaces
        the callback. ``on_code`` (optional) receives the full ``DecodedCode`` before ``on_text``."""
        with self._lock:
            self._on_text = on_text
            self._on_code = on_code
            if self._thread is not None and self._thread.is_alive() and not self._stop.is_set():
                return
            self._stop = threading.Event()  # per run: a worker still finishing keeps its own
            self._preview = None
            self.source.frame_interval = self._pacing.frame_interval(self._clock())
            self.source.start()
            if self._worker is None:  # one decode thread for the scanner's life (drivers.camera.worker)
                self._worker = Worker("qr-scanner", self)
            self._thread = self._worker.submit(self._run, self._stop, {})

    def stop(self, wait: float = 0.0) -> None:
        """Stop decoding and release the camera; returns at once (the threads finish on their own).

        Exact: once this returns no frame counts as decoded and no callback is made, even for a
        decode that was already running (its result is discarded when it ends). ``wait`` joins
        for up to that many seconds. Safe to call when not running."""
        with self._lock:
            self._stop.set()
            self._pace_changed.set()
            self.source.frame_interval = 0.0  # diagnostics may read the camera while it is stopped
            thread = self._thread
            self._on_text = None
            self._on_code = None
            self._preview = None  # the next citizen never sees this one's last frame
        self.source.stop(wait=wait)
        if wait and thread is not None:
            thread.join(wait)  # at once from the decode thread itself (a callback stopping it)

    def set_pace(self, pace: ScanPace) -> None:
        """Decode at ``pace`` from now on (``AT_REST`` on a page nobody stands at, ``FULL`` where a
        citizen is asked for a code); takes effect at once, even in the middle of a rest wait."""
        with self._lock:
            self._pacing.set(pace)
            self.source.frame_interval = self._pacing.frame_interval(self._clock())
        self._pace_changed.set()

    def set_at_rest(self, at_rest: bool) -> None:
        """``AT_REST`` or ``FULL``: what the core knows (nobody at the page, or a citizen asked)."""
        self.set_pace(AT_REST if at_rest else FULL)

    @property
    def pace(self) -> ScanPace:
        return self._pacing.pace

    def seconds_since_scene_change(self) -> float | None:
        """Seconds since the resting camera last saw its scene change (someone stepped up, a phone
        came into view), None if it has not since it started. WHY: the home page plays its
        attention cue only while someone may be there; each step of it redraws the screen."""
        with self._lock:
            changed = self._pacing.changed_at
        return None if changed == float("-inf") else max(0.0, self._clock() - changed)

    def set_thread_setup(self, setup: Callable[[], None] | None) -> None:
        """``setup`` is called first in each capture and decode thread started from now on.

        WHY: the terminal runs the camera's work below the screen's priority (capture and decoding
        take a core while the identify screen is up); the policy is the app's, not the driver's.
        """
        self.source.thread_setup = setup  # kept in one place: the decode thread reads it there

    def preview(self) -> Frame | None:
        """The newest frame, scaled to ``preview_width``. While scanning, and once this has been
        asked within ``_PREVIEW_WANTED_SECONDS``, the worker thread has already converted it (the
        UI thread only uploads it, and gets the same object back until a new frame arrives);
        otherwise it is converted here."""
        self._preview_asked = self._clock()
        newest = self.source.newest()
        if newest is None:
            return None
        made = self._preview
        if made is not None and made[0] >= newest[0] - 1:
            return made[1]
        return Frame.from_bgr(newest[1], self.preview_width)

    def health(self) -> str:
        return self.source.health()

    # ----------------------------------------------------------------------------------- diagnostics

    def state(self) -> ScannerState:
        times = self._decode_times
        fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else None
        return ScannerState(
            source=self.source.state(),
            running=self._thread is not None and self._thread.is_alive() and not self._stop.is_set(),
            frames_decoded=self._decoded,
            decode_fps=fps,
            last_decode_ms=self._last_ms,
            payloads_reported=self._reported,
        )

    def self_test(self, timeout: float = 5.0) -> dict[str, object]:
        """Diagnostics (blocking: run it in a worker thread). Opens the camera unless scanning,
        waits for frames, decodes one and reports what it saw; never raises.

        Keys: ``ok``, ``status``, ``health``, ``width``, ``height``, ``fps``, ``decode_ms``,
        ``codes`` (how many codes were in the test frame), ``error``.
        """
        was_running = self.state().running
        report: dict[str, object] = {"ok": False, "codes": 0, "decode_ms": None}
        try:
            if not was_running:
                self.source.start()
            first = self.source.wait_frame(0, timeout)
            second = self.source.wait_frame(first[0], timeout) if first is not None else None
            got = second or first
            if got is not None:
                t0 = time.perf_counter()
                codes = self.decoder.decode(got[1])
                report["decode_ms"] = round((time.perf_counter() - t0) * 1000, 2)
                report["codes"] = len(codes)
            state = self.source.state()
            report.update(
                ok=got is not None,
                status=state.status,
                health=self.source.health(),
                width=state.width,
                height=state.height,
                fps=round(state.measured_fps, 1) if state.measured_fps else None,
                error=None if got is not None else (state.last_error or "no frame within the timeout"),
            )
        except Exception as exc:  # diagnostics report; they do not crash
            report["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            if not was_running:
                self.source.stop()
        return report

    # ---------------------------------------------------------------------------------------- worker

    def _run(self, stop: threading.Event, last_seen: dict[bytes, float]) -> None:
        setup_once(self.source.thread_setup)  # once per kept thread (drivers.camera.worker)
        seq = 0
        last_thorough = float("-inf")
        while not stop.is_set():
            with self._lock:
                pause = self._pacing.wait_before_decode(self._clock())
            if pause > 0:  # at rest: sleep rather than wake for every frame the camera delivers
                self._pace_changed.clear()
                self._pace_changed.wait(min(pause, 0.25))
                continue
            got = self.source.wait_frame(seq, timeout=0.25)
            if got is None:
                continue
            seq, image = got
            with self._lock:
                now = self._clock()
                allowed = self._pacing.decoding(now, image)
                if not stop.is_set():  # woken up, or back at rest: the camera's rate follows
                    self.source.frame_interval = self._pacing.frame_interval(now)
            if allowed is None:  # at rest, the same empty scene: nothing new to read
                continue
            t0 = time.perf_counter()
            thorough = allowed and t0 - last_thorough >= self.thorough_interval
            codes = self.decoder.decode(image, thorough=thorough)
            t1 = time.perf_counter()
            if thorough:
                last_thorough = t0
            with self._lock:
                # a decode that was still running when stop() returned is discarded: neither counted
                # nor reported (stop() sets the event under this lock, so the check is exact)
                if stop.is_set():
                    break
                self._decoded += 1
                self._last_ms = (t1 - t0) * 1000
                self._decode_times.append(t1)
                if len(self._decode_times) > 30:
                    del self._decode_times[0]
            self._report(codes, stop, last_seen)
            if self._clock() - self._preview_asked > _PREVIEW_WANTED_SECONDS:
                continue  # nobody is looking at the picture
            preview = Frame.from_bgr(image, self.preview_width)
            with self._lock:
                if not stop.is_set():
                    self._preview = (seq, preview)

    def _report(self, codes: list[DecodedCode], stop: threading.Event, last_seen: dict[bytes, float]) -> None:
        now = self._clock()
        for code in codes:
            last = last_seen.get(code.raw)
            last_seen[code.raw] = now
            if last is not None and now - last <= self.forget_after:
                continue
            with self._lock:  # stop() clears the callbacks under this lock: none after it returns
                on_text, on_code = self._on_text, self._on_code
                if stop.is_set() or on_text is None:
                    return
                self._reported += 1
                try:
                    if on_code is not None:
                        on_code(code)
                    on_text(code.display_text())
                except Exception:
                    log.exception("QR on_text callback failed")
        for key in [k for k, t in last_seen.items() if now - t > self.forget_after * 4]:
            del last_seen[key]
