"""Where the citizen is in the session and how long they have: the footer's 步骤 2/4　剩余 45 秒.

WHY: the idle timeout was visible only as the warning overlay in its last 15 seconds, and nothing
said how far along the session was; a citizen (an elder above all) reading slowly could not tell
how much time and how many steps were left. No Kivy: the app shows this text, tests read it here.
"""

from __future__ import annotations

import math
from typing import Any

from kiosk.i18n import _

TOTAL_STEPS = 4
# session step -> its number; the face check belongs to identification, the detail page to the list
STEPS: dict[str, int] = {
    "identify": 1,
    "face": 1,
    "consent": 2,
    "certificates": 3,
    "detail": 3,
    "print": 4,
    "rate": 4,
}


def step_indicator(machine: Any) -> str | None:
    """步骤 2/4 on a session page; None elsewhere (home, goodbye, error, pages over it). The step's
    name is left out: the page's own title says it, and the footer line must stay one line."""
    if machine.view is not None or machine.data is None:
        return None
    found = STEPS.get(machine.step.value)
    if found is None:
        return None
    return _("步骤 {n}/{total}").format(n=found, total=TOTAL_STEPS)


def footer_status(machine: Any, now: float) -> str:
    """The footer's line: the step, and the seconds left before the idle timeout, where it applies.

    Empty while the idle warning is shown: its overlay says the seconds in large (and dims the
    footer, where text would fall under 4.5:1).
    """
    if machine.warning_remaining is not None:
        return ""
    parts = []
    step = step_indicator(machine)
    if step:
        parts.append(step)
    left = machine.idle_remaining(now)
    if left is not None:
        parts.append(_("剩余 {n} 秒").format(n=max(0, math.ceil(left))))
    return "　".join(parts)
