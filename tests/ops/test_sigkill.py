"""A terminal killed with SIGKILL in the middle of a session (power cut, OOM killer, watchdog):

* while it ran, systemd got READY=1 after the first frame and WATCHDOG=1 pings from the UI loop —
  and none while that loop was frozen;
* the restarted process starts at the attract screen (no half session survives a restart);
* nothing personal is on disk (state, logs, HOME, TMPDIR), in UTF-8, UTF-16 or GBK;
* the audit chain verifies, also after a torn last line (``audit_recovered``).
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from tests.ops.killer import kill_mid_session


def test_sigkill_mid_session_leaves_no_half_session_and_no_personal_data(
    tmp_path: Path, ops_server: Any
) -> None:
    out = kill_mid_session(tmp_path, ops_server)
    assert out.killed_rc == -signal.SIGKILL

    # the watchdog: READY first, pings from the loop, none while the loop was frozen, pings after
    messages = out.notify_messages
    assert messages and messages[0].startswith("READY=1")
    start, end = messages.index("STATUS=freeze-start"), messages.index("STATUS=freeze-end")
    before, during, after = messages[:start], messages[start + 1 : end], messages[end + 1 :]
    assert before.count("WATCHDOG=1") >= 1
    assert "WATCHDOG=1" not in during
    assert after.count("WATCHDOG=1") >= 1

    assert out.restart_first_step == "attract" and out.restart_rc == 0  # no half session
    assert out.verify_rc == 0, out.verify_output
    assert '"audit_recovered"' in out.audit_text and '"identified"' in out.audit_text
    assert out.files_searched >= 2 and not out.hits, out.hits
