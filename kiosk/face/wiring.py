"""Build the face service from configuration: camera, model and verifier (kiosk/face/port.py)."""

from __future__ import annotations

import logging
from typing import Any

from kiosk import session_memory
from kiosk.face.service import FaceService

log = logging.getLogger(__name__)


def build_face_service(controller: Any) -> FaceService:
    """Parts that cannot be built are left out: the check then ends as ``camera_down`` with the
    staff path, never a silent skip."""
    config = controller.config
    face = config.face
    camera: Any = None
    model: Any = None
    verifier: Any = None
    try:
        if face.kind == "simulated":
            from drivers.face.simulated import SimulatedFaceCamera

            camera = SimulatedFaceCamera()
        else:
            from drivers.face.camera import OpenCvFaceCamera

            cam = config.devices.camera
            device = cam.device if face.camera == "qr" else face.device
            camera = OpenCvFaceCamera(device, width=cam.width, height=cam.height, fps=15, rotate=cam.rotate)
    except Exception:
        log.exception("face camera could not be built")
    try:
        from drivers.face.dlib_model import DlibFaceModel

        model = DlibFaceModel()
        # loaded when a session needs it (FaceService.enter warms it), dropped when the session ends
        session_memory.register("face-model", model.release)
    except Exception:
        log.exception("face model could not be built")
    verifier = build_verifier(config, controller.backend, model)
    return FaceService(
        face, camera, model, verifier, controller.audit.record, controller._notify, controller.clock
    )


def build_verifier(config: Any, backend: Any, model: Any) -> Any:
    from kiosk.face.verifiers import BackendFaceVerifier, LocalFaceVerifier

    face = config.face
    if face.verifier == "local":
        return (
            None
            if model is None
            else LocalFaceVerifier(model, face.decoder_path, face.decoder_function, face.threshold)
        )
    return None if backend is None else BackendFaceVerifier(backend, config.session.use_cause)
