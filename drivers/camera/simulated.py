"""The simulated camera for demo mode and tests: a phone showing a chosen QR code, photographed.

WHY through the real decoder: demo mode and the tests should exercise the same decode and
debounce path as a real camera, so ``show(text)`` does not shortcut to ``on_text``; it changes what
the synthetic camera films, and the scanner has to read it.
"""

from __future__ import annotations

import dataclasses
import logging
import threading

import numpy as np

from drivers.camera.decoder import QrDecoder
from drivers.camera.scanner import QrScanner
from drivers.camera.source import FrameSource, Pacer
from drivers.camera.synthetic import SceneParams, qr_matrix, render_scene

log = logging.getLogger(__name__)


class SimulatedCamera(FrameSource):
    """Renders the current payload on a phone screen (perspective, glare, noise) at ``fps``.

    ``unplug()`` / ``replug()`` simulate the camera disappearing and coming back.
    """

    name = "simulated"

    def __init__(
        self,
        *,
        width: int = 1280,
        height: int = 720,
        fps: float = 15.0,
        rotate: int = 0,
        scene: SceneParams | None = None,
        seed: int = 7,
    ) -> None:
        super().__init__(rotate=rotate)
        self.width = width
        self.height = height
        self.fps = fps
        self._scene = scene or SceneParams(
            width=width,
            height=height,
            module_px=6.0,
            angle_deg=-8.0,
            tilt=0.12,
            glare=0.25,
            noise=0.0,
            blur=0.6,
        )
        self._seed = seed
        self._text: str | None = None
        self._dirty = True
        self._base: np.ndarray | None = None
        self._noise: list[np.ndarray] = []
        self._tick = 0
        self._plugged = threading.Event()
        self._plugged.set()
        self._lock = threading.Lock()
        self._pacer: Pacer | None = None

    # --------------------------------------------------------------------------------------- control

    def show(self, text: str) -> None:
        """Hold a phone showing ``text`` as a QR code in front of the camera."""
        with self._lock:
            self._text = text
            self._dirty = True

    def clear(self) -> None:
        """Take the phone away."""
        with self._lock:
            self._text = None
            self._dirty = True

    def unplug(self) -> None:
        self._plugged.clear()

    def replug(self) -> None:
        self._plugged.set()

    # ----------------------------------------------------------------------------------------- hooks

    def _open(self) -> None:
        if not self._plugged.is_set():
            raise OSError("simulated camera unplugged")
        self._pacer = Pacer(self.fps, self._stop)
        if not self._noise:
            rng = np.random.default_rng(self._seed)
            # three frames of noise as views into one buffer a few pixels longer than a frame, each
            # starting elsewhere: every frame still gets its own grain, and the process keeps 2.8 MB
            # instead of three frames' 8.3 MB at 1280×720 (int8: the noise is a few levels either way)
            frame = self.height * self.width * 3
            shift = 3 * 7 + 1  # not a multiple of 3: the channels' noise moves too
            flat = np.clip(rng.normal(0, 3.0, size=frame + 2 * shift), -127, 127).astype(np.int8)
            self._noise = [
                flat[i * shift : i * shift + frame].reshape(self.height, self.width, 3) for i in range(3)
            ]

    def _render(self, text: str | None) -> np.ndarray:
        """The scene for ``text``; a long payload gets smaller modules so the whole code stays in
        frame, and one too long for any QR code shows the phone-less counter (logged)."""
        params = dataclasses.replace(self._scene, width=self.width, height=self.height)
        if text is not None:
            try:
                modules = qr_matrix(text).shape[0] + 8
            except Exception:
                log.warning("simulated camera: payload of %d characters does not fit a QR code", len(text))
                return render_scene(None, params)
            fit = 0.6 * min(self.width, self.height) / modules
            params = dataclasses.replace(params, module_px=min(params.module_px, max(fit, 1.0)))
        return render_scene(text, params)

    def _read(self) -> np.ndarray | None:
        if not self._plugged.is_set():
            return None
        assert self._pacer is not None
        self._pacer.wait()
        # the scene is rendered outside the lock: show() and clear() are called from the UI loop
        # (demo keys, scripted sessions) and must not wait for a render (~20 ms)
        with self._lock:
            stale, text = self._dirty or self._base is None, self._text
            self._dirty = False
        if stale:
            self._base = self._render(text)
        base = self._base
        assert base is not None
        self._tick += 1
        noisy = base.astype(np.int16) + self._noise[self._tick % len(self._noise)]
        return np.clip(noisy, 0, 255).astype(np.uint8)


class SimulatedQrScanner(QrScanner):
    """A ``QrScanner`` over a ``SimulatedCamera``, with the camera's controls at hand."""

    def __init__(
        self,
        camera: SimulatedCamera | None = None,
        decoder: QrDecoder | None = None,
        *,
        forget_after: float = 2.0,
    ) -> None:
        self.camera = camera or SimulatedCamera()
        super().__init__(self.camera, decoder, forget_after=forget_after)

    def show(self, text: str) -> None:
        """Present ``text`` as a QR code to the camera; the real decoder has to read it."""
        self.camera.show(text)

    def clear(self) -> None:
        self.camera.clear()
