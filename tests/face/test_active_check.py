"""The active check (kiosk.face.check) with the real model on real and drawn pictures.

A still photo or a photo on a screen — frames made by moving, scaling and tilting one picture,
with no change of pose — is refused; a sequence whose pose really changes (a drawn face whose
features turn inside the head, see drivers/face/synthetic.py) is accepted. What needs a real
camera and a real person (a real head turning, a video replay on a phone) is not tested here.
"""

from __future__ import annotations

import random

import cv2
import numpy as np

from drivers.face.dlib_model import DlibFaceModel
from drivers.face.synthetic import place, portrait
from kiosk.face.check import FaceCheck, Phase
from kiosk.face.port import FaceAnswer, Verdict
from kiosk.settings.face import FaceConfig
from tests.face.photos import astronaut, hopper

MODEL = DlibFaceModel()


def run(check: FaceCheck, frames, dt: float = 0.2) -> float:
    """Feed frames (a callable of the frame number and the challenge) until the check leaves filming."""
    now = 0.0
    check.begin(now)
    n = 0
    while check.phase in (Phase.FRONTAL, Phase.CHALLENGE) and n < 200:
        frame = frames(n, check.challenge)
        now += dt
        check.feed(MODEL.observe(frame), frame, now)
        n += 1
    return now


def waved(picture: np.ndarray):
    """A photo held up and moved about, brought closer and further: never a change of pose."""

    def frame(n: int, _challenge: str | None) -> np.ndarray:
        return place(
            picture, 640, 480, 0.8 + 0.1 * np.sin(n / 3), int(30 * np.sin(n / 2)), int(10 * np.cos(n / 4))
        )

    return frame


def on_a_screen(picture: np.ndarray):
    """The photo on a phone turned about its vertical axis (perspective) with a glare spot."""

    def frame(n: int, _challenge: str | None) -> np.ndarray:
        base = place(picture, 640, 480, 0.85)
        k = 0.12 * np.sin(n / 3)
        src = np.array([[0, 0], [640, 0], [640, 480], [0, 480]], np.float32)
        dst = (
            np.array([[0, 480 * k], [640, -480 * k], [640, 480 + 480 * k], [0, 480 - 480 * k]], np.float32)
            * 0.9
            + 32
        )
        warped = cv2.warpPerspective(
            base, cv2.getPerspectiveTransform(src, dst), (640, 480), borderValue=(40, 40, 40)
        )
        cv2.circle(warped, (500, 120), 40, (255, 255, 255), -1)
        return warped

    return frame


def turning(seed: int = 3):
    """A drawn head that turns toward the asked side over a few frames (the citizen's left is the
    picture's right for a camera that is not mirrored)."""
    state: dict[str, int | None] = {"since": None}

    def frame(n: int, challenge: str | None) -> np.ndarray:
        yaw = 0.0
        if challenge is not None:
            if state["since"] is None:
                state["since"] = n
            progress = min(1.0, (n - (state["since"] or 0)) / 5)
            yaw = (2.4 if challenge == "left" else -2.4) * progress
        return place(portrait(seed, yaw=round(yaw, 1), size=360), 640, 480, 0.94)

    return frame


def test_still_photos_moved_and_scaled_are_refused() -> None:
    for picture in (astronaut(), hopper()):
        check = FaceCheck(FaceConfig(), rng=random.Random(0))
        run(check, waved(picture))
        assert check.phase is Phase.RETRY
        assert check.failure in ("no_turn", "no_good_frame")
        assert not check.samples  # the frames of a failed try are dropped at once


def test_a_photo_on_a_tilted_screen_is_refused() -> None:
    check = FaceCheck(FaceConfig(), rng=random.Random(1))
    run(check, on_a_screen(hopper()))
    assert check.phase is Phase.RETRY and check.failure in ("no_turn", "no_good_frame")


def test_a_real_change_of_pose_in_the_asked_direction_is_accepted() -> None:
    for side_seed in (0, 1, 2, 5):  # random.Random seeds giving both sides
        check = FaceCheck(FaceConfig(), rng=random.Random(side_seed))
        run(check, turning())
        assert check.phase is Phase.VERIFYING, (check.challenge, check.failure)
        assert 1 <= len(check.samples) <= 2


def test_turning_to_the_wrong_side_is_not_accepted() -> None:
    check = FaceCheck(FaceConfig(challenge_seconds=3), rng=random.Random(0))

    def wrong(n: int, challenge: str | None) -> np.ndarray:
        other = {"left": "right", "right": "left"}.get(challenge or "")
        return turning()(n, other)

    run(check, wrong)
    assert check.phase is Phase.RETRY and check.failure == "no_turn"


def test_a_turned_picture_swapped_in_is_refused() -> None:
    """Frontal picture, then at once a picture of the same head turned: no frame in between."""
    check = FaceCheck(FaceConfig(), rng=random.Random(0))

    def swap(n: int, challenge: str | None) -> np.ndarray:
        yaw = 0.0 if challenge is None else (2.4 if challenge == "left" else -2.4)
        return place(portrait(3, yaw=yaw, size=360), 640, 480, 0.94)

    run(check, swap)
    assert check.phase is Phase.RETRY and check.failure == "no_turn"


def test_tries_run_out_to_the_staff_path_and_answers_count() -> None:
    check = FaceCheck(FaceConfig(tries=2), rng=random.Random(0))
    run(check, waved(hopper()))
    assert check.phase is Phase.RETRY and check.tries_left == 1
    run(check, turning())
    assert check.phase is Phase.VERIFYING
    check.answered(FaceAnswer(Verdict.NO_MATCH))
    assert check.phase is Phase.STAFF and check.outcome == "gave_up"
    assert not check.samples


def test_a_service_that_is_down_sends_to_staff_at_once() -> None:
    check = FaceCheck(FaceConfig(tries=3), rng=random.Random(0))
    run(check, turning())
    check.answered(FaceAnswer(Verdict.UNDECIDED, "service", retry_helps=False))
    assert check.phase is Phase.STAFF and check.failure == "service"


def test_guidance_for_quality() -> None:
    check = FaceCheck(FaceConfig())
    far = place(portrait(3, size=360), 640, 480, 0.35)
    assert check.judge(MODEL.observe(far))[0] == "closer"
    dark = (place(portrait(3, size=360), 640, 480, 0.94) * 0.2).astype(np.uint8)
    assert check.judge(MODEL.observe(dark))[0] in ("dark", "no_face")
    two = np.hstack(
        [place(portrait(1, size=360), 480, 480, 0.9), place(portrait(4, size=360), 480, 480, 0.9)]
    )
    assert check.judge(MODEL.observe(two))[0] == "several_faces"
    assert check.judge(MODEL.observe(np.full((480, 640, 3), 128, np.uint8)))[0] == "no_face"
