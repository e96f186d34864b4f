"""Certificates: one card per certificate with a clear valid / expired / revoked / unverified badge."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
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
from screens.in_view import low_landscape
from screens.paging import Pager, fit_pages
from screens.theme import BADGE, BLUE, TEXT, TEXT_MUTED, Sizes
from screens.widgets import Badge, BigButton, KLabel, Panel, spacer

# cards built with the page; the others are built one a frame off screen and join the page
# together (CertificatesScreen._add_later). Zero: with two cards in it, the frame that builds the
# page (the list's arrival) was the longest of a session (110 ms, soak); the cards join the page
# about 0.1 s after it appears
CARDS_WITH_THE_PAGE = 0
LOW_GAP = dp(10)  # between the rows of the list's column on a low landscape window (_build_low)


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


def certificate_panel(
    card: CertificateCard, s: Sizes, on_tap: Any, compact: bool = False
) -> tuple[Panel, Badge]:
    """The card for one certificate, and its badge (updated in place when the record arrives).

    ``compact``: its lines at the mode's small size (its floor): on a low landscape window a card
    with its lines at body size was taller than the room a row of cards has (1280x800)."""
    panel = TappablePanel(
        on_tap, spacing=s.spacing * (0.25 if compact else 0.35), padding=18 if compact else 24
    )
    body = s.small if compact else s.body
    top = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=dp(16))
    # compact: above the mode's floor (normal 26, elder 32 dp), lines closer
    line = 1.15 if compact else s.line_height
    short = 1.15 if compact else 1.35  # the others' (KLabel's own elsewhere)
    name = KLabel(card.name, size=s.title * (0.6 if compact else 0.72), bold=True, line_height=short)
    top.add_widget(name)
    badge = Badge(card.badge.label, BADGE.get(card.badge.status, BADGE["checking"]), s.small)
    holder = BoxLayout(size_hint_x=None, width=dp(200) if s.small < 30 else dp(240))
    holder.add_widget(badge)
    if compact:  # the badge's own width: the name keeps the rest ('Resident Identity Card' wrapped)
        badge.bind(width=lambda *_: setattr(holder, "width", badge.width))
    top.add_widget(holder)

    def fit_row(*_: Any) -> None:  # as tall as the taller of the two, whichever is sized last
        top.height = max(name.height, badge.height)

    name.bind(height=fit_row)
    badge.bind(height=fit_row)
    top.height = dp(s.title)
    panel.add_widget(top)
    if card.acting_for:  # not the citizen's own: whose it is and in what capacity
        panel.add_widget(KLabel(card.acting_for, size=body, bold=True, colour=TEXT_MUTED, line_height=short))
    panel.add_widget(
        KLabel(_("证照编号：{n}").format(n=card.number), size=body, colour=TEXT_MUTED, line_height=short)
    )
    panel.add_widget(
        KLabel(card.issuer + "  ·  " + card.validity, size=body, colour=TEXT_MUTED, line_height=line)
    )
    if card.reason:
        panel.add_widget(
            KLabel(
                card.reason,
                size=body,
                colour=BADGE.get(card.badge.status, BADGE["revoked"]),
                line_height=short,
            )
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
    _low = False  # built in the low landscape layout (_build_low): the list pages in either mode

    @property
    def _remeasure_later(self) -> Any:
        if not hasattr(self, "_remeasure_trigger"):
            self._remeasure_trigger = Clock.create_trigger(self._remeasure, 0)
        return self._remeasure_trigger

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

        def on_tap() -> None:
            c.select(card.identifier)

        panel, badge = certificate_panel(card, self.ctx.sizes, on_tap, compact=self._low)
        if width:
            panel.width = width
            finish_off_screen(panel)
        if self._low:
            panel.bind(height=self._remeasure_later)
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
        pages = self._cut(listing)
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
        self.pager.fitted(owner, self._cut(listing))
        self._show_page()

    def _pager_height(self) -> float:
        """Lower in landscape, lowest on a low window (_build_low): the height goes to the cards."""
        share = (0.72 if self._low else 0.8) if self.landscape() else 1.0
        return dp(self.ctx.sizes.button_height * share)

    def _cut(self, listing: GridLayout) -> list[tuple[int, int]]:
        """The pages of the built cards in the list's room (``_room``).

        Low landscape (_build_low): 上一页 / 下一页 are a row under the cards, there only when
        there are pages: the room is the list's with the row's height given back, and less that
        row when the cards need more than one page (``_room`` then is what the list will have)."""

        def cut(room: float) -> list[tuple[int, int]]:
            return fit_pages(self._heights, room, listing.cols, listing.spacing[1])

        slot = self._pager_slot
        if not self._low or slot is None:
            return cut(self._room)
        row = self._pager_height() + LOW_GAP
        full = self._room + (row if slot.height > 0 else 0.0)
        pages = cut(full)
        self._room = full
        if len(pages) > 1:
            self._room = full - row
            pages = cut(self._room)
        return pages

    def _remeasure(self, *_: Any) -> None:
        """A card's height changed after the pages were cut (its badge, arrived with its record,
        is wider or narrower and its name wraps otherwise: low landscape): cut them again."""
        if self._elder is None or not self._panels or not self._heights:
            return
        heights = tuple(float(p.height) for p in self._panels)
        if all(abs(a - b) <= 1 for a, b in zip(heights, self._heights, strict=True)):
            return
        _holder_box, listing, owner = self._elder
        self._heights = heights
        self.pager.fitted(owner, self._cut(listing))
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
        if self._low:  # a row under the cards
            many = len(self.pager.pages) > 1
            slot.height = self._pager_height() if many else 0
            if many:
                controls = self.pager.controls(
                    len(self._panels or []), self.ctx.sizes, self._show_page, height=slot.height
                )
                slot.add_widget(controls)
            return
        if len(self.pager.pages) > 1:
            s = self.ctx.sizes
            slot.size_hint_x = 1.5
            h = self._pager_height()
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
        self._low = False
        cards = self.cards()
        if cards and not c.machine.busy and self.landscape() and low_landscape():
            return self._build_low(greeting, cards)
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
        guide = self._guide_button()
        actions = BoxLayout(
            orientation="horizontal", spacing=dp(28), size_hint_y=None, height=dp(s.button_height)
        )
        if guide is not None:
            if self.landscape():  # one row: the page's height goes to the cards
                guide.size_hint_x = 1.6
                actions.add_widget(guide)
            else:
                page.add_widget(guide)
        for button in self._finish_buttons():
            actions.add_widget(button)
        page.add_widget(actions)
        return page

    def _guide_button(self) -> BigButton | None:
        c = self.ctx.controller
        if c.config.services.guide and "guide" in c.available_views:
            return BigButton(
                _("办事指南（查看免证材料）"), lambda: c.open_view("guide"), self.ctx.sizes, primary=False
            )
        return None

    def _finish_buttons(self) -> list[Widget]:
        """完成, and 打印证照清单 (or why it is not offered)."""
        c = self.ctx.controller
        s = self.ctx.sizes
        done: Widget = BigButton(_("完成"), c.finish_service, s, primary=False)
        if c.config.services.print_receipt and c.printing_available():
            return [done, BigButton(_("打印证照清单"), c.print_receipt, s)]
        return [done, KLabel(_("打印暂不可用"), size=s.body, colour=TEXT_MUTED, halign="center")]

    def _build_low(self, greeting: KLabel, cards: list[CertificateCard]) -> Widget:
        """The list on a low landscape window (screens.in_view.low_landscape; 1280x800), either mode:
        the cards take the page's full height beside a column of its buttons, and page (上一页 /
        第 n/m 页 / 下一页 beside the greeting) rather than scroll.

        WHY: under the greeting, the count line and a row of three buttons, 1280x800 left the list
        about 110 px: both cards were cut under 向下滑动查看更多 (issue 22). In elder mode the page
        was taller than the window and scrolled as a whole, a page of cards inside it.
        """
        c = self.ctx.controller
        s = self.ctx.sizes
        self._low = True
        page = BoxLayout(orientation="horizontal", padding=(dp(32), dp(10)), spacing=dp(24))
        column_width = dp(380 if c.machine.prefs.elder_mode else 290)
        left = BoxLayout(orientation="vertical", spacing=LOW_GAP)
        greeting.font_size = dp(s.title * 0.7)  # above either mode's floor (normal 31, elder 38 dp)
        found = KLabel(self._found_text(), size=s.small, colour=TEXT, line_height=1.15)
        self._hint_placed = True
        # the greeting and the count on one line when the greeting takes less than half of it
        # (two lines of them left a card row 30 px short of a card with a long number)
        text = CoreLabel(text=greeting.text, font_name=greeting.font_name, font_size=greeting.font_size)
        text.refresh()
        wide = text.texture.size[0] + dp(8) if text.texture is not None else 0.0
        if 0 < wide < (Window.width - dp(88) - column_width) / 2:
            row = BoxLayout(orientation="horizontal", spacing=dp(24), size_hint_y=None)
            greeting.size_hint_x, greeting.width = None, wide
            row.add_widget(greeting)
            row.add_widget(found)

            def fit_row(*_: Any) -> None:
                row.height = max(greeting.height, found.height)

            greeting.bind(height=fit_row)
            found.bind(height=fit_row)
            fit_row()
            left.add_widget(row)
        else:
            left.add_widget(greeting)
            left.add_widget(found)
        # elder: one card a row (in half the list an elder card's lines wrapped: taller than the room)
        cols = 1 if c.machine.prefs.elder_mode else 2
        listing = GridLayout(cols=cols, spacing=dp(s.spacing * 0.7))
        self._badges = {}
        holder_box = BoxLayout()
        holder_box.add_widget(listing)
        holder_box.bind(height=Clock.create_trigger(self._refit, 0))
        left.add_widget(holder_box)
        self._pager_slot = BoxLayout(size_hint_y=None, height=0)  # 上一页 / 第 n/m 页 / 下一页
        left.add_widget(self._pager_slot)
        self._elder = (holder_box, listing, c.machine.session_id)
        self._add_later(listing, [card.identifier for card in cards], done=self._fit_pages)
        page.add_widget(left)
        # the page's buttons in a column at the right, at its foot (under the thumb)
        column = BoxLayout(
            orientation="vertical",
            spacing=dp(14),
            size_hint_x=None,
            width=column_width,
        )
        column.add_widget(Widget())
        buttons: list[Widget] = []
        guide = self._guide_button()
        if guide is not None:
            buttons.append(guide)
        buttons += self._finish_buttons()
        for button in buttons:
            if isinstance(button, BigButton):
                # elder: a little lower than elsewhere (still 112 dp), or English's three-line
                # guide and the two buttons under it were taller than the 1280x800 page
                grow_to_text(button, dp(s.button_height * (0.85 if c.machine.prefs.elder_mode else 1)))
            column.add_widget(button)
        page.add_widget(column)
        return page


def grow_to_text(button: BigButton, least: float) -> None:
    """Make ``button`` at least ``least`` high and as tall as its wrapped caption with a margin
    (a narrow column wraps a long English caption to three lines: 'Service guide (papers you need
    not bring)')."""

    def fit(*_: Any) -> None:
        if button.width < dp(150):  # not laid out yet (Kivy's 100 px): wrapped to a word a line
            return
        button.height = max(least, button.texture_size[1] + dp(28))

    button.bind(texture_size=fit, width=fit)
