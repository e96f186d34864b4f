"""A real face camera: the OpenCV capture thread of drivers/camera, frames handed over as RGB.

``device`` is the QR camera's device (the terminal films the face with the same camera after the
card is read, when QR scanning has stopped) or a second camera's.
"""

from __future__ import annotations

import numpy as np

from drivers.camera.opencv_camera import OpenCvCamera


class OpenCvFaceCamera:
    name = "opencv-face"

    def __init__(
        self, device: str, width: int = 1280, height: int = 720, fps: int = 15, rotate: int = 0
    ) -> None:
        self._source = OpenCvCamera(device, width=width, height=height, fps=fps, rotate=rotate)
        self._seq = 0

    def start(self) -> None:
        self._source.start()

    def stop(self) -> None:
        self._source.stop()

    def health(self) -> str:
        return self._source.health()

    def grab(self, timeout: float = 1.0) -> np.ndarray | None:
        got = self._source.wait_frame(self._seq, timeout)
        if got is None:
            return None
        self._seq, bgr = got
        return np.ascontiguousarray(bgr[..., ::-1])

    def preview(self) -> np.ndarray | None:
        newest = self._source.newest()
        return None if newest is None else np.ascontiguousarray(newest[1][..., ::-1])
