"""Synthetic camera frames: a QR code on a phone-like screen, photographed.

Used by the simulated camera (demo mode, tests) and by the phone-screen benchmark. WHY synthetic and
not a stored picture: demo mode must show whatever token the reference server just issued, and the
benchmark needs controlled, reproducible hardship (module size, perspective, blur, glare, moiré,
dark mode, JPEG) from a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import qrcode
import qrcode.constants


@dataclass(frozen=True, slots=True)
class SceneParams:
    """How the phone is held and how the camera sees it. All randomness comes from ``seed``."""

    width: int = 1280
    height: int = 720
    module_px: float = 6.0  # size of one QR module in the final frame, before perspective
    angle_deg: float = 0.0  # in-plane rotation
    tilt: float = 0.0  # perspective strength, 0 … ~0.3
    centre: tuple[float, float] = (0.5, 0.5)  # phone centre as a fraction of the frame
    dark_mode: bool = False  # dark app around a white card
    inverted: bool = False  # light modules on dark (some apps in dark mode)
    blur: float = 0.0  # Gaussian sigma in pixels
    noise: float = 3.0  # sensor noise sigma (grey levels)
    glare: float = 0.0  # 0 … 1: bright reflection across the screen
    moire: float = 0.0  # 0 … 1: screen pixel grid beating with the sensor grid
    jpeg_quality: int = 0  # 0 = no JPEG round trip
    brightness: float = 1.0
    seed: int = 0


def qr_matrix(text: str, error_correction: int = qrcode.constants.ERROR_CORRECT_M) -> np.ndarray:
    """The module matrix (True = dark) without quiet zone."""
    qr = qrcode.QRCode(error_correction=error_correction, border=0, box_size=1)
    qr.add_data(text.encode("utf-8"))
    qr.make(fit=True)
    return np.array(qr.get_matrix(), dtype=bool)


def _background(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A desk / counter: a smooth colour gradient with low-frequency texture."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    base = rng.uniform(90, 170, size=3).astype(np.float32)
    grad = (xx / width - 0.5) * rng.uniform(-60, 60) + (yy / height - 0.5) * rng.uniform(-60, 60)
    small = rng.normal(0, 18, size=(max(height // 40, 2), max(width // 40, 2))).astype(np.float32)
    texture = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    img = base[None, None, :] + (grad + texture)[:, :, None]
    return np.clip(img, 0, 255).astype(np.uint8)


def _phone_image(matrix: np.ndarray, p: SceneParams, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """The phone face (body + lit screen with the app and the code), upright, at ``scale`` px/module.

    Drawn at an integer supersampling of the module size so that the later warp resamples it the way
    a lens does. Returns the image and its supersampling factor.
    """
    ss = 4
    mod = max(p.module_px * ss, 1.0)
    n = matrix.shape[0]
    code_px = round(n * mod)
    quiet = round(4 * mod)
    card = code_px + 2 * quiet
    screen_w = int(card * 1.35)
    screen_h = int(screen_w * 2.1)
    bezel = max(int(screen_w * 0.05), 2)
    phone = np.full((screen_h + 2 * bezel, screen_w + 2 * bezel, 3), 18, np.uint8)
    bg = 28 if p.dark_mode else 245
    screen = np.full((screen_h, screen_w, 3), bg, np.uint8)
    fg = (220, 220, 220) if p.dark_mode else (60, 60, 60)
    # app chrome: a header bar, a title line and a few text lines, so the frame is not just a code
    cv2.rectangle(
        screen, (0, 0), (screen_w, screen_h // 12), (40, 120, 200) if not p.dark_mode else (50, 50, 60), -1
    )
    for i in range(4):
        y = screen_h // 8 + i * screen_h // 40
        cv2.rectangle(
            screen,
            (screen_w // 10, y),
            (int(screen_w * rng.uniform(0.4, 0.9)), y + screen_h // 120 + 1),
            fg,
            -1,
        )
    modules = cv2.resize(
        (~matrix if not p.inverted else matrix).astype(np.uint8) * 255,
        (code_px, code_px),
        interpolation=cv2.INTER_NEAREST,
    )
    card_img = np.full((card, card), 0 if p.inverted else 255, np.uint8)
    card_img[quiet : quiet + code_px, quiet : quiet + code_px] = modules
    x0 = (screen_w - card) // 2
    y0 = (screen_h - card) // 2
    screen[y0 : y0 + card, x0 : x0 + card] = card_img[:, :, None]
    if p.moire > 0:
        # sub-pixel stripes of an LCD/OLED: a fine periodic pattern that aliases after resampling
        period = max(ss * rng.uniform(0.9, 1.6), 2.0)
        xs = np.arange(screen_w, dtype=np.float32)
        ys = np.arange(screen_h, dtype=np.float32)
        grid = 0.5 + 0.25 * (
            np.cos(2 * np.pi * xs / period)[None, :] + np.cos(2 * np.pi * ys / period)[:, None]
        )
        factor = 1.0 - p.moire * 0.45 * grid
        screen = np.clip(screen.astype(np.float32) * factor[:, :, None], 0, 255).astype(np.uint8)
    phone[bezel : bezel + screen_h, bezel : bezel + screen_w] = screen
    return phone, ss


def render_scene(text: str | None, p: SceneParams) -> np.ndarray:
    """One BGR frame of ``p.width`` × ``p.height`` showing ``text`` as a QR code on a phone (or an
    empty counter when ``text`` is None)."""
    rng = np.random.default_rng(p.seed)
    frame = _background(p.width, p.height, rng)
    if text is not None:
        phone, ss = _phone_image(qr_matrix(text), p, rng)
        ph, pw = phone.shape[:2]
        w, h = pw / ss, ph / ss
        cx, cy = p.centre[0] * p.width, p.centre[1] * p.height
        a = np.deg2rad(p.angle_deg)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
        # perspective: one side further away (shrunk), chosen by the seed
        t = p.tilt
        side = rng.integers(0, 4)
        shrink = np.ones(4)
        pairs = [(0, 1), (1, 2), (2, 3), (3, 0)]
        for idx in pairs[side]:
            shrink[idx] = 1.0 - t
        corners = corners * shrink[:, None]
        dst = (corners @ rot.T + np.array([cx, cy])).astype(np.float32)
        src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
        m = cv2.getPerspectiveTransform(src, dst)
        # area-average the supersampled phone down to camera resolution first, then warp
        warped = cv2.warpPerspective(phone, m, (p.width, p.height), flags=cv2.INTER_AREA)
        mask = cv2.warpPerspective(
            np.full((ph, pw), 255, np.uint8), m, (p.width, p.height), flags=cv2.INTER_AREA
        )
        alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
        frame = (warped * alpha + frame * (1 - alpha)).astype(np.uint8)
        if p.glare > 0:
            gx = cx + rng.uniform(-0.3, 0.3) * w
            gy = cy + rng.uniform(-0.3, 0.3) * h
            yy, xx = np.mgrid[0 : p.height, 0 : p.width].astype(np.float32)
            sx, sy = w * rng.uniform(0.2, 0.5), h * rng.uniform(0.1, 0.3)
            blob = np.exp(-(((xx - gx) / sx) ** 2 + ((yy - gy) / sy) ** 2)) * p.glare * 190
            frame = np.clip(frame.astype(np.float32) + (blob * alpha[:, :, 0])[:, :, None], 0, 255).astype(
                np.uint8
            )
    if p.brightness != 1.0:
        frame = np.clip(frame.astype(np.float32) * p.brightness, 0, 255).astype(np.uint8)
    if p.blur > 0:
        frame = cv2.GaussianBlur(frame, (0, 0), p.blur)
    if p.noise > 0:
        noise = rng.normal(0, p.noise, size=frame.shape).astype(np.float32)
        frame = np.clip(frame.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if p.jpeg_quality:
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(p.jpeg_quality)])
        decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else None
        if decoded is not None:
            frame = decoded
    return frame
