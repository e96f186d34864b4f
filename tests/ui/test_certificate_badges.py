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
            # the other cards join the first ones once built (screens/certificates._add_later)
            shown = lambda: len(card_panels(d)) == len(d.machine.data.certificates)  # noqa: E731
            await d.wait(lambda: shown() and d.has_text("核验中"), "list while checking")
            before = card_panels(d)  # held: the same objects, not just equal ids
            await d.wait(lambda: all_records_in(d), "every record verified")
            await d.frames(0.3)
        finally:
            server.clear_faults()
        # the badge itself (has_text would match 有效期至), once the files' seals verified (验章中 first)
        await d.wait(
            lambda: d.find_text("有效") is not None and not d.has_text("验章中"), "the seals verified"
        )
        assert not d.has_text("核验中")
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


def test_the_later_cards_join_the_list_together_rendered_once(ui: UiHarness) -> None:
    """The first cards (if any) come with the page; the others are built off screen, one a frame,
    and join it in one frame (the page is drawn once for them, not once a card), and no label of any card
    is rasterised twice on the way."""
    from kivy.clock import Clock
    from kivy.core.text import LabelBase

    from screens.certificates import CARDS_WITH_THE_PAGE
    from screens.widgets import Badge, KLabel

    server = RefServer(ui.server)
    renders: dict[int, int] = {}  # per core label (a KLabel's text renderer): rasterisations
    original = LabelBase._render_real

    def counted(core: Any) -> Any:
        renders[id(core)] = renders.get(id(core), 0) + 1
        return original(core)

    counts: list[int] = []

    async def script(d: UiDriver) -> None:
        await to_consent(d)
        server.set_fault("delay", seconds=1.5, path_prefix="/v1/certificates/1.")  # badges stay 核验中
        LabelBase._render_real = counted
        every_frame = Clock.schedule_interval(lambda _dt: counts.append(len(card_panels(d))), 0)
        try:
            await d.tap_text("同意并查询")
            total = lambda: len(d.machine.data.certificates) if d.machine.data else -1  # noqa: E731
            await d.wait(lambda: len(card_panels(d)) == total(), "the whole list")
            await d.frames(0.3)
            panels = card_panels(d)
            labels = [w for p in panels for w in p.walk(restrict=True) if isinstance(w, KLabel)]
        finally:
            every_frame.cancel()
            LabelBase._render_real = original
            server.clear_faults()
        listed = total()
        assert listed >= CARDS_WITH_THE_PAGE + 2
        shown = [n for i, n in enumerate(counts) if n and (i == 0 or n != counts[i - 1])]
        assert shown == [n for n in (CARDS_WITH_THE_PAGE, listed) if n], counts
        # each card's top row (name and badge) is as tall as the taller of the two: no blank band
        rows = [p.children[-1] for p in panels]
        parts = [[w for w in row.walk(restrict=True) if isinstance(w, KLabel | Badge)] for row in rows]
        assert all(len(p) == 2 for p in parts)
        assert [row.height for row in rows] == [max(w.height for w in p) for p in parts]
        await d.shot("certificates-joined")
        assert labels and all(renders.get(id(label._label)) == 1 for label in labels), [
            (label.text, renders.get(id(label._label))) for label in labels
        ]

    ui.run(script, name="cards-join-together")
