"""Background threads run a little below the screen's priority.

WHY: a terminal has two or four cores, and without a graphics card the screen is drawn by Mesa's
software renderer (llvmpipe), whose raster threads the UI thread starts and which share those
cores with everything else the app does. A receipt rendered, a card read or an answer parsed in the
same moment as a frame made that frame wait for the processor: the soak saw the renderer take
60 ms for a page it draws in 22 ms at rest. A receipt or a badge a few milliseconds later is
better than a stuttering screen. The same reasoning sets the verifier process's nice value
(kiosk.backend.verifier), further down because its work is longer.

On Linux a nice value belongs to a thread, not to the whole process, so this lowers only the thread
that calls it. Elsewhere, or where the system refuses, the thread keeps its priority.
"""

from __future__ import annotations

import contextlib
import os

# the nice value added to a background thread's: enough for the renderer to win a contended core,
# small enough that the background work still gets a fair share (CFS weight 335 against 1024)
BACKGROUND_NICE = 5


def run_below_the_screen(nice: int = BACKGROUND_NICE) -> None:
    """Lower the calling thread's priority by ``nice`` (a thread pool's initializer)."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, 0, os.getpriority(os.PRIO_PROCESS, 0) + nice)
