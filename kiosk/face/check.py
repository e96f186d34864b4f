"""One citizen's face check as a state machine: no camera, no model, no clock of its own.

intro → frontal (one face, good quality, looking at the screen, held for a few frames) →
challenge (turn the head to a side chosen at random, measured from the landmarks) → verifying →
passed; a failed try goes to ``retry`` (the citizen taps 再试一次) until the configured tries are
used, then ``staff`` (请到窗口办理 / 呼叫工作人员). ``camera_down`` is its own end: never a silent
skip.

WHY the challenge defeats a still photo or a phone screen held up: moving, scaling or tilting a
flat picture does not change the nose-to-eyes pose measure (kiosk.face.pose), and the side is
chosen at random after the frontal frames, so a prepared picture cannot know it. The turn must
also pass through at least one frame in between (no jump from one picture to another) while the
face stays where it was (continuity).

The frames kept for the comparison are the best frontal ones, in memory only, and :meth:`wipe`
drops them.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kiosk.face.port import FaceAnswer, FaceLike, ObservationLike, Verdict
from kiosk.face.pose import yaw_index
from kiosk.settings.face import FaceConfig


class Phase(StrEnum):
    INTRO = "intro"
    FRONTAL = "frontal"
    CHALLENGE = "challenge"
    VERIFYING = "verifying"
    PASSED = "passed"
    RETRY = "retry"
    STAFF = "staff"
    CAMERA_DOWN = "camera_down"


ENDS = (Phase.PASSED, Phase.STAFF, Phase.CAMERA_DOWN)

# what the screen says for each guidance code (translated by the screen through kiosk.i18n)
GUIDANCE = {
    "start": "请站在屏幕正前方，看着屏幕上方的摄像头",
    "no_face": "请正对屏幕，看着摄像头",
    "several_faces": "请只留一人在镜头前",
    "closer": "请靠近一点",
    "further": "请离远一点",
    "partial": "请把整张脸放在画面中间",
    "dark": "光线太暗，请站到亮一点的地方",
    "bright": "光线太亮，请避开强光",
    "blurry": "请保持不动",
    "look": "请正对屏幕",
    "hold": "很好，请保持不动",
    "turn_left": "请慢慢向左转头",
    "turn_right": "请慢慢向右转头",
    "verifying": "正在比对，请稍候…",
    "passed": "核验通过",
}

# why a try failed, as the screen says it
FAILURES = {
    "no_good_frame": "没有拍到清晰的正脸。",
    "no_turn": "没有检测到转头动作。请按提示慢慢转头，不要使用照片。",
    "no_match": "未能确认是您本人。",
    "undecided": "暂时无法完成比对。",
    "service": "核验服务暂时无法使用。",
    "no_reference": "未找到您的证件照片，无法在本机核验。",
}


@dataclass
class Sample:
    """One frame judged good enough to compare: the picture (RGB array) and its face box."""

    frame: Any
    face: FaceLike
    sharpness: float


@dataclass
class FaceCheck:
    config: FaceConfig
    rng: Any = field(default_factory=secrets.SystemRandom)
    phase: Phase = Phase.INTRO
    guidance: str = "start"
    tries_used: int = 0
    challenge: str | None = None  # left | right (the citizen's own side)
    failure: str | None = None  # FAILURES code of the last failed try
    samples: list[Sample] = field(default_factory=list)
    _good_in_row: int = 0
    _phase_since: float = 0.0
    _baseline: float = 0.0
    _between: int = 0  # frames seen part-way through the turn
    _last_face: FaceLike | None = None

    # ------------------------------------------------------------------ life
    @property
    def finished(self) -> bool:
        return self.phase in ENDS

    @property
    def tries_left(self) -> int:
        return max(0, self.config.tries - self.tries_used)

    def begin(self, now: float) -> bool:
        """The citizen tapped 开始 (or 再试一次): film and judge."""
        if self.phase not in (Phase.INTRO, Phase.RETRY):
            return False
        self._enter(Phase.FRONTAL, now)
        self.guidance = "no_face"
        return True

    def camera_failed(self) -> None:
        self.wipe_frames()
        self.phase = Phase.CAMERA_DOWN
        self.guidance = "camera_down"

    def wipe_frames(self) -> None:
        for sample in self.samples:
            with contextlib.suppress(AttributeError, ValueError):  # read-only or not an array
                sample.frame.fill(0)  # the array itself, in case another reference survives
        self.samples.clear()
        self._last_face = None

    wipe = wipe_frames

    def _enter(self, phase: Phase, now: float) -> None:
        self.phase = phase
        self._phase_since = now
        self._good_in_row = 0
        self._between = 0

    def _fail_try(self, code: str) -> None:
        self.tries_used += 1
        self.failure = code
        self.challenge = None
        self.wipe_frames()
        self.phase = Phase.RETRY if self.tries_left > 0 else Phase.STAFF
        self.guidance = code

    # ------------------------------------------------------------------ frames
    def judge(self, obs: ObservationLike) -> tuple[str, FaceLike | None]:
        """The guidance code for one frame, and its face when there is exactly one."""
        c = self.config
        if not obs.faces:
            return "no_face", None
        if len(obs.faces) > 1:
            return "several_faces", None
        face = obs.faces[0]
        if face.left < 0 or face.top < 0 or face.right > obs.width or face.bottom > obs.height:
            return "partial", face
        share = (face.right - face.left) / max(1, obs.width)
        if share < c.min_face_share:
            return "closer", face
        if share > c.max_face_share:
            return "further", face
        if obs.brightness < c.min_brightness:
            return "dark", face
        if obs.brightness > c.max_brightness:
            return "bright", face
        if obs.sharpness < c.min_sharpness:
            return "blurry", face
        return "ok", face

    def feed(self, obs: ObservationLike, frame: Any, now: float) -> bool:
        """One judged frame; True when what the screen shows changed."""
        before = (self.phase, self.guidance, self.challenge)
        if self.phase is Phase.FRONTAL:
            self._frontal(obs, frame, now)
        elif self.phase is Phase.CHALLENGE:
            self._turn(obs, now)
        return before != (self.phase, self.guidance, self.challenge)

    def tick(self, now: float) -> bool:
        """Time limits of the current phase (called with every frame and on a timer)."""
        if self.phase is Phase.FRONTAL and now - self._phase_since >= self.config.frame_seconds:
            self._fail_try("no_good_frame")
            return True
        if self.phase is Phase.CHALLENGE and now - self._phase_since >= self.config.challenge_seconds:
            self._fail_try("no_turn")
            return True
        return False

    def _frontal(self, obs: ObservationLike, frame: Any, now: float) -> None:
        if self.tick(now):
            return
        code, face = self.judge(obs)
        yaw = yaw_index(face.landmarks) if face is not None else None
        if code == "ok" and (yaw is None or abs(yaw) > self.config.max_frontal_yaw):
            code = "look"
        if code != "ok" or face is None or yaw is None:
            self._good_in_row = 0
            self.samples.clear()
            self.guidance = code
            return
        self._good_in_row += 1
        self.samples.append(Sample(frame, face, obs.sharpness))
        self.samples.sort(key=lambda s: -s.sharpness)
        del self.samples[2:]  # the two sharpest frontal frames are what is compared
        self.guidance = "hold"
        if self._good_in_row >= self.config.frontal_frames:
            self._baseline = yaw
            self._last_face = face
            self.challenge = self.rng.choice(("left", "right"))
            self._enter(Phase.CHALLENGE, now)
            self.guidance = "turn_" + self.challenge

    def _turn(self, obs: ObservationLike, now: float) -> None:
        if self.tick(now):
            return
        code, face = self.judge(obs)
        if face is None or code in ("several_faces", "partial"):
            return  # a frame without the face does not count either way
        if self._last_face is not None and not _continuous(self._last_face, face):
            self._fail_try("no_turn")  # another picture brought in front of the camera
            return
        self._last_face = face
        yaw = yaw_index(face.landmarks)
        if yaw is None:
            return
        sign = 1.0 if self.challenge == "left" else -1.0
        if self.config.mirrored:
            sign = -sign
        turned = (yaw - self._baseline) * sign
        if turned >= self.config.min_turn:
            if self._between >= 1:
                self.phase = Phase.VERIFYING
                self.guidance = "verifying"
            else:  # straight from frontal to turned: a swapped picture, or a very fast turn
                self._fail_try("no_turn")
        elif turned >= self.config.min_turn * 0.25:
            self._between += 1

    # ------------------------------------------------------------------ the comparison
    def answered(self, answer: FaceAnswer) -> None:
        """The verifier's answer for the frames sent."""
        if self.phase is not Phase.VERIFYING:
            return
        self.wipe_frames()  # compared: nothing of the face is needed any more
        if answer.verdict is Verdict.MATCH:
            self.phase = Phase.PASSED
            self.guidance = "passed"
            return
        code = "no_match" if answer.verdict is Verdict.NO_MATCH else (answer.reason or "undecided")
        if code not in FAILURES:
            code = "undecided"
        if not answer.retry_helps:
            self.tries_used += 1
            self.failure = code
            self.phase = Phase.STAFF
            self.guidance = code
            return
        self._fail_try(code)

    @property
    def outcome(self) -> str:
        """What the audit records: the outcome only."""
        return {
            Phase.PASSED: "passed",
            Phase.STAFF: "gave_up",
            Phase.CAMERA_DOWN: "camera_down",
        }.get(self.phase, "abandoned")


def _continuous(before: FaceLike, after: FaceLike) -> bool:
    """The same face, moved a little: centre within 40 % of its width, size within 30 %."""
    wb, wa = before.right - before.left, after.right - after.left
    if wb <= 0 or wa <= 0:
        return False
    cbx, cby = (before.left + before.right) / 2, (before.top + before.bottom) / 2
    cax, cay = (after.left + after.right) / 2, (after.top + after.bottom) / 2
    moved = ((cax - cbx) ** 2 + (cay - cby) ** 2) ** 0.5
    return moved <= 0.4 * wb and 0.7 <= wa / wb <= 1.3
