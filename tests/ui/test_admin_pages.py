"""The admin page on a small landscape screen (1280×800), in Chinese and in English (issue 22).

Staff may choose English: the PIN pad, the state lines, the actions, the tabs, every setting's name
and editor, the pause notices and the messages read English (only the settings' own values, such as
the terminal's name, stay as they are). And every tab fits: in one
column the settings' list was squeezed to nothing, its cue drawn over the tabs (contrast 1:1), and
the title, 服务中 and the voice line were pushed under the header (layout audit, 1280x800 and
1920x1080 admin entries). Each state is audited (kiosk.app.layout_audit) and must have no finding
of its own; the header's centre name is the header's (tests/ui/test_small_landscape_pages.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kiosk.admin.pin import hash_pin
from tests.support.artifacts import artifacts_dir
from tests.support.layout_walk import ADMIN_PIN, Walk
from tests.support.ui import UiDriver, UiHarness

CJK = re.compile(r"[\u3400-\u9fff]")


def off_centre(screen: Any) -> list[str]:
    """Settings rows whose labels and buttons do not share a centre line (more than 2 px apart).

    WHY: a horizontal box puts a child of its own height at its bottom; a stepper's value sat a
    few pixels below its name and its －/＋ buttons until it was centred too."""
    from kivy.uix.boxlayout import BoxLayout

    from screens.widgets import BigButton, KLabel

    found = []
    for box in screen.walk(restrict=True):
        if not isinstance(box, BoxLayout) or box.orientation != "horizontal":
            continue
        parts = [w for w in box.children if isinstance(w, KLabel | BigButton) and w.size_hint_y is None]
        if len(parts) < 2:
            continue
        centres = [round(w.center_y, 1) for w in parts]
        if max(centres) - min(centres) > 2:
            found.append(
                f"{[str(w.text) for w in parts]} centred at {centres}, heights "
                f"{[round(w.height, 1) for w in parts]}, in a box at y={box.y:.1f} h={box.height:.1f}"
            )
    return found


def page_texts(screen: Any) -> list[str]:
    return [str(w.text) for w in screen.walk(restrict=True) if isinstance(getattr(w, "text", None), str)]


@pytest.mark.window(1280, 800)
def test_admin_page_fits_a_small_landscape_screen_and_reads_english(ui: UiHarness) -> None:
    result: dict[str, Any] = {"chinese": {}}

    async def script(d: UiDriver) -> None:
        from kiosk.admin.fields import FIELDS, get_value
        from kiosk.admin.mode import admin_for
        from screens.admin import GROUPS

        walk = Walk(d, artifacts_dir() / "ui" / "admin-pages", (1280, 800))
        result["walk"] = walk
        c = d.controller
        screen = d.app.screens["admin"]
        values = {str(get_value(c.config, f.path)) for f in FIELDS if f.kind == "readonly"}
        for language in ("zh_CN", "en"):
            c.set_language(language)
            c.open_view("admin")
            await walk.settle(lambda: d.app.manager.current == "admin", "admin")
            mode = admin_for(c)
            mode.lock()
            mode.last_message = ""
            d.app.request_refresh()
            await walk.audit("admin-pin")
            seen = page_texts(screen)
            assert mode.unlock(ADMIN_PIN).ok
            mode.change("timeouts.warning_seconds", 10_000)  # refused: its reason is shown
            d.app.request_refresh()
            for group in GROUPS:
                screen._show_group(group)
                await walk.audit(f"admin-{group}")
                seen += page_texts(screen)
                result.setdefault("off_centre", []).extend(f"{group}: {o}" for o in off_centre(screen))
            screen._choose_pause()
            await walk.audit("admin-pause")
            seen += page_texts(screen)
            screen._cancel_pause()
            mode.leave()
            await walk.drawn()
            if language == "en":
                result["chinese"] = {t for t in seen if CJK.search(t) and t not in values}
                result["english"] = seen

    overrides = {
        "display": {"width": 1280, "height": 800},
        "admin": {"pin_hash": hash_pin(ADMIN_PIN)},
        "paths": {"state_dir": str(ui.workdir / "state")},
    }
    ui.run(script, overrides=overrides, size=(1280, 800), name="admin-small")
    walk = result["walk"]
    assert len(walk.audited) == 2 * (1 + 5 + 1)  # per language: the PIN pad, five tabs, the pause notices
    # the header's own name at this size is the header's (L3's test); everything else is this page's
    header = ("Liujiang District Government Service Cen", "Self-service terminal ##")
    own = [f for f in walk.findings if not any(re.sub(r"\d", "#", f.text[:40]) == h for h in header)]
    assert not own, "\n".join(str(f) for f in own)
    assert not result["chinese"], sorted(result["chinese"])
    assert not result["off_centre"], "\n".join(result["off_centre"])
    english = set(result["english"])
    for text in ("Admin mode", "Pause service", "Display & voice", "Idle timeout (s)", "Leave admin"):
        assert text in english, text
    assert any(t.startswith("“Timeout warning (s)” = 10000 was not accepted") for t in english), english
