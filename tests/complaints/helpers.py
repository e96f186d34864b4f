"""Staff's side of the reference server, as staff use it: ``refserver complaints list|answer``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from kiosk.complaints import ComplaintDesk
from kiosk.complaints.demo_key import DEMO_PLATFORM_PUBLIC_KEY
from kiosk.settings.complaints import ComplaintsConfig


def refserver(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "refserver", *args], capture_output=True, text=True, timeout=60
    )


def staff_list(db: Path) -> list[dict[str, Any]]:
    done = refserver("complaints", "list", "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def desk(state_dir: Path, channel: Any, **config: Any) -> ComplaintDesk:
    settings = ComplaintsConfig(platform_key=DEMO_PLATFORM_PUBLIC_KEY, **config)
    return ComplaintDesk(settings, "LJ-TEST-01", "测试终端", state_dir, channel, demo=True)
