"""The two ``FaceVerifier`` adapters.

``backend`` (the usual deployment): the chosen frames go, with the consent the citizen gave on the
face screen, over the signed channel of kiosk.backend to ``POST /v1/face/verify``, which compares
them with the authoritative photo of the holder and answers match / no_match / undecided.

``local``: for terminals whose reader hands over the card's photo (WLT) and whose vendor's photo
decoder is installed (kiosk.face.photo_decoder); the frames are compared with the decoded card
photo on the terminal with the same face model (drivers/face), 1:1.
"""

from __future__ import annotations

import asyncio
import base64
import io
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from kiosk.face.photo_decoder import DecoderMissing, PhotoDecoder
from kiosk.face.port import FaceAnswer, FaceModelPort, Verdict


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    verdict: Literal["match", "no_match", "undecided"]
    reason: str = ""


class BackendFaceVerifier:
    PATH = "/v1/face/verify"

    def __init__(self, backend: Any, use_cause: str) -> None:
        self.backend = backend  # kiosk.backend.client.HttpBackend (signing, retries, breaker, limits)
        self.use_cause = use_cause

    async def verify(self, holder: Any, frames: Sequence[bytes]) -> FaceAnswer:
        from kiosk.backend.errors import BackendError, BackendErrorKind

        body = {
            "holder": {"holder_type": holder.holder_type, "holder_code": holder.id_number},
            "use_cause": self.use_cause,
            "consent": True,  # given on the face screen (开始核验), which says what is compared where
            "frames": [base64.b64encode(f).decode("ascii") for f in frames],
        }
        try:
            answer = await _post(self.backend, self.PATH, body)
        except BackendError as exc:
            if exc.kind is BackendErrorKind.NOT_FOUND:
                return FaceAnswer(Verdict.UNDECIDED, "no_reference", retry_helps=False)
            return FaceAnswer(Verdict.UNDECIDED, "service", retry_helps=False)
        finally:
            body.clear()
        reason = answer.reason if answer.verdict == "undecided" else ""
        return FaceAnswer(Verdict(answer.verdict), reason)

    def diagnose(self) -> tuple[str, str]:
        return "ok", "比对由电子证照后台完成 (POST /v1/face/verify)"


async def _post(backend: Any, path: str, body: dict[str, Any]) -> _Answer:
    """A signed POST through the terminal's backend client (kiosk.backend.client.HttpBackend: its
    signing, retries, breaker and answer limits), unwrapped from the metrics wrapper
    (kiosk.ops.observe) and run on the client's own loop (kiosk.backend.loop_thread)."""
    on_loop = getattr(backend, "_on_loop", None)
    inner = getattr(backend, "inner", None)
    if on_loop is not None and inner is not None:
        return await on_loop(_post(inner, path, body))
    if not hasattr(backend, "_json") and inner is not None:
        return await _post(inner, path, body)
    return await backend._json("POST", path, _Answer, body=body, idempotent=False)


class LocalFaceVerifier:
    def __init__(
        self,
        model: FaceModelPort,
        decoder_path: str,
        function: str = "unpack",
        threshold: float | None = None,
    ) -> None:
        self.model = model
        self.threshold = threshold if threshold is not None else model.threshold
        self._problem: str | None = None
        self.decoder: PhotoDecoder | None = None
        try:
            self.decoder = PhotoDecoder(decoder_path, function)
        except DecoderMissing as exc:
            self._problem = str(exc)

    async def verify(self, holder: Any, frames: Sequence[bytes]) -> FaceAnswer:
        wlt = (getattr(holder, "evidence", None) or {}).get("photo_wlt")
        if self.decoder is None or not isinstance(wlt, bytes | bytearray):
            return FaceAnswer(Verdict.UNDECIDED, "no_reference", retry_helps=False)
        return await asyncio.to_thread(self._compare, bytes(wlt), frames)

    def _compare(self, wlt: bytes, frames: Sequence[bytes]) -> FaceAnswer:
        assert self.decoder is not None
        try:
            reference = self.decoder.decode(wlt)
        except ValueError:
            return FaceAnswer(Verdict.UNDECIDED, "no_reference", retry_helps=False)
        return compare_frames(self.model, reference, frames, self.threshold)

    def diagnose(self) -> tuple[str, str]:
        if self._problem:
            return "down", f"本机比对不可用：{self._problem}"
        return "ok", "本机比对：证件照片解码库已加载"


def compare_frames(
    model: FaceModelPort, reference: Any, frames: Sequence[bytes], threshold: float
) -> FaceAnswer:
    """1:1: the reference photo's one face against each frame's one face; a match needs every frame
    to match (the frames are the same moment, so a split answer means the picture is unreliable)."""
    import numpy as np
    from PIL import Image

    ref = model.descriptors(reference)
    if len(ref) != 1:
        return FaceAnswer(Verdict.UNDECIDED, "no_reference", retry_helps=False)
    distances = []
    for data in frames:
        try:
            with Image.open(io.BytesIO(data)) as picture:
                rgb = np.asarray(picture.convert("RGB"))
        except Exception:
            return FaceAnswer(Verdict.UNDECIDED, "undecided")
        found = model.descriptors(rgb)
        if len(found) != 1:
            return FaceAnswer(Verdict.UNDECIDED, "undecided")
        distances.append(model.distance(ref[0][1], found[0][1]))
    if not distances:
        return FaceAnswer(Verdict.UNDECIDED, "undecided")
    if all(d < threshold for d in distances):
        return FaceAnswer(Verdict.MATCH)
    if all(d >= threshold for d in distances):
        return FaceAnswer(Verdict.NO_MATCH)
    return FaceAnswer(Verdict.UNDECIDED, "undecided")
