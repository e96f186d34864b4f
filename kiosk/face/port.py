"""What the face check needs from the camera, the face model and the comparison (by shape).

drivers/face never imports this: ``SimulatedFaceCamera``/``OpenCvFaceCamera`` fit
:class:`FaceCameraPort`, ``DlibFaceModel`` fits :class:`FaceModelPort`. Blocking calls: the
service runs them in a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable


class FaceLike(Protocol):
    @property
    def left(self) -> int: ...
    @property
    def top(self) -> int: ...
    @property
    def right(self) -> int: ...
    @property
    def bottom(self) -> int: ...
    @property
    def landmarks(self) -> Sequence[tuple[float, float]]: ...


class ObservationLike(Protocol):
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def faces(self) -> Sequence[FaceLike]: ...
    @property
    def brightness(self) -> float: ...
    @property
    def sharpness(self) -> float: ...


@runtime_checkable
class FaceCameraPort(Protocol):
    def start(self) -> None:
        """Open the camera; raises ``OSError`` when it cannot be opened."""

    def stop(self) -> None: ...

    def grab(self, timeout: float = 1.0) -> Any:
        """The next RGB frame (numpy H×W×3), or None when none came in ``timeout``."""

    def health(self) -> str: ...


class FaceModelPort(Protocol):
    threshold: float

    def observe(self, rgb: Any) -> ObservationLike: ...

    def descriptors(self, rgb: Any) -> list[tuple[FaceLike, Any]]: ...

    def distance(self, a: Any, b: Any) -> float: ...


class Verdict(StrEnum):
    MATCH = "match"
    NO_MATCH = "no_match"
    UNDECIDED = "undecided"  # cannot decide: no usable face, no reference photo, service down


@dataclass(frozen=True)
class FaceAnswer:
    verdict: Verdict
    reason: str = ""  # stable code for the screen's message and the audit (never a distance)
    retry_helps: bool = True  # False: asking the citizen again cannot change it (service down)


class FaceVerifier(Protocol):
    """Compares the chosen frames (JPEG bytes, in memory) with the holder's authoritative photo."""

    async def verify(self, holder: Any, frames: Sequence[bytes]) -> FaceAnswer: ...

    def diagnose(self) -> tuple[str, str]:
        """(``ok``|``degraded``|``down``, plain words) for kiosk diag."""
