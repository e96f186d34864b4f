"""A real camera through OpenCV's ``cv2.VideoCapture`` (V4L2 on the terminal)."""

from __future__ import annotations

import cv2
import numpy as np

from drivers.camera.source import FrameSource, SourceError


def parse_device(device: str | int) -> int | str:
    """``"0"`` → 0 (index); ``/dev/video2`` or a URL stays a string."""
    if isinstance(device, int):
        return device
    text = device.strip()
    return int(text) if text.isdigit() else text


class OpenCvCamera(FrameSource):
    """Opens ``device`` with the requested resolution and rate; reopens it when it disappears.

    The capture thread reads continuously, so the internal buffer of the driver never holds stale
    frames for the decoder (``CAP_PROP_BUFFERSIZE`` = 1 where the backend supports it).
    """

    name = "opencv"

    def __init__(
        self,
        device: str | int = 0,
        *,
        width: int = 1280,
        height: int = 720,
        fps: int = 30,
        rotate: int = 0,
        api_preference: int = cv2.CAP_ANY,
    ) -> None:
        super().__init__(rotate=rotate)
        self.device = parse_device(device)
        self.width = width
        self.height = height
        self.fps = fps
        self.api_preference = api_preference
        self._cap: cv2.VideoCapture | None = None

    def _open(self) -> None:
        cap = cv2.VideoCapture(self.device, self.api_preference)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open camera {self.device!r}")
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        cap.set(cv2.CAP_PROP_FPS, self.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._cap = cap

    def _read(self) -> np.ndarray | None:
        cap = self._cap
        if cap is None:
            return None
        ok, frame = cap.read()
        return frame if ok and frame is not None else None

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
