"""The ``backend`` FaceVerifier against the real reference server: signed request, real model."""

from __future__ import annotations

import asyncio

import httpx
import numpy as np

from drivers.face.synthetic import place, portrait, seed_of
from kiosk.domain.holder import Holder
from kiosk.face.frames import face_jpeg
from kiosk.face.port import FaceAnswer, Verdict
from kiosk.face.verifiers import BackendFaceVerifier
from tests.face.photos import hopper
from tests.support.refserver import RefServer

ELDER_ID = "450206195803120088"  # a fictitious demo holder (config/demo_identities.toml)


def frames_of(picture: np.ndarray) -> list[bytes]:
    from drivers.face.dlib_model import DlibFaceModel

    face = DlibFaceModel().observe(picture).faces[0]
    return [face_jpeg(picture, face)]


def verify(server: RefServer, holder_code: str, frames: list[bytes]) -> FaceAnswer:
    async def go() -> FaceAnswer:
        client = server.client()
        try:
            return await BackendFaceVerifier(client, "免证办：电子证照查询与打印").verify(
                Holder(name="测试", id_number=holder_code), frames
            )
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_the_holder_in_front_of_the_camera_matches(server: RefServer) -> None:
    camera_frame = place(portrait(seed_of(ELDER_ID), size=360), 640, 480, 0.94)
    answer = verify(server, ELDER_ID, frames_of(camera_frame))
    assert answer.verdict is Verdict.MATCH


def test_someone_else_does_not_match(server: RefServer) -> None:
    answer = verify(server, ELDER_ID, frames_of(np.ascontiguousarray(hopper())))
    assert answer.verdict is Verdict.NO_MATCH


def test_a_frame_without_a_face_cannot_be_decided(server: RefServer) -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(np.full((200, 200, 3), 128, np.uint8)).save(out, format="JPEG")
    answer = verify(server, ELDER_ID, [out.getvalue()])
    assert answer.verdict is Verdict.UNDECIDED and answer.reason == "no_face"


def test_a_holder_without_a_photo_sends_to_staff(server: RefServer) -> None:
    answer = verify(server, "110101199003070000", frames_of(np.ascontiguousarray(hopper())))
    assert answer.verdict is Verdict.UNDECIDED and answer.reason == "no_reference"
    assert answer.retry_helps is False


def test_the_endpoint_needs_the_signed_request_and_logs_no_picture(server: RefServer) -> None:
    r = httpx.post(server.url + "/v1/face/verify", json={}, timeout=5, trust_env=False)
    assert r.status_code == 401
    verify(server, ELDER_ID, frames_of(place(portrait(seed_of(ELDER_ID), size=360), 640, 480, 0.94)))
    entries = [u for u in server.usage() if u.get("operation") == "face_verify"]
    assert entries
    assert all(len(str(v)) < 300 for u in entries for v in u.values())  # no frame in the log
