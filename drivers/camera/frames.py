"""The preview frame type handed to the UI (satisfies ``kiosk.ports.FrameLike``)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True, slots=True)
class Frame:
    """RGB bytes, top row first: the UI turns them into a texture without knowing OpenCV."""

    width: int
    height: int
    rgb: bytes

    @classmethod
    def from_bgr(cls, image: np.ndarray) -> Frame:
        """Convert an OpenCV BGR (or grey) image; the copy keeps the UI away from the capture buffer."""
        if image.ndim == 2:
            rgb = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
        else:
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        height, width = rgb.shape[:2]
        return cls(width=width, height=height, rgb=rgb.tobytes())
