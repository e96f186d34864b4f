"""The layout audit over every page and state: 3 window sizes × Chinese/English × normal/elder.

Each window size is one app start (its own process: SDL's offscreen surface keeps its first size)
that walks the four modes (tests/support/layout_walk.py) and audits every screen from the widget
tree and the screenshot's pixels (kiosk/app/layout_audit.py): no text cut, overflowing, outside the
window or its list, over another text or button, below the mode's size floor, under 4.5:1 (3:1 for
status graphics), or broken against the Chinese line-breaking rules. Screenshots of screens with
findings are kept under artifacts/ui/layout-audit/.
"""

from __future__ import annotations

import pytest

from kiosk.admin.pin import hash_pin
from tests.support.artifacts import artifacts_dir
from tests.support.layout_walk import ADMIN_PIN, walk_everything
from tests.support.ui import UiDriver, UiHarness

SIZES = [
    pytest.param((1080, 1920), id="portrait-1080x1920"),
    pytest.param((1920, 1080), id="landscape-1920x1080", marks=pytest.mark.window(1920, 1080)),
    pytest.param((1280, 800), id="small-1280x800", marks=pytest.mark.window(1280, 800)),
]


@pytest.mark.parametrize("size", SIZES)
def test_every_page_reads_right(ui: UiHarness, size: tuple[int, int], tmp_path: object) -> None:
    result: dict[str, object] = {}

    async def script(d: UiDriver) -> None:
        walk = await walk_everything(d, artifacts_dir() / "ui" / "layout-audit", size)
        result["walk"] = walk

    overrides = {
        "display": {"width": size[0], "height": size[1]},
        "admin": {"pin_hash": hash_pin(ADMIN_PIN)},
        "paths": {"state_dir": str(ui.workdir / "state")},
    }
    ui.run(script, overrides=overrides, size=size, name=f"audit-{size[0]}x{size[1]}")
    walk = result["walk"]
    findings = walk.findings  # type: ignore[attr-defined]
    print(f"audited {len(walk.audited)} screens")  # type: ignore[attr-defined]
    report = artifacts_dir() / "ui" / "layout-audit" / f"findings-{size[0]}x{size[1]}.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("".join(f"{f}\n" for f in findings), encoding="utf-8")
    assert not findings, f"{len(findings)} layout problems:\n" + "\n".join(str(f) for f in findings[:150])
    missing = set(ui_screens()) - walk.screens_seen  # type: ignore[attr-defined]
    assert not missing, f"pages the audit never showed: {sorted(missing)}"


def ui_screens() -> list[str]:
    from kiosk.app.kivy_app import discover_screens

    return [cls.step for cls in discover_screens()]
