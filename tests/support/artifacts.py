"""Where tests save screenshots and receipt images; the test command lists them at the end."""

from __future__ import annotations

import os
from pathlib import Path


def artifacts_dir() -> Path:
    path = Path(os.environ.get("KIOSK_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path
