"""The demo's simulated person passes the face check however slowly the machine reads the camera.

WHY: the walkthrough (``kiosk demo --walkthrough``) and the demo's face step failed at random on a
busy machine: the simulated camera drew the head on the wall clock, turned fully within 1.1 s of the
prompt, and a reader taking a second a frame saw it frontal and then turned with no pose in between,
which the check refuses as a swapped picture (no_turn). Real camera (simulated), real model (dlib),
the real check; only the clock is the test's, so that "a second a frame" is exact.
"""

from __future__ import annotations

import random
import tomllib
from pathlib import Path

import pytest

from drivers.face.dlib_model import DlibFaceModel
from drivers.face.simulated import SimulatedFaceCamera
from kiosk.face.check import FaceCheck, Phase
from kiosk.settings.face import FaceConfig

MODEL = DlibFaceModel()
IDENTITIES = tomllib.loads(
    (Path(__file__).resolve().parents[2] / "config" / "demo_identities.toml").read_text(encoding="utf-8")
)["identity"]


def holder(key: str) -> str:
    return next(str(i["id_number"]) for i in IDENTITIES if i["key"] == key)


def film(key: str, side_seed: int, seconds_a_frame: float) -> FaceCheck:
    """What FaceService does, frame by frame, with each frame taking ``seconds_a_frame``."""
    now = [0.0]
    camera = SimulatedFaceCamera(fps=1000.0, clock=lambda: now[0])
    check = FaceCheck(FaceConfig(), rng=random.Random(side_seed))
    camera.start()
    camera.stand(holder(key))
    check.begin(now[0])
    frames = 0
    while check.phase in (Phase.FRONTAL, Phase.CHALLENGE) and frames < 60:
        now[0] += seconds_a_frame
        frame = camera.grab()
        assert frame is not None
        if check.feed(MODEL.observe(frame), frame, now[0]):
            camera.on_prompt(check.challenge)
        frames += 1
    camera.stop()
    return check


@pytest.mark.parametrize("key", ["foreign", "elder"])  # the walkthrough's two card holders
@pytest.mark.parametrize("side_seed", [0, 1])  # random.Random(0) asks right, (1) left
def test_a_slowly_read_camera_still_sees_the_turn(key: str, side_seed: int) -> None:
    check = film(key, side_seed, seconds_a_frame=1.0)
    assert check.phase is Phase.VERIFYING, (key, check.challenge, check.failure)


def test_both_sides_are_asked_by_these_seeds() -> None:
    assert {FaceCheck(FaceConfig(), rng=random.Random(s)).rng.choice(("left", "right")) for s in (0, 1)} == {
        "left",
        "right",
    }


def test_a_camera_read_at_its_pace_sees_the_turn_too() -> None:
    check = film("foreign", 0, seconds_a_frame=0.15)
    assert check.phase is Phase.VERIFYING, (check.challenge, check.failure)
