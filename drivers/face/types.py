"""Plain results of the face model, shaped for kiosk/face (which never imports dlib)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class FaceBox:
    """One face found in a picture: its box (pixels) and dlib's 5 landmarks.

    ``landmarks``: (x, y) of the two corners of each eye and the bottom of the nose, in dlib's order
    (0-1 one eye, 2-3 the other, 4 the nose); the pose judgement in kiosk/face sorts the eyes by x
    itself, so nothing depends on which eye dlib calls first.
    """

    left: int
    top: int
    right: int
    bottom: int
    landmarks: tuple[tuple[float, float], ...]

    @property
    def width(self) -> int:
        return self.right - self.left


@dataclass(frozen=True, slots=True)
class Observation:
    """What one frame shows: the faces and the picture's light and sharpness (of the face, if one)."""

    width: int
    height: int
    faces: tuple[FaceBox, ...]
    brightness: float  # mean grey level 0..255 of the face (of the frame without a face)
    sharpness: float  # variance of the Laplacian of the face's grey image (higher: sharper)


def grey(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma as float32 (no OpenCV needed for this)."""
    return (rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114).astype(np.float32)
