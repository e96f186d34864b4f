"""Synthetic portraits: drawn faces of nobody, that dlib's detector and landmarks find.

WHY: the demo people are fictitious, so their "authoritative photos" (reference server) and the
person the simulated camera films must be faces of nobody; these are drawn here from a seed
(our own code, the project's licence). ``yaw`` moves the eyes, nose and mouth sideways inside the
head's outline, as a head turning does, so the landmark pose measure sees a real change of pose;
a still picture moved or scaled does not change it.

Limits (said plainly): dlib's descriptor puts all these drawings close together (0.15-0.35), so
they stand for "a face" but cannot tell demo people apart; tests of who-is-who use real photos.
"""

from __future__ import annotations

import zlib

import cv2
import numpy as np


def seed_of(key: str) -> int:
    """A stable seed from any text (an ID number stays inside the process: only its CRC is used)."""
    return zlib.crc32(key.encode("utf-8"))


def portrait(
    seed: int, yaw: float = 0.0, size: int = 400, background: tuple[int, int, int] | None = None
) -> np.ndarray:
    """An RGB picture (size × size) of one drawn face; ``yaw`` in about -2..2 (positive: the nose
    moves to the picture's right)."""
    rng = np.random.default_rng(seed)
    bg = background or tuple(int(x) for x in rng.integers(150, 230, 3))
    img = np.empty((size, size, 3), np.uint8)
    img[:] = bg
    skin = tuple(int(x) for x in rng.integers([150, 110, 90], [235, 190, 160]))
    hair = tuple(int(x) for x in rng.integers(10, 80, 3))
    centre = size // 2
    cy = centre + size // 40
    fw, fh = int(size * rng.uniform(0.27, 0.30)), int(size * rng.uniform(0.37, 0.40))
    cx = centre + int(yaw * size / 16)
    cv2.ellipse(img, (centre, cy - size // 20), (fw + size // 33, fh + size // 40), 0, 180, 360, hair, -1)
    cv2.ellipse(img, (centre, cy), (fw, fh), 0, 0, 360, skin, -1)
    # shading: the face darker toward its sides and chin, as a lit rounded head is
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    r2 = ((xx - cx) / fw) ** 2 + ((yy - cy) / fh) ** 2
    shade_map = np.clip(1.0 - 0.35 * np.clip(r2, 0, 1) ** 1.5, 0.6, 1.0)
    face_mask = r2 <= 1.0
    img = img.astype(np.float32)
    img[face_mask] *= shade_map[face_mask][:, None]
    img = np.asarray(cv2.GaussianBlur(img.clip(0, 255).astype(np.uint8), (0, 0), size / 133), dtype=np.uint8)
    ex = int(fw * rng.uniform(0.40, 0.46))
    ey = cy - int(fh * rng.uniform(0.14, 0.20))
    socket = tuple(int(c * 0.8) for c in skin)
    for side in (-1, 1):
        x = cx + side * ex
        cv2.ellipse(img, (x, ey), (int(fw * 0.28), int(fh * 0.12)), 0, 0, 360, socket, -1)
    img = np.asarray(cv2.GaussianBlur(img, (0, 0), size / 200), dtype=np.uint8)
    for side in (-1, 1):
        x = cx + side * ex
        cv2.ellipse(img, (x, ey), (int(fw * 0.2), int(fh * 0.07)), 0, 0, 360, (245, 245, 245), -1)
        cv2.circle(img, (x, ey), int(fh * 0.06), (40, 30, 20), -1)
        brow = ey - int(fh * 0.17)
        cv2.line(img, (x - int(fw * 0.25), brow), (x + int(fw * 0.25), brow - 2), hair, max(2, size // 50))
    ny = cy + int(fh * rng.uniform(0.17, 0.23))
    shade = tuple(int(c * 0.7) for c in skin)
    nose_x = cx + int(yaw * size / 50)
    cv2.line(img, (cx, ey + size // 40), (nose_x, ny), shade, max(2, size // 100))
    cv2.ellipse(img, (nose_x, ny), (int(fw * 0.2), int(fh * 0.06)), 0, 0, 180, shade, max(2, size // 100))
    my = cy + int(fh * rng.uniform(0.47, 0.53))
    cv2.ellipse(img, (cx, my), (int(fw * 0.35), int(fh * 0.08)), 0, 0, 180, (120, 40, 50), max(2, size // 66))
    return cv2.GaussianBlur(img, (0, 0), size / 266)


def place(
    picture: np.ndarray,
    width: int,
    height: int,
    scale: float = 1.0,
    dx: int = 0,
    dy: int = 0,
    background: tuple[int, int, int] = (90, 96, 104),
) -> np.ndarray:
    """``picture`` scaled and moved on a frame of width × height (a photo held up and waved)."""
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = background
    h, w = picture.shape[:2]
    side = max(8, int(min(width, height) * 0.8 * scale))
    resized = cv2.resize(picture, (side, round(side * h / w)), interpolation=cv2.INTER_AREA)
    rh, rw = resized.shape[:2]
    x0, y0 = (width - rw) // 2 + dx, (height - rh) // 2 + dy
    xs, ys = max(0, x0), max(0, y0)
    xe, ye = min(width, x0 + rw), min(height, y0 + rh)
    if xe > xs and ye > ys:
        frame[ys:ye, xs:xe] = resized[ys - y0 : ye - y0, xs - x0 : xe - x0]
    return frame
