"""The certificate list shows each record's arrival in place, and rebuilds when a card needs more.

Records are fetched and verified one by one after the list appears (badge 核验中). Each arrival
changes only that card's badge: the cards themselves stay (no rebuild, no re-rendered labels, no
garbage for the collector's pause). A record that fails verification adds a reason line to its
card, and the list is rebuilt to show it.
"""

from __future__ import annotations

from typing import Any

from tests.support.refserver import RefServer
from tests.support.ui import UiDriver, UiHarness


def card_panels(d: UiDriver) -> list[Any]:
    from screens.certificates import TappablePanel

    return [w for w in d.widgets() if isinstance(w, TappablePanel)]


def all_records_in(d: UiDriver) -> bool:
    data = d.machine.data
    return bool(data and data.certificates and len(data.records) == len(data.certificates))


async def to_consent(d: UiDriver) -> None:
    await d.tap_text("开始办理")
    d.controls.insert_card("elder")
    await d.wait_step("consent")


def test_records_arriving_update_the_badges_of_the_same_cards(ui: UiHarness) -> None:
    server = RefServer(ui.server)

    async def script(d: UiDriver) -> None:
        await to_consent(d)
        # each record answers slowly: the list is on screen with 核验中 badges first
        server.set_fault("delay", seconds=0.8, path_prefix="/v1/certificates/1.")
        try:
            await d.tap_text("同意并查询")
            # the cards follow one a frame after the first ones (screens/certificates._add_later)
            shown = lambda: len(card_panels(d)) == len(d.machine.data.certificates)  # noqa: E731
            await d.wait(lambda: shown() and d.has_text("核验中"), "list while checking")
            before = card_panels(d)  # held: the same objects, not just equal ids
            await d.wait(lambda: all_records_in(d), "every record verified")
            await d.frames(0.3)
        finally:
            server.clear_faults()
        assert d.has_text("有效") and not d.has_text("核验中")
        after = card_panels(d)
        assert len(after) == len(before) and all(a is b for a, b in zip(after, before, strict=True))

    ui.run(script, name="badges-in-place")


def test_a_record_that_fails_verification_shows_its_reason(ui: UiHarness) -> None:
    server = RefServer(ui.server)

    async def script(d: UiDriver) -> None:
        await to_consent(d)
        server.set_fault("bad_signature", count=100)
        try:
            await d.tap_text("同意并查询")
            await d.wait(lambda: all_records_in(d), "every record checked")
            await d.frames(0.3)
        finally:
            server.clear_faults()
        assert d.has_text("无法核验") and not d.has_text("核验中")
        reasons = [t for t in d.texts() if "签名" in t]
        assert len(reasons) >= 1, d.texts()
        await d.shot("certificates-unverified")

    ui.run(script, name="badges-reason")
