"""Camera and QR scanner settings (drivers/camera)."""

from typing import Literal

from pydantic import Field

from kiosk.settings.base import Section


class CameraConfig(Section):
    kind: Literal["simulated", "opencv", "file"] = "simulated"
    device: str = "0"  # index or /dev/videoN path
    source_path: str = ""  # kind = file: an image, a folder of images, or a video
    width: int = Field(default=1280, ge=160, le=3840)
    height: int = Field(default=720, ge=120, le=2160)
    fps: int = Field(default=30, ge=1, le=120)
    rotate: Literal[0, 90, 180, 270] = 0
    scan_timeout_seconds: int = Field(default=30, ge=5, le=300)
