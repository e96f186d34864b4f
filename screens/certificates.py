"""Certificates: one card per certificate with a clear valid / expired / revoked / unverified badge."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.layout import Layout
from kivy.uix.widget import Widget

from kiosk.i18n import _
from kiosk.views import CertificateCard, certificate_cards, holder_view
from screens.base import KioskScreen
from screens.paging import Pager, fit_pages
from screens.theme import BADGE, BLUE, TEXT, TEXT_MUTED, Sizes
from screens.widgets import Badge, BigButton, KLabel, Panel, spacer

# cards built with the page; the others are built one a frame off screen and join the page
# together (CertificatesScreen._add_later). Zero: with two cards in it, the frame that builds the
# page (the list's arrival) was the longest of a session (110 ms, soak); the cards join the page
# about 0.1 s after it appears
CARDS_WITH_THE_PAGE = 0


def finish_off_screen(widget: Widget) -> None:
    """Lay out a widget tree not on screen and render its labels now, parents first.

    Kivy lays out and renders text from triggers that run for widgets in the window; a card built
    off screen would otherwise do all of it in the frame it joins the page.
    """
    for w in widget.walk(restrict=True):
        if isinstance(w, Layout):
            w.do_layout()
        if isinstance(w, Label):
            w.texture_update()


def measure(widget: Widget, width: float) -> float:
    """Lay ``widget`` out off screen at ``width`` and return its height (its labels rendered).

    The second pass, children first, lets each layout take its children's final heights (a
    label's height is known only once its text is rendered, after its parent's first pass).
    """
    if abs(widget.width - width) > 0.5:  # built at another width (or none): render it at this one
        widget.width = width
        finish_off_screen(widget)
    for w in reversed(list(widget.walk(restrict=True))):
        if isinstance(w, Layout):
            w.do_layout()
    return float(widget.height)


def column_width(grid: GridLayout) -> float | None:
    """The width a grid gives each of its columns, or None while the grid has no width yet."""
    cols = grid.cols or 1
    pad_left, _top, pad_right, _bottom = grid.padding
    room = grid.width - pad_left - pad_right - grid.spacing[0] * (cols - 1)
    return room / cols if grid.width > 100 and room > 0 else None


class TappablePanel(ButtonBehavior, Panel):
    def __init__(self, on_tap: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self._on_tap = on_tap

    def on_release(self) -> None:
        self._on_tap()


def certificate_panel(card: CertificateCard, s: Sizes, on_tap: Any) -> tuple[Panel, Badge]:
    """The card for one certificate, and its badge (updated in place when the record arrives)."""
    panel = TappablePanel(on_tap, spacing=s.spacing * 0.35)
    top = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=dp(16))
    name = KLabel(card.name, size=s.title * 0.72, bold=True)
    top.add_widget(name)
    badge = Badge(card.badge.label, BADGE.get(card.badge.status, BADGE["checking"]), s.small)
    holder = BoxLayout(size_hint_x=None, width=dp(200) if s.small < 30 else dp(240))
    holder.add_widget(badge)
    top.add_widget(holder)

    def fit_row(*_: Any) -> None:  # as tall as the taller of the two, whichever is sized last
        top.height = max(name.height, badge.height)

    name.bind(height=fit_row)
    badge.bind(height=fit_row)
    top.height = dp(s.title)
    panel.add_widget(top)
    if card.acting_for:  # not the citizen's own: whose it is and in what capacity
        panel.add_widget(KLabel(card.acting_for, size=s.body, bold=True, colour=TEXT_MUTED))
    panel.add_widget(KLabel(_("证照编号：{n}").format(n=card.number), size=s.body, colour=TEXT_MUTED))
    panel.add_widget(
        KLabel(
            card.issuer + "  ·  " + card.validity, size=s.body, colour=TEXT_MUTED, line_height=s.line_height
        )
    )
    if card.reason:
        panel.add_widget(
            KLabel(card.reason, size=s.body, colour=BADGE.get(card.badge.status, BADGE["revoked"]))
        )
    return panel, badge


class CertificatesScreen(KioskScreen):
    step = "certificates"

    @property
    def pager(self) -> Pager:
        if not hasattr(self, "_pager"):
            self._pager = Pager()
        return self._pager

    # records arrive one by one after the list is shown (5–6 per citizen): each arrival updates its
    # card's badge. Rebuilding the whole list for each re-rendered every label and left thousands of
    # Kivy objects of cyclic garbage per citizen, the largest share of the GC pause between citizens
    in_place = frozenset({"records"})
    page_parts = ("_badges", "_elder", "_panels", "_pager_slot")
    _badges: dict[str, tuple[Badge, str | None]] | None = None  # identifier -> (badge, reason shown)
    _built = 0  # counts builds: cards added a frame later belong to the page of their build
    _elder: tuple[BoxLayout, GridLayout, Any] | None = None  # elder mode: list's box, list, owner
    _panels: list[Widget] | None = None  # elder mode: every card built, cut into pages
    _pager_slot: BoxLayout | None = None  # elder mode: where 上一页 / 下一页 go, beside the greeting
    _heights: tuple[float, ...] = ()  # elder mode: each built card's height, and the room of the list
    _room = 0.0
    _hint_placed = False  # 共找到 n 个 is beside the pager (landscape elder), not a row of its own

    def extra_signature(self) -> Any:
        return None  # elder mode's pages change in place (_show_page), no rebuild

    def in_place_value(self, part: str) -> Any:
        """Records arriving, and records that could not be fetched (their card says 无法核验)."""
        if part == "records":
            d = self.ctx.machine.data
            seals = getattr(self.ctx.controller, "issued", None)  # the seal checks (kiosk.issued)
            version = seals.version if seals is not None else 0
            return (tuple(sorted(d.records)), tuple(sorted(d.unfetched)), version) if d else ()
        return super().in_place_value(part)

    def cards(self) -> list[CertificateCard]:
        """The cards, each badge with its file's seal verdict (kiosk.views.sealed_badge)."""
        seals = getattr(self.ctx.controller, "issued", None)
        return certificate_cards(self.ctx.machine, self.ctx.today, seals.seal if seals is not None else None)

    def update_in_place(self) -> bool:
        """Update each shown card's badge; False when a card needs more than that (a reason line)."""
        if self._badges is None:
            return False
        cards = {card.identifier: card for card in self.cards()}
        for ident, (_badge, reason) in self._badges.items():
            card = cards.get(ident)
            if card is None or card.reason != reason:
                return False
        for ident, (badge, _reason) in self._badges.items():
            card = cards[ident]
            badge.show(card.badge.label, BADGE.get(card.badge.status, BADGE["checking"]))
        return True

    def drop_page(self) -> None:
        self._built += 1  # cards still to come belong to the dropped page
        super().drop_page()

    def _card(self, card: CertificateCard, width: float | None = None) -> Panel:
        """One card's panel, its badge noted for in-place updates; ``width``: built at that width."""
        c = self.ctx.controller
        panel, badge = certificate_panel(card, self.ctx.sizes, lambda: c.select(card.identifier))
        if width:
            panel.width = width
            finish_off_screen(panel)
        if self._badges is not None:
            self._badges[card.identifier] = (badge, card.reason)
        return panel

    def _add_later(self, listing: GridLayout, identifiers: list[str], done: Any = None) -> None:
        """Build the remaining cards one a frame off screen, each as it stands then (its record may
        have arrived), and add them to the list together once the last one is built.

        WHY: building a card's widgets and rendering its labels takes 15–25 ms under the software
        renderer. Built all at once, a citizen with six certificates froze the screen for 110–160 ms
        (soak). Added to the page one a frame, each card also made the renderer draw the whole page
        again (GL 22 ms at rest, 40–70 ms while records are verified): four frames of 100–130 ms
        a citizen. Built off screen a card costs its frame no drawing, each at the width the list
        gives it (its labels are not rendered twice), and the page is drawn once when they join it.
        ``done``: given the built cards instead (elder mode cuts them into pages: _fit_pages).
        """
        built = self._built
        waiting = list(identifiers)
        staged: list[Widget] = []

        def next_card(_dt: float) -> None:
            if built != self._built:  # rebuilt or dropped meanwhile: the staged cards go with it
                return
            if not waiting:
                if done is not None:
                    done(staged)
                    return
                for panel in staged:
                    listing.add_widget(panel)
                return
            ident = waiting.pop(0)
            cards = self.cards()
            card = next((card for card in cards if card.identifier == ident), None)
            if card is not None:
                staged.append(self._card(card, column_width(listing)))
            Clock.schedule_once(next_card, 0)

        if waiting:
            Clock.schedule_once(next_card, 0)

    def _fit_pages(self, panels: list[Widget], tries: int = 0) -> None:
        """Cut the built cards into the pages that fit the list's room here and show the current one.

        A card row taller than the whole room (the smallest landscape window) cannot be cut: that
        page alone shows its cards in a list that scrolls, with its cue (screens.scrollcue); the
        other pages stay pages. (All-or-nothing, one tall card with a reason line made the whole
        landscape list a scrolling one.)
        """
        if self._elder is None:
            return
        holder_box, listing, owner = self._elder
        width = column_width(listing)
        if holder_box.get_root_window() is None or width is None:
            if tries < 30:  # not on screen or not laid out yet: once it is
                Clock.schedule_once(lambda _dt: self._fit_pages(panels, tries + 1), 0)
            return
        self._heights = tuple(measure(panel, width) for panel in panels)
        cols = max(1, listing.cols or 1)
        tallest = max((max(self._heights[i : i + cols]) for i in range(0, len(panels), cols)), default=0.0)
        if tallest > holder_box.height and holder_box.size_hint_min_y is not None:
            # a window too small for a row of cards: the page scrolls as a whole (show_page), and
            # the list takes a row's height in it: a page inside, never a list in a list or a cut card
            holder_box.size_hint_min_y = max(holder_box.size_hint_min_y, tallest)
        self._room = max(holder_box.height, min(tallest, holder_box.size_hint_min_y or 0.0))
        pages = fit_pages(self._heights, self._room, listing.cols, listing.spacing[1])
        self._panels = panels
        self.pager.fitted(owner, pages)
        self._show_page()

    def _refit(self, *_: Any) -> None:
        """The list's room changed after the pages were cut (the page put in a list that scrolls a
        frame later, on a small landscape window): cut them again for the room it has now."""
        if self._elder is None or not self._panels or not self._heights:
            return
        holder_box, listing, owner = self._elder
        if abs(holder_box.height - self._room) <= 1:
            return
        self._room = holder_box.height
        self.pager.fitted(owner, fit_pages(self._heights, self._room, listing.cols, listing.spacing[1]))
        self._show_page()

    def _show_page(self) -> None:
        """Show the pager's page of the built cards, and 上一页 / 第 n/m 页 / 下一页 when there are more."""
        if self._elder is None:
            return
        holder_box, listing, _owner = self._elder
        start, end = self.pager.pages[min(self.pager.index, len(self.pager.pages) - 1)]
        shown = (self._panels or [])[start:end]
        for panel in self._panels or []:
            if panel.parent is not None:
                panel.parent.remove_widget(panel)
        holder_box.clear_widgets()
        tallest = max(self._heights[start:end], default=0.0)
        if tallest > self._room + 1:  # a card taller than the room: this page scrolls
            page_list = GridLayout(cols=listing.cols, spacing=listing.spacing)
            for panel in shown:
                page_list.add_widget(panel)
            holder_box.add_widget(self.scroll(page_list))
        else:
            for panel in shown:
                listing.add_widget(panel)
            if len(shown) % max(1, listing.cols or 1):  # the last card keeps its column's width
                listing.add_widget(Widget(size_hint_y=None, height=0))
            holder_box.add_widget(listing)
        slot = self._pager_slot
        if slot is None:
            return
        slot.clear_widgets()
        if len(self.pager.pages) > 1:
            s = self.ctx.sizes
            slot.size_hint_x = 1.5
            h = dp(s.button_height * (0.8 if self.landscape() else 1))  # landscape: room for cards
            slot.add_widget(self.pager.controls(len(self._panels or []), s, self._show_page, height=h))
        else:
            slot.size_hint_x, slot.width = None, 0

    def _found_text(self) -> str:
        n = len(certificate_cards(self.ctx.machine, self.ctx.today))
        return _("共找到 {n} 个电子证照，点击可查看详情").format(n=n)

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        self._badges = None
        self._built += 1
        page = self.page()
        holder = holder_view(c.machine)
        greeting = KLabel(holder.greeting if holder is not None else "", size=s.title, bold=True, colour=BLUE)
        self._pager_slot = None
        self._hint_placed = False
        if c.machine.prefs.elder_mode and not c.machine.busy:
            # the greeting's row also holds 上一页 / 第 n/m 页 / 下一页 when there are pages: one row
            # less under the cards (in landscape two rows of buttons under them left no room)
            top = BoxLayout(orientation="horizontal", spacing=dp(24), size_hint_y=None)
            self._pager_slot = BoxLayout(size_hint_x=None, width=0)
            names = BoxLayout(orientation="vertical", spacing=dp(8))
            names.add_widget(greeting)
            top.add_widget(names)
            top.add_widget(self._pager_slot)
            if self.landscape() and Window.width >= 1600:
                # 共找到 n 个 under the greeting, beside the pager: its own row left a landscape
                # window's list 80 px short of a card with a reason line (the list scrolled)
                hint = KLabel(self._found_text(), size=s.small, colour=TEXT)
                names.add_widget(hint)
                self._hint_placed = True

            def fit_top(*_: Any) -> None:
                inner = sum(w.height for w in names.children) + dp(8) * (len(names.children) - 1)
                top.height = max(dp(s.button_height * (0.8 if self.landscape() else 1)), inner)

            for w in names.children:
                w.bind(height=fit_top)
            fit_top()
            page.add_widget(top)
        elif holder is not None:
            page.add_widget(greeting)
        cards = self.cards()
        if c.machine.busy:
            page.add_widget(KLabel(c.machine.busy, size=s.title * 0.8, colour=BLUE, halign="center"))
            page.add_widget(spacer())
            return page
        if not cards:
            page.add_widget(KLabel(_("未查询到您名下的电子证照。如有疑问，请到窗口咨询。"), size=s.body))
            page.add_widget(spacer())
            page.add_widget(BigButton(_("完成"), c.finish_service, s))
            return page
        if not self._hint_placed:
            page.add_widget(KLabel(self._found_text(), size=s.body))
        elder = c.machine.prefs.elder_mode  # elder mode: the cards that fit, 上一页/下一页 (screens/paging)
        listing = GridLayout(cols=2 if self.landscape() else 1, spacing=dp(s.spacing * 0.7))
        self._badges = {}
        if elder:
            # every card is built (one a frame, off screen), then cut into the pages that fit the
            # room the list has here (_fit_pages); the pager goes beside the greeting
            # at least about a card's height: on a window too small for the page's buttons the page
            # scrolls as a whole (KioskScreen.show_page) and the list keeps this much
            holder_box = BoxLayout(size_hint_min_y=dp(s.body * 7))
            holder_box.add_widget(listing)
            holder_box.bind(height=Clock.create_trigger(self._refit, 0))
            page.add_widget(holder_box)
            self._elder = (holder_box, listing, c.machine.session_id)
            self._add_later(listing, [card.identifier for card in cards], done=self._fit_pages)
        else:
            self._elder = None
            for card in cards[:CARDS_WITH_THE_PAGE]:
                listing.add_widget(self._card(card))
            self._add_later(listing, [card.identifier for card in cards[CARDS_WITH_THE_PAGE:]])
            page.add_widget(self.scroll(listing))
        guide = None
        if c.config.services.guide and "guide" in c.available_views:
            guide = BigButton(_("办事指南（查看免证材料）"), lambda: c.open_view("guide"), s, primary=False)
        actions = BoxLayout(
            orientation="horizontal", spacing=dp(28), size_hint_y=None, height=dp(s.button_height)
        )
        if guide is not None:
            if self.landscape():  # one row: the page's height goes to the cards
                guide.size_hint_x = 1.6
                actions.add_widget(guide)
            else:
                page.add_widget(guide)
        actions.add_widget(BigButton(_("完成"), c.finish_service, s, primary=False))
        if c.config.services.print_receipt and c.printing_available():
            actions.add_widget(BigButton(_("打印证照清单"), c.print_receipt, s))
        else:
            actions.add_widget(KLabel(_("打印暂不可用"), size=s.body, colour=TEXT_MUTED, halign="center"))
        page.add_widget(actions)
        return page
