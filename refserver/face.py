"""人证核验 on the reference server: ``POST /v1/face/verify`` compares the terminal's frames with the
holder's authoritative photo, with the real face model (drivers/face: dlib's ResNet descriptor).

The demo people are fictitious, so their "authoritative photos" are drawn faces of nobody
(drivers/face/synthetic.py, made from the holder code; our own code, the project's licence). The
frames are decoded in memory, never written, and the usage log records the operation, not the
pictures or the distance.

Answers: ``match`` / ``no_match`` (every frame on the same side of the threshold), ``undecided``
with a ``reason`` (``no_face``, ``several_faces``, ``split``: frames disagree, ``bad_frame``);
404 NOT_FOUND when the server has no photo of the holder.
"""

import base64
import binascii
import io
import threading
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

# a frame's longest side: the terminal sends the face cut out at 320 px; more is refused before the
# picture is decoded (a tiny file can claim huge dimensions)
MAX_FRAME_SIDE = 1024
Frame = Annotated[
    str, Field(min_length=8, max_length=30_000, description="base64 of a JPEG or PNG of the face")
]


class FaceHolder(BaseModel):
    model_config = ConfigDict(extra="forbid")
    holder_type: Literal["111"]
    holder_code: str = Field(min_length=1, max_length=40)


class FaceVerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    holder: FaceHolder
    use_cause: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]+$")
    consent: Literal[True] = Field(description="the citizen agreed on the terminal to this comparison")
    frames: list[Frame] = Field(min_length=1, max_length=3)


class FaceVerifyAnswer(BaseModel):
    verdict: Literal["match", "no_match", "undecided"]
    reason: str = ""
    threshold: float


_model_lock = threading.Lock()
_model: Any = None


def face_model() -> Any:
    global _model
    with _model_lock:
        if _model is None:
            from drivers.face.dlib_model import DlibFaceModel

            _model = DlibFaceModel()
        return _model


def reference_photo(holder_code: str) -> np.ndarray:
    from drivers.face.synthetic import portrait, seed_of

    return portrait(seed_of(holder_code), size=360)


def decode_frame(text: str) -> np.ndarray | None:
    from PIL import Image

    try:
        data = base64.b64decode(text, validate=True)
        with Image.open(io.BytesIO(data)) as picture:
            if picture.format not in ("JPEG", "PNG") or max(picture.size) > MAX_FRAME_SIDE:
                return None
            return np.asarray(picture.convert("RGB"))
    except (binascii.Error, ValueError, OSError, Image.DecompressionBombError):
        return None


def compare(reference: np.ndarray, frames: list[np.ndarray]) -> dict[str, Any]:
    model = face_model()
    threshold = model.threshold
    ref = model.descriptors(reference)
    if len(ref) != 1:
        return {"verdict": "undecided", "reason": "no_reference", "threshold": threshold}
    distances = []
    for frame in frames:
        found = model.descriptors(frame)
        if not found:
            return {"verdict": "undecided", "reason": "no_face", "threshold": threshold}
        if len(found) > 1:
            return {"verdict": "undecided", "reason": "several_faces", "threshold": threshold}
        distances.append(model.distance(ref[0][1], found[0][1]))
    if all(d < threshold for d in distances):
        return {"verdict": "match", "reason": "", "threshold": threshold}
    if all(d >= threshold for d in distances):
        return {"verdict": "no_match", "reason": "", "threshold": threshold}
    return {"verdict": "undecided", "reason": "split", "threshold": threshold}


def add_face_route(
    app: FastAPI, store: Any, authed: Any, api_error: Any, responses: dict[int | str, Any]
) -> None:
    """``authed``: the app's terminal dependency (``Depends(authenticate)``): the same signed-request
    authentication as every other /v1 operation."""

    @app.post("/v1/face/verify", response_model=FaceVerifyAnswer, responses=responses, tags=["face"])
    def face_verify(body: FaceVerifyRequest, terminal: Any = authed) -> dict[str, Any]:
        holder = store.holder_by_code(body.holder.holder_code)
        if holder is None or holder.holder_type != "111":
            raise api_error(404, "NOT_FOUND", "no authoritative photo for this holder")
        store.log_use(terminal.id, "face_verify", body.holder.holder_code, None, body.use_cause)
        frames = [decode_frame(f) for f in body.frames]
        usable = [f for f in frames if f is not None]
        if len(usable) != len(frames):
            return {"verdict": "undecided", "reason": "bad_frame", "threshold": face_model().threshold}
        return compare(reference_photo(holder.holder_code), usable)
