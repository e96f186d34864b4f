"""Demo mode's face check: always on, with the simulated camera filming the card's (drawn) holder."""

from __future__ import annotations

from typing import Any


def demo_face(config: Any) -> Any:
    """``config`` with the face check required for card sessions and the simulated face camera; the
    verifier stays ``backend``: the embedded reference server compares with its real model."""
    face = config.face.model_copy(update={"required": "always", "kind": "simulated", "verifier": "backend"})
    return config.model_copy(update={"face": face})
