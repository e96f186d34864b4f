"""The public-domain test photos (tests/face/data/ATTRIBUTION.md) and pictures made from them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

DATA = Path(__file__).parent / "data"


@cache
def photo(name: str) -> np.ndarray:
    with Image.open(DATA / name) as picture:
        array = np.asarray(picture.convert("RGB"))
    array.setflags(write=False)
    return array


def astronaut() -> np.ndarray:
    return photo("astronaut_face.png")


def hopper() -> np.ndarray:
    return photo("grace_hopper.jpg")


def side_by_side(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A "group photo": two people next to each other."""
    height = max(a.shape[0], b.shape[0])
    canvas = np.full((height, a.shape[1] + b.shape[1], 3), 200, np.uint8)
    canvas[: a.shape[0], : a.shape[1]] = a
    canvas[: b.shape[0], a.shape[1] :] = b
    return canvas


def variants(picture: np.ndarray) -> dict[str, np.ndarray]:
    """The same person captured differently: smaller, darker, JPEG-compressed, slightly rotated."""
    h, w = picture.shape[:2]
    import io

    out = io.BytesIO()
    Image.fromarray(picture).save(out, format="JPEG", quality=35)
    rotation = cv2.getRotationMatrix2D((w / 2, h / 2), 6, 1.0)
    return {
        "smaller": cv2.resize(picture, (int(w * 0.6), int(h * 0.6)), interpolation=cv2.INTER_AREA),
        "darker": (picture.astype(np.float32) * 0.6).astype(np.uint8),
        "jpeg35": np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("RGB")),
        "rotated6": cv2.warpAffine(picture, rotation, (w, h), borderMode=cv2.BORDER_REPLICATE),
    }


def png_file(picture: np.ndarray, path: Path) -> Path:
    Image.fromarray(picture).save(path)
    return path
