"""The face frames sent for comparison: the face cut out with a margin, JPEG, in memory only.

WHY cut out: the reference server (and a real face service) only needs the face; the rest of the
frame may show other people or the room, and a small picture fits the signed request's size limit
(64 KiB with three frames).
"""

from __future__ import annotations

import io
from typing import Any

MAX_SIDE = 320
# the reference server takes frames of at most 30 000 base64 characters (22 500 bytes)
MAX_BYTES = 22_000


def face_jpeg(frame: Any, face: Any, margin: float = 0.6) -> bytes:
    import numpy as np
    from PIL import Image

    height, width = frame.shape[:2]
    w, h = face.right - face.left, face.bottom - face.top
    left = max(0, int(face.left - w * margin))
    top = max(0, int(face.top - h * margin))
    right = min(width, int(face.right + w * margin))
    bottom = min(height, int(face.bottom + h * margin))
    picture = Image.fromarray(np.ascontiguousarray(frame[top:bottom, left:right]))
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    for quality in (90, 80, 70, 60, 50):
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=quality)
        if out.tell() <= MAX_BYTES:
            break
    else:
        picture.thumbnail((MAX_SIDE // 2, MAX_SIDE // 2))  # still too large: half the size
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=70)
    return out.getvalue()
