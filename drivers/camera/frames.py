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
    def from_bgr(cls, image: np.ndarray, max_width: int | None = None) -> Frame:
        """Convert an OpenCV BGR (or grey) image; the copy keeps the UI away from the capture buffer.

        ``max_width`` scales a wider image down: the preview is a few hundred pixels wide on screen,
        and every byte of it is uploaded as a texture on the UI thread."""
        if max_width is not None and image.shape[1] > max_width:
            height = max(1, round(image.shape[0] * max_width / image.shape[1]))
            image = cv2.resize(image, (max_width, height), interpolation=cv2.INTER_AREA)
        if image.ndim == 2:
            rgb = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
        else:
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        height, width = rgb.shape[:2]
        return cls(width=width, height=height, rgb=rgb.tobytes())
