"""Camera and QR scanner settings (drivers/camera, kiosk/qr).

``lz_patterns``: how a 亮证码 (phone e-certificate "show" code) looks. Each entry is a template with
exactly one ``{token}`` placeholder; the rest must match literally (scheme and host compared
case-insensitively, nothing else may follow). The token itself must be 8–256 characters of the
URL-safe alphabet ``A–Z a–z 0–9 - _``. Defaults: the provincial 亮证 URL form and the bare form
``LZ:<token>`` that the reference server prints.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from kiosk.settings.base import Section

DEFAULT_LZ_PATTERNS = [
    "https://lz.gxzf.example/t/{token}",
    "LZ:{token}",
]


class CameraConfig(Section):
    kind: Literal["simulated", "opencv", "file"] = "simulated"
    device: str = "0"  # index or /dev/videoN path
    source_path: str = ""  # kind = file: an image, a folder of images, or a video
    width: int = Field(default=1280, ge=160, le=3840)
    height: int = Field(default=720, ge=120, le=2160)
    fps: int = Field(default=30, ge=1, le=120)
    rotate: Literal[0, 90, 180, 270] = 0
    scan_timeout_seconds: int = Field(default=30, ge=5, le=300)
    # the same code held in front of the camera is reported again only after this long out of sight
    forget_after_seconds: float = Field(default=2.0, ge=0.2, le=60.0)
    lz_patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_LZ_PATTERNS), min_length=1)

    @field_validator("lz_patterns")
    @classmethod
    def _one_placeholder(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            if p.count("{token}") != 1 or p.replace("{token}", "").count("{") or p.count("}") != 1:
                raise ValueError(f"pattern {p!r} must contain exactly one {{token}} and no other braces")
            if not p.replace("{token}", "").strip():
                raise ValueError("a pattern needs a literal part besides {token}")
        return patterns

    @model_validator(mode="after")
    def _file_needs_a_path(self) -> CameraConfig:
        if self.kind == "file" and not self.source_path:
            raise ValueError('source_path is required when kind = "file" (an image, a folder or a video)')
        return self
