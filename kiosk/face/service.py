"""Runs one citizen's face check for the controller: camera frames → model → FaceCheck → verifier.

The controller only routes: it calls :meth:`enter` when the session reaches the face step,
:meth:`begin` when the citizen taps 开始核验 / 再试一次, and the session's task dies with the session
(the camera is stopped in ``finally``). The check, with its frames, lives in the session's data
(``SessionData.face``) and is wiped with it; nothing of a face is logged, and the audit records
only ``face_checked`` with the outcome and the tries.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from kiosk.face.check import FaceCheck, Phase
from kiosk.face.frames import face_jpeg
from kiosk.face.port import FaceCameraPort, FaceModelPort, FaceVerifier
from kiosk.settings.face import FaceConfig

log = logging.getLogger(__name__)

# frames in a row that the camera did not deliver before the check says the camera is down
MISSED_FRAMES_DOWN = 4


def face_required(config: Any, via: str) -> bool:
    """Whether this session must pass the face check (only sessions identified by ID card)."""
    face: FaceConfig = config.face
    if via != "card" or face.required == "never":
        return False
    if face.required == "always":
        return True
    shown = set(config.session.type_codes)  # empty: the terminal may show every type
    return not shown or bool(shown & set(face.type_codes))


class FaceService:
    def __init__(
        self,
        config: FaceConfig,
        camera: FaceCameraPort | None,
        model: FaceModelPort | None,
        verifier: FaceVerifier | None,
        audit: Callable[..., None],
        notify: Callable[[], None],
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.camera = camera
        self.model = model
        self.verifier = verifier
        self._audit = audit
        self._notify = notify
        self._clock = clock

    @property
    def demo_camera(self) -> bool:
        return hasattr(self.camera, "stand")

    def enter(self, data: Any) -> FaceCheck:
        """The session reached the face step: a fresh check in the session's data."""
        if getattr(data, "face", None) is not None:
            data.face.wipe()
        data.face = FaceCheck(self.config)
        if self.camera is None or self.model is None or self.verifier is None:
            data.face.camera_failed()
            self._audit("face_checked", session=data.id, outcome="camera_down", tries=0)
        else:
            _warm(self.model)
        return data.face

    async def run(self, data: Any, passed: Callable[[], object]) -> None:
        """One try, from the first frame to the verifier's answer (the session's task)."""
        check: FaceCheck = data.face
        if not check.begin(self._clock()):
            return
        self._notify()
        camera, model, verifier = self.camera, self.model, self.verifier
        assert camera is not None and model is not None and verifier is not None
        try:
            await asyncio.to_thread(camera.start)
        except Exception:
            log.warning("face camera failed to start")
            self._end(data, check, camera_down=True)
            return
        try:
            if self.demo_camera and data.holder is not None:
                camera.stand(data.holder.id_number)  # type: ignore[attr-defined]  # demo: the card's holder
            await self._film(data, check, camera, model)
            if check.phase is Phase.VERIFYING:
                frames = [face_jpeg(s.frame, s.face) for s in check.samples]
                answer = await verifier.verify(data.holder, frames)
                frames.clear()
                check.answered(answer)
        finally:
            await asyncio.to_thread(_stop, camera)
        self._notify()
        if check.phase is Phase.PASSED:
            self._end(data, check)
            passed()
        elif check.finished:
            self._end(data, check)

    async def _film(self, data: Any, check: FaceCheck, camera: FaceCameraPort, model: FaceModelPort) -> None:
        missed = 0
        prompt = getattr(camera, "on_prompt", None)
        while check.phase in (Phase.FRONTAL, Phase.CHALLENGE):
            frame = await asyncio.to_thread(camera.grab, 1.0)
            if check.tick(self._clock()):
                self._notify()
                break
            if frame is None:
                missed += 1
                if missed >= MISSED_FRAMES_DOWN:
                    check.camera_failed()
                    break
                continue
            missed = 0
            observation = await asyncio.to_thread(model.observe, frame)
            if check.feed(observation, frame, self._clock()):
                if prompt is not None:
                    prompt(check.challenge)
                self._notify()

    def _end(self, data: Any, check: FaceCheck, camera_down: bool = False) -> None:
        if camera_down:
            check.camera_failed()
        check.wipe()
        self._audit("face_checked", session=data.id, outcome=check.outcome, tries=check.tries_used)
        self._notify()


def _warm(model: FaceModelPort) -> None:
    """Load the model in a background thread while the citizen reads the face step's page (about
    0.5 s): it is dropped between sessions (kiosk.session_memory), and the first frame filmed
    should not wait for it."""
    load = getattr(model, "available", None)
    if load is not None:
        threading.Thread(target=load, name="face-model", daemon=True).start()


def _stop(camera: FaceCameraPort) -> None:
    try:
        camera.stop()
    except Exception:
        log.warning("face camera failed to stop")
