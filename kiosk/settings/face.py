"""人证核验 settings (kiosk/face): when the face check is required, which camera, tries, thresholds.

``required``: ``always`` (every session identified by ID card), ``types`` (only when the terminal
may show one of ``type_codes``: ``[session] type_codes`` empty means every type, so any listed
type then requires it), or ``never``. The 亮证码 path never asks: the citizen already proved who
they are on their own phone.

``camera``: ``qr`` films the face with the QR camera (it is idle once the card is read) or
``second`` a camera of its own (``device``). ``camera_down``: what happens when the camera cannot
be opened: ``staff`` (the default, and the only honest way: the citizen is told so and sent to the
window / 呼叫工作人员; the session never goes on unchecked). ``verifier``: ``backend`` (the usual
deployment) or ``local`` (the card's photo through the vendor's photo decoder, ``decoder_path``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from kiosk.settings.base import Section


class FaceConfig(Section):
    required: Literal["always", "types", "never"] = "never"
    type_codes: list[str] = Field(default_factory=list)  # required = "types": these require it
    camera: Literal["qr", "second"] = "qr"
    kind: Literal["opencv", "simulated"] = "opencv"  # simulated: demo mode and tests
    device: str = ""  # camera = second: index or /dev/videoN
    mirrored: bool = False  # the camera's picture is mirrored (the citizen's left is on the left)
    tries: int = Field(default=3, ge=1, le=10)
    camera_down: Literal["staff"] = "staff"
    verifier: Literal["backend", "local"] = "backend"
    decoder_path: str = ""  # verifier = local: the vendor's photo decoder library (.so)
    decoder_function: str = "unpack"
    # quality: the face's width as a share of the frame's, light (mean grey) and sharpness
    min_face_share: float = Field(default=0.18, gt=0, lt=1)
    max_face_share: float = Field(default=0.70, gt=0, le=1)
    min_brightness: float = Field(default=60.0, ge=0, le=255)
    max_brightness: float = Field(default=210.0, ge=0, le=255)
    min_sharpness: float = Field(default=8.0, ge=0)
    max_frontal_yaw: float = Field(default=0.10, gt=0, lt=1)  # |pose| for a "looking at the screen" frame
    # the head turn: the pose must move at least this far toward the asked side (share of eye distance)
    min_turn: float = Field(default=0.09, gt=0, lt=1)
    frontal_frames: int = Field(default=3, ge=1, le=20)  # good frontal frames in a row before the challenge
    challenge_seconds: float = Field(default=8.0, ge=2, le=60)  # to turn the head, per try
    frame_seconds: float = Field(default=25.0, ge=5, le=120)  # to find a good frontal face, per try
    threshold: float = Field(default=0.6, gt=0, lt=2)  # local comparison: same person below this

    @model_validator(mode="after")
    def _consistent(self) -> FaceConfig:
        if self.min_face_share >= self.max_face_share:
            raise ValueError("min_face_share must be below max_face_share")
        if self.min_brightness >= self.max_brightness:
            raise ValueError("min_brightness must be below max_brightness")
        if self.camera == "second" and self.kind == "opencv" and not self.device:
            raise ValueError('device is required when camera = "second"')
        if self.required == "types" and not self.type_codes:
            raise ValueError('type_codes is required when required = "types"')
        return self
