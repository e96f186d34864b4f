"""The simulated face camera for demo mode and tests: a drawn person who does what the screen asks.

WHY through the real model: the demo and the tests should run the same detection, landmark pose
and quality code as a real camera, so this camera only changes what it films (a drawn face, see
synthetic.py); it never reports a pose itself.

``stand(key)`` puts a person in front of it (``None``: nobody); ``behaviour`` is ``"person"``
(turns the head when ``on_prompt`` tells it the challenge), ``"photo"`` (a still picture of the
face, held up and moved and brought closer, never changing pose: a printed photo or a phone
screen) or ``"ignore"`` (a person who stands still). ``unplug()`` makes it fail like a lost camera.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import numpy as np

from drivers.face.synthetic import place, portrait, seed_of

# at most this share of the whole turn between two frames delivered (5 frames from frontal to turned)
MAX_TURN_STEP = 0.2


class SimulatedFaceCamera:
    name = "simulated-face"

    def __init__(
        self,
        width: int = 640,
        height: int = 480,
        fps: float = 10.0,
        turn_seconds: float = 0.8,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.width, self.height, self.fps = width, height, fps
        self.turn_seconds = turn_seconds
        self._clock = clock
        self._turned = 0.0  # how far through the asked turn the last frame drawn was
        self.behaviour = "person"
        self._lock = threading.Lock()
        self._seed: int | None = None
        self._prompt: tuple[str, float] | None = None  # (direction, when asked)
        self._seq = 0
        self._started_at = clock()
        self._running = False
        self._plugged = True
        self._cache: dict[tuple[int, float], np.ndarray] = {}
        self._last: np.ndarray | None = None

    # ------------------------------------------------------------------ the scene
    def stand(self, key: str | None) -> None:
        """The person in front of the camera (any text: a stable drawn face from it)."""
        with self._lock:
            self._seed = None if key is None else seed_of(key)
            self._prompt = None
            self._turned = 0.0

    def on_prompt(self, direction: str | None) -> None:
        """The screen asked the citizen to turn ``left``/``right`` (their own left/right); None: face
        the screen again."""
        with self._lock:
            self._prompt = (direction, self._clock()) if direction else None
            self._turned = 0.0

    def unplug(self) -> None:
        self._plugged = False

    def replug(self) -> None:
        self._plugged = True

    # ------------------------------------------------------------------ the port
    def start(self) -> None:
        if not self._plugged:
            raise OSError("simulated face camera unplugged")
        self._running = True
        self._started_at = self._clock()

    def stop(self) -> None:
        self._running = False
        self._last = None

    def health(self) -> str:
        return "ok" if self._plugged else "down"

    def grab(self, timeout: float = 1.0) -> np.ndarray | None:
        """The next frame (RGB), paced at ``fps``; None when the camera delivers nothing."""
        if not self._running or not self._plugged:
            time.sleep(min(timeout, 0.05))
            return None
        time.sleep(1.0 / self.fps)
        frame = self._render(self._clock())
        self._last = frame
        return frame

    def preview(self) -> np.ndarray | None:
        return self._last

    # ------------------------------------------------------------------ drawing
    def _face(self, seed: int, yaw: float) -> np.ndarray:
        key = (seed, round(yaw, 1))
        if key not in self._cache:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = portrait(seed, yaw=key[1], size=360)
        return self._cache[key]

    def _render(self, now: float) -> np.ndarray:
        with self._lock:
            seed, prompt, behaviour = self._seed, self._prompt, self.behaviour
            self._seq += 1
            seq = self._seq
            if behaviour == "person" and prompt is not None:
                timed = min(1.0, max(0.0, (now - prompt[1] - 0.3) / self.turn_seconds))
                self._turned = min(timed, self._turned + MAX_TURN_STEP)
            turned = self._turned
        if seed is None:
            return place(np.full((8, 8, 3), 90, np.uint8), self.width, self.height, scale=0.01)
        t = now - self._started_at
        if behaviour == "photo":  # held up, waved about and brought closer: never a pose change
            scale = 0.75 + 0.15 * math.sin(t * 1.7)
            return place(
                self._face(seed, 0.0),
                self.width,
                self.height,
                scale,
                int(40 * math.sin(t * 2.3)),
                int(15 * math.cos(t * 1.9)),
            )
        yaw = 0.0
        if behaviour == "person" and prompt is not None:
            # the citizen's left is the picture's right for a camera that faces them (not mirrored)
            yaw = (2.4 if prompt[0] == "left" else -2.4) * turned
        jitter = 0.02 * math.sin(seq)  # a living person is never perfectly still
        return place(self._face(seed, yaw + jitter), self.width, self.height, 0.94, int(4 * math.sin(t)), 0)
