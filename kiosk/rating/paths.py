"""Where the terminal keeps its small state files (rating outbox, help-ticket counter)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def state_dir_of(controller: Any) -> Path:
    """``paths.state_dir`` when configured, else the directory of the audit log (always writable:
    the terminal already appends to it)."""
    configured = controller.config.paths.state_dir
    if configured:
        return Path(configured)
    return Path(controller.audit.path).parent


def voice_cache_dir() -> Path:
    """Synthesised prompts hold no personal data, so they live in the user cache and are shared by
    every run (a test run or a restart does not synthesise them again)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk" / "voice"
