"""Head pose from dlib's 5 landmarks: how far the nose sits sideways from between the eyes.

WHY this measure: it is the share of the eye distance by which the bottom of the nose is off the
eyes' midpoint along the eye line. A picture moved, scaled, or turned in its own plane keeps it
(similarity-invariant), and so, to first order, does a flat photo tilted away from the camera (both
the eye distance and the nose offset shrink by the same factor); only a head that really turns
moves the nose, which stands out of the face, relative to the eyes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def yaw_index(landmarks: Sequence[tuple[float, float]]) -> float | None:
    """Positive: the nose is toward the picture's right. None for a degenerate set of points."""
    if len(landmarks) < 5:
        return None
    first = _mid(landmarks[0], landmarks[1])
    second = _mid(landmarks[2], landmarks[3])
    left, right = sorted((first, second))  # by x: which eye dlib names first does not matter
    ax, ay = right[0] - left[0], right[1] - left[1]
    length = math.hypot(ax, ay)
    if length < 1e-6:
        return None
    mx, my = (left[0] + right[0]) / 2, (left[1] + right[1]) / 2
    nx, ny = landmarks[4][0] - mx, landmarks[4][1] - my
    return (nx * ax + ny * ay) / (length * length)


def _mid(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
