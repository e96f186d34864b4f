"""Kivy's configuration is the app's own: nothing planted outside changes it, nothing at the screen
opens a way out of the kiosk.

A local user could plant a ``config.ini`` and a module in the Kivy home the app used to share under
/tmp; ``KCFG_*`` variables are Kivy configuration too. F1 opens Kivy's settings panel in any Kivy
app, and a quit request (Alt+F4, the compositor) ends one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.ui import UiDriver, UiHarness

PROBE = textwrap.dedent(
    """
    import json, sys
    from kiosk.app import environment
    environment.prepare(800, 600, False, headless=True)
    import kivy
    from kivy.config import Config
    from kivy.modules import Modules
    print(json.dumps({
        "home": kivy.kivy_home_dir,
        "home_mode": oct(__import__("os").stat(kivy.kivy_home_dir).st_mode & 0o777),
        "rotation": Config.get("graphics", "rotation"),
        "modules": sorted(Modules.list()),
        "configured_modules": sorted(Config.options("modules")),
        "stderr": type(sys.stderr).__name__,
    }))
    """
)


def test_a_planted_kivy_home_config_module_and_kcfg_variable_are_ignored(tmp_path: Path) -> None:
    planted = tmp_path / "kivy-home"
    (planted / "mods").mkdir(parents=True)
    marker = tmp_path / "module-ran"
    (planted / "mods" / "planted.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\ndef start(win, ctx): pass\ndef stop(win, ctx): pass\n"
    )
    (planted / "config.ini").write_text(
        "[kivy]\nlog_level = debug\n[graphics]\nrotation = 90\n[modules]\nplanted =\n"
    )
    env = {
        **os.environ,
        "KIVY_HOME": str(planted),
        "KCFG_GRAPHICS_ROTATION": "180",
        "KIVY_NO_ARGS": "1",
    }
    env.pop("KIVY_NO_CONFIG", None)
    env.pop("KIVY_NO_ENV_CONFIG", None)
    env.pop("KIVY_LOG_MODE", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(seen["home"]) != planted
    assert seen["home_mode"] == "0o700", "the Kivy home must be private to the app's user"
    assert seen["rotation"] == "0", "neither the planted config.ini nor KCFG_* may configure Kivy"
    assert "planted" not in seen["modules"] and "planted" not in seen["configured_modules"]
    assert not marker.exists()
    assert seen["stderr"] != "ProcessingStream", "Kivy must not swallow stderr (crash tracebacks)"
    assert not (planted / "config.ini").read_text().count("[input]"), "Kivy wrote into the planted home"


def test_f1_opens_no_settings_and_a_quit_request_is_refused(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        from kivy.core.window import Window
        from kivy.uix.settings import Settings

        await d.frames(0.3)
        before = list(Window.children)
        # F1 as Kivy's App hears it (on_keyboard); on_key_down's F1 is a demo card in this harness
        Window.dispatch("on_keyboard", 282, 58, None, [])
        await d.frames(0.3)
        assert not any(isinstance(w, Settings) for w in d.widgets()), "Kivy's settings panel opened"
        assert list(Window.children) == before
        assert Window.dispatch("on_request_close") is True, "a quit request must be refused"
        await d.frames(0.3)
        assert d.app.root is not None and d.machine.step.value == "attract"
        await d.tap_text("开始办理")
        await d.wait_step("identify")  # still running and answering touches

    ui.run(script, name="lockdown")
