"""The kiosk reads touches only through its window (the compositor's), never a second time raw.

Kivy's default configuration on Linux also starts ``probesysfs``, which opens every multitouch
device in /dev/input directly; the kiosk user can read them (group input, for cage), so a real
multitouch panel's every touch would reach the app twice."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import json
    from kiosk.app import environment
    environment.prepare(800, 600, False, headless=True)
    from kivy.config import Config
    print(json.dumps({k: Config.get("input", k) for k in Config.options("input")}))
    """
)


def test_only_the_windows_pointer_provider_is_configured() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    providers = json.loads(done.stdout.strip().splitlines()[-1])
    assert providers == {"mouse": "mouse,disable_multitouch"}, providers
