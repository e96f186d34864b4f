"""Make the screens' flat font copies on a terminal that has none, once it has stood at rest a while.

WHY here: the flat copies (kiosk.font_flatten) halve what every open face of the font costs, but
making them takes about 30 s of CPU and some 400 MB. ``kiosk fonts install`` makes them at set-up;
a terminal installed without them (or whose cache was cleared) makes them itself, in a child
process at idle priority, only after ``FLATTEN_AFTER_REST_SECONDS`` on the attract screen with
nobody there (a quiet hour, a night), once per start. The screens use them from the next start.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from kiosk.font_flatten import child_command, missing_flat

log = logging.getLogger(__name__)
FLATTEN_AFTER_REST_SECONDS = 1800.0


@dataclass
class FontUpkeep:
    """Starts the flattening child at most once per process (``check`` from the ops loop)."""

    configured_font: str = ""  # display.font_path: a font of the terminal's own, nothing to flatten
    started: bool = False
    result: int | None = None  # the child's exit code, once it ended
    pid: int | None = None  # the child's, while it runs (diagnostics, tests)

    def due(self, at_rest_for: float | None) -> bool:
        """Whether to start now: not yet started, long enough at rest, and a face without its copy."""
        if self.started or self.configured_font:
            return False
        if at_rest_for is None or at_rest_for < FLATTEN_AFTER_REST_SECONDS:
            return False
        return bool(missing_flat())

    def check(self, at_rest_for: float | None) -> asyncio.Task[Any] | None:
        """Start the child when :meth:`due` (on the running loop); the task that waits for it."""
        if not self.due(at_rest_for):
            return None
        self.started = True
        return asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        log.info("making the flat font copies at rest (used from the next start)")
        try:
            child = await asyncio.create_subprocess_exec(
                *child_command(), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
            )
            self.pid = child.pid
            _, err = await child.communicate()
        except OSError as exc:
            log.warning("flat font copies not made", extra={"error": str(exc)})
            self.result = -1
            return
        self.result = child.returncode
        if child.returncode == 0:
            log.info("flat font copies made; the screens use them from the next start")
        else:
            log.warning(
                "flat font copies not made",
                extra={"code": child.returncode, "error": err.decode("utf-8", "replace")[-500:]},
            )
