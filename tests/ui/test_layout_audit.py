"""The layout audit over every page and state: 3 window sizes × Chinese/English × normal/elder.

Each window size is one app start (its own process: SDL's offscreen surface keeps its first size)
that walks the four modes (tests/support/layout_walk.py) and audits every screen from the widget
tree and the window's pixels (kiosk/app/layout_audit.py): no text cut, overflowing, outside the
window or its list, over another text or button, below the mode's size floor, under 4.5:1 (3:1 for
status graphics), or broken against the Chinese line-breaking rules.

The problems known and not yet fixed are listed in tests/ui/layout_audit_known.txt (open defects of
issue 22, tests/support/layout_baseline.py): the test fails on a problem not listed and on a listed
one that no longer occurs, so the list only shrinks. Screenshots of screens with findings and the
run's findings are kept under artifacts/ui/layout-audit/.
"""

from __future__ import annotations

import pytest

from kiosk.admin.pin import hash_pin
from tests.support import layout_baseline as baseline
from tests.support.artifacts import artifacts_dir
from tests.support.layout_walk import ADMIN_PIN, walk_everything
from tests.support.ui import UiDriver, UiHarness

SIZES = [
    pytest.param((1080, 1920), id="portrait-1080x1920"),
    pytest.param((1920, 1080), id="landscape-1920x1080", marks=pytest.mark.window(1920, 1080)),
    pytest.param((1280, 800), id="small-1280x800", marks=pytest.mark.window(1280, 800)),
]


@pytest.mark.parametrize("size", SIZES)
def test_every_page_reads_right(ui: UiHarness, size: tuple[int, int]) -> None:
    result: dict[str, object] = {}
    out = artifacts_dir() / "ui" / "layout-audit"

    async def script(d: UiDriver) -> None:
        result["walk"] = await walk_everything(d, out, size)

    overrides = {
        "display": {"width": size[0], "height": size[1]},
        "admin": {"pin_hash": hash_pin(ADMIN_PIN)},
        "paths": {"state_dir": str(ui.workdir / "state")},
        "face": {"required": "always", "kind": "simulated"},  # the face step, with the simulated camera
    }
    ui.run(script, overrides=overrides, size=size, name=f"audit-{size[0]}x{size[1]}")
    walk = result["walk"]
    findings = walk.findings  # type: ignore[attr-defined]
    print(f"audited {len(walk.audited)} screens, {len(findings)} findings")  # type: ignore[attr-defined]
    tag = f"{size[0]}x{size[1]}"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"findings-{tag}.txt").write_text("".join(f"{f}\n" for f in findings), encoding="utf-8")
    found = [baseline.fingerprint(f) for f in findings]
    (out / f"found-{tag}.txt").write_text("".join(f"{e}\n" for e in sorted(set(found), key=str)), "utf-8")
    (out / f"known-proposed-{tag}.txt").write_text(baseline.render(baseline.collapse(found)), "utf-8")
    new, gone = baseline.compare(found, baseline.load(), tag)
    unknown = set(new)
    details = [str(f) for f in findings if baseline.fingerprint(f) in unknown]
    assert not new, (
        f"{len(details)} layout problems not in {baseline.KNOWN_FILE.name} (fix them):\n"
        + "\n".join(details[:150])
    )
    assert not gone, (
        f"{len(gone)} entries of {baseline.KNOWN_FILE.name} no longer occur: delete them "
        "(the list only shrinks):\n" + "\n".join(str(e) for e in gone)
    )
    missing = set(ui_screens()) - walk.screens_seen  # type: ignore[attr-defined]
    assert not missing, f"pages the audit never showed: {sorted(missing)}"


def ui_screens() -> list[str]:
    from kiosk.app.kivy_app import discover_screens

    return [cls.step for cls in discover_screens()]
