"""Help-call ticket numbers (呼叫工作人员): H-MMDD-NNN, unique per terminal per day, across restarts.

WHY persisted: staff match the number on the citizen's screen with the audit log; a restart at noon
must not hand out H-…-001 a second time that day. The counter file holds only the date and a count.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path


class HelpTickets:
    FILE_NAME = "help-tickets.json"

    def __init__(self, state_dir: Path, today: Callable[[], date] = date.today) -> None:
        self.path = Path(state_dir) / self.FILE_NAME
        self._today = today
        self._lock = threading.Lock()

    def _load(self) -> tuple[str, int]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return str(data["day"]), int(data["count"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return "", 0

    def next(self) -> str:
        """The next ticket of today (the count restarts at 001 each day)."""
        with self._lock:
            day = self._today().isoformat()
            saved_day, count = self._load()
            count = count + 1 if saved_day == day else 1
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"day": day, "count": count}), encoding="utf-8")
            os.replace(tmp, self.path)
            d = self._today()
            return f"H-{d.month:02d}{d.day:02d}-{count:03d}"
