"""办事指南 · 一件事一次办: find a matter (pinyin keypad, hot words), read its details and flowchart,
and — for a citizen who identified — see which materials their verified e-certificates cover.

The page keeps only non-personal state of its own (the search text and the chosen matter); the
免证 readiness is computed from the session on every rebuild, so it follows certificates as they are
verified and disappears with the session. Printing goes through the controller
(``print_guide_checklist``), never to the printer from here.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from dataclasses import replace
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.bundles.content import catalogue_for
from kiosk.guide import ContentError, MaterialState, MatterIndex, session_readiness
from kiosk.guide.catalogue import Catalogue, Matter
from kiosk.guide.matching import MaterialCheck, Readiness
from kiosk.guide.receipt import step_mark
from kiosk.i18n import _
from kiosk.session import PrintState
from screens.base import KioskScreen
from screens.certificates import TappablePanel
from screens.chart_widgets import FlowChart
from screens.in_view import low_landscape
from screens.pinyin_keyboard import PinyinKeyboard, carried_over
from screens.printing import qr_image
from screens.theme import BADGE, BLUE, FONT_BOLD, TEXT_MUTED, Sizes
from screens.widgets import Badge, BigButton, KLabel, Panel, spacer

log = logging.getLogger(__name__)

KEY_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
HOT_WORDS = ("房产", "社保", "医保", "公积金", "结婚", "出生", "开办企业", "报建")
MAX_QUERY = 20

_STATE_BADGE = {
    MaterialState.COVERED: ("免证", BADGE["valid"]),
    MaterialState.PENDING: ("核验中", BADGE["checking"]),
    MaterialState.BRING: ("需携带", BADGE["unverified"]),
}


class GuideScreen(KioskScreen):
    built_short = False  # the layout the page was last built in (short: a low landscape window)
    step = "guide"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.query = ""
        self.matter_id: str | None = None
        self._session: str | None = None
        self._index: MatterIndex | None = None
        self._index_lock = threading.Lock()
        # kept across the page's rebuilds (one per search change), so that its mode (中/英/123) and
        # the pinyin being composed survive them; emptied with the search when the citizen leaves
        self._keyboard: PinyinKeyboard | None = None

    def after_start(self) -> None:
        # pypinyin's dictionaries take most of a second to load: build the index off the UI thread
        threading.Thread(target=self._warm_index, name="guide-index", daemon=True).start()

    def _warm_index(self) -> None:
        try:
            self._catalogue()
        except ContentError:
            pass  # shown on the page when it is opened
        except Exception:  # never let a warm-up kill anything; the page builds it again
            log.exception("guide index warm-up failed")

    # ------------------------------------------------------------------ state
    def extra_signature(self) -> object:
        p = self.ctx.controller.guide_printing
        return (self.query, self.matter_id, p.phase, p.message, p.attempts)

    def _follow_session(self) -> None:
        current = self.ctx.machine.session_id
        if self._session is not None and current != self._session:
            self.reset()  # the citizen's session ended: start afresh
        self._session = current

    def prepare(self) -> None:
        self._follow_session()
        super().prepare()

    def refresh(self, force: bool = False) -> None:
        self._follow_session()
        super().refresh(force)

    def _catalogue(self) -> Catalogue:
        catalogue = catalogue_for(self.ctx.controller)  # the applied bundle's, else the shipped file
        with self._index_lock:
            if self._index is None or self._index.catalogue is not catalogue:
                self._index = MatterIndex(catalogue)
        return catalogue

    def _changed(self) -> None:
        self.ctx.controller.keep_alive()
        self.refresh()

    def type_letter(self, letter: str) -> None:
        if len(self.query) < MAX_QUERY:
            self.query += letter.lower()
        self._changed()

    def backspace(self) -> None:
        self.query = self.query[:-1]
        self._changed()

    def set_query(self, text: str) -> None:
        self.query = text[:MAX_QUERY]
        self._changed()

    def _typed(self, text: str) -> None:
        """The pinyin keyboard changed the search text (a chosen word, a letter in 英 mode)."""
        self.set_query(text)

    def open_matter(self, matter_id: str | None) -> None:
        self.matter_id = matter_id
        c = self.ctx.controller
        if c.guide_printing.phase not in ("checking", "printing"):
            c.set_guide_print_state(PrintState())
        self._changed()

    # ------------------------------------------------------------------ pages
    def build(self) -> Widget:
        s = self.ctx.sizes
        page = self.page()
        try:
            catalogue = self._catalogue()
        except ContentError as exc:
            log.error("matter catalogue refused: %s", exc)
            page.add_widget(KLabel(_("办事指南"), size=s.title, bold=True, colour=BLUE))
            page.add_widget(KLabel(_("办事指南暂时无法显示，请到咨询台咨询。"), size=s.body))
            page.add_widget(spacer())
            return page
        matter = catalogue.get(self.matter_id) if self.matter_id else None
        if matter is None:
            self._build_list(page, catalogue, s)
        else:
            self._build_matter(page, catalogue, matter, s)
        return page

    def _identified(self) -> bool:
        d = self.ctx.machine.data
        return d is not None and d.holder is not None

    def _readiness(self, catalogue: Catalogue, matter: Matter) -> Readiness:
        return session_readiness(catalogue, matter, self.ctx.machine.data, self.ctx.today)

    def _short(self) -> bool:
        """A low landscape window (a 1280×800 screen: about 500 px under the header and over the
        footer) gets the short layout: the title in the list's column, so that the keyboard has the
        page's whole height, and the hot words scrolling with the results. Decided by the window,
        not the page's height, which is Kivy's default 100 px when a page is built before its
        screen is laid out (screens.in_view.low_landscape)."""
        self.built_short = low_landscape()
        return self.built_short

    def _build_list(self, page: BoxLayout, catalogue: Catalogue, s: Sizes) -> None:
        if self._short():
            self._build_short_list(page, catalogue, s)
            return
        page.add_widget(KLabel(_("办事指南 · 一件事一次办"), size=s.title, bold=True, colour=BLUE))
        identified = self._identified()
        if identified:
            page.add_widget(
                KLabel(
                    _("已识别您的身份：选择事项，查看哪些材料无需提交纸质件"),
                    size=s.body,
                    colour=BADGE["valid"],
                )
            )
        column: BoxLayout = page
        keypad_column: BoxLayout = page
        if self.landscape():  # the keypad goes to a second column so the results keep their height
            columns = BoxLayout(orientation="horizontal", spacing=dp(36))
            column = BoxLayout(orientation="vertical", spacing=dp(s.spacing))
            keypad_column = BoxLayout(orientation="vertical", size_hint_x=0.8)
            keypad_column.add_widget(Widget())
            columns.add_widget(column)
            columns.add_widget(keypad_column)
            page.add_widget(columns)
        column.add_widget(self._search_field(s, s.button_height * 0.8))
        column.add_widget(self._hot_words(s))
        assert self._index is not None
        results = self._index.search(self.query)
        listing = BoxLayout(orientation="vertical", spacing=dp(s.spacing * 0.5))
        if not results:
            listing.add_widget(KLabel(_("没有找到相关事项，请换个关键词，或到咨询台咨询。"), size=s.body))
        for m in results:
            listing.add_widget(self._matter_tile(catalogue, m, s, identified))
        column.add_widget(self.scroll(listing))
        keypad = self._keypad(s)
        keypad.fit_height(None)
        keypad_column.add_widget(keypad)

    def _search_field(self, s: Sizes, height: float) -> BoxLayout:
        search = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(height), spacing=dp(16))
        shown = self.query.upper() if self.query.isascii() else self.query
        field = Panel(padding=14, spacing=0)
        field.add_widget(
            KLabel(
                _("搜索：{q}").format(q=shown) if self.query else _("输入拼音，或点“英”输首字母"),
                size=s.body,
                colour="#1A1D21" if self.query else TEXT_MUTED,
            )
        )
        search.add_widget(field)
        return search

    def _build_short_list(self, page: BoxLayout, catalogue: Catalogue, s: Sizes) -> None:
        """The list on a low landscape screen: title, search field, then one scrolling list of the
        hot words and the results (with its cue) on the left; the keyboard on the right, its keys
        as low as the page's height needs (never below the tap target), its candidates as many as
        its width holds."""
        page.padding = (dp(48), dp(16))
        page.spacing = dp(s.spacing * 0.5)
        columns = BoxLayout(orientation="horizontal", spacing=dp(36))
        column = BoxLayout(orientation="vertical", spacing=dp(s.spacing * 0.5))
        column.add_widget(KLabel(_("办事指南 · 一件事一次办"), size=s.title * 0.75, bold=True, colour=BLUE))
        column.add_widget(self._search_field(s, max(64.0, s.button_height * 0.62)))
        content = BoxLayout(orientation="vertical", spacing=dp(s.spacing * 0.5))
        identified = self._identified()
        if identified:
            content.add_widget(
                KLabel(
                    _("已识别您的身份：选择事项，查看哪些材料无需提交纸质件"),
                    size=s.body,
                    colour=BADGE["valid"],
                )
            )
        hot = self._hot_words(replace(s, button=s.button * 0.8), fit=True)
        if not self.query:  # nothing searched yet: the hot words first; then the results first
            content.add_widget(hot)
        assert self._index is not None
        results = self._index.search(self.query)
        if not results:
            content.add_widget(KLabel(_("没有找到相关事项，请换个关键词，或到咨询台咨询。"), size=s.body))
        for m in results:
            content.add_widget(self._matter_tile(catalogue, m, s, identified))
        if self.query:
            content.add_widget(hot)
        column.add_widget(self.scroll(content))
        columns.add_widget(column)
        keypad_column = BoxLayout(orientation="vertical")
        keypad_column.add_widget(Widget())
        keypad = self._keypad(s)
        keypad_column.add_widget(keypad)
        # the row's height is the page's, whatever the keyboard's: fitted to it, not to itself
        columns.bind(height=lambda *_a: keypad.fit_height(columns.height))
        columns.add_widget(keypad_column)
        page.add_widget(columns)

    def _hot_words(self, s: Sizes, fit: bool = False) -> GridLayout:
        """The hot words, four a row; ``fit``: as many a row as their column's width holds, each on
        one line (开办企业 was drawn on two lines over the row below in a half-screen column)."""
        key_h = dp(s.button_height * 0.62)
        hot = GridLayout(cols=4, size_hint_y=None, spacing=dp(12), height=key_h * 2 + dp(12))
        for word in HOT_WORDS:
            hot.add_widget(
                BigButton(word, functools.partial(self.set_query, word), s, primary=False, height=key_h)
            )
        if fit:
            measure = CoreLabel(font_name=FONT_BOLD, font_size=dp(s.button))
            need = max(measure.get_extents(word)[0] for word in HOT_WORDS) + dp(24)

            def arrange(*_a: Any) -> None:
                if hot.width <= 1:
                    return
                cols = max(1, min(4, int((hot.width + dp(12)) // (need + dp(12)))))
                rows = math.ceil(len(HOT_WORDS) / cols)
                hot.cols, hot.height = cols, rows * key_h + (rows - 1) * dp(12)

            hot.bind(width=arrange)
        return hot

    def _matter_tile(self, catalogue: Catalogue, m: Matter, s: Sizes, identified: bool) -> Panel:
        tile = TappablePanel(functools.partial(self.open_matter, m.id), spacing=s.spacing * 0.25, padding=18)
        top = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=dp(12))
        name = KLabel(m.name, size=s.body * 1.05, bold=True)
        top.add_widget(name)
        if identified:
            n = len(self._readiness(catalogue, m).covered)
            if n:
                badge = Badge(_("可免交 {n} 项").format(n=n), BADGE["valid"], s.small)
                box = BoxLayout(size_hint_x=None, width=dp(s.small * 8))
                box.add_widget(badge)
                top.add_widget(box)
        name.bind(height=lambda *_a: setattr(top, "height", name.height))
        tile.add_widget(top)
        tile.add_widget(
            KLabel(f"{m.category} · {m.department} · {m.time_limit}", size=s.small, colour=TEXT_MUTED)
        )
        return tile

    def _keypad(self, s: Sizes) -> Widget:
        """The pinyin keyboard (screens/pinyin_keyboard.py): Chinese words by pinyin with
        candidates, or initials in 英 mode (BDC = 不动产登记); the same widget from one rebuild to
        the next (see __init__), rebuilt only when the mode's sizes change."""
        kb = carried_over(self._keyboard, s, self.query)  # a hot word or 清空: it follows the query
        if kb is None:
            kb = self._keyboard = PinyinKeyboard(self.query, self._typed, s, max_length=MAX_QUERY)
        return kb

    def _letters_keypad(self, s: Sizes) -> BoxLayout:
        key_h = dp(max(64.0, s.button_height * 0.62))
        pad = BoxLayout(orientation="vertical", size_hint_y=None, spacing=dp(8), height=key_h * 4 + dp(24))
        for letters in KEY_ROWS:
            row = BoxLayout(orientation="horizontal", spacing=dp(8), size_hint_y=None, height=key_h)
            indent = (10 - len(letters)) / 2
            if indent:
                row.add_widget(Widget(size_hint_x=indent))
            for ch in letters:
                row.add_widget(
                    BigButton(ch, functools.partial(self.type_letter, ch), s, primary=False, height=key_h)
                )
            if indent:
                row.add_widget(Widget(size_hint_x=indent))
            pad.add_widget(row)
        last = BoxLayout(orientation="horizontal", spacing=dp(8), size_hint_y=None, height=key_h)
        last.add_widget(BigButton(_("删除"), self.backspace, s, primary=False, height=key_h))
        last.add_widget(
            BigButton(_("清空"), functools.partial(self.set_query, ""), s, primary=False, height=key_h)
        )
        pad.add_widget(last)
        return pad

    def _build_matter(self, page: BoxLayout, catalogue: Catalogue, m: Matter, s: Sizes) -> None:
        c = self.ctx.controller
        top = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(s.button_height * 0.7))
        top.add_widget(
            BigButton(
                _("‹ 全部事项"),
                functools.partial(self.open_matter, None),
                s,
                primary=False,
                size_hint_x=None,
                width=dp(s.button * 7),
                height=dp(s.button_height * 0.7),
            )
        )
        top.add_widget(Widget())
        page.add_widget(top)
        body = BoxLayout(orientation="vertical", spacing=dp(s.spacing * 0.7))
        body.add_widget(KLabel(m.name, size=s.title * 0.9, bold=True, colour=BLUE))
        info = Panel(spacing=s.spacing * 0.3)
        rows = [
            (_("实施部门"), m.department),
            (_("办理窗口"), m.window),
            (_("办理时限"), m.time_limit),
            (_("收费标准"), m.fees),
        ]
        if m.online:
            rows.append((_("网上办理"), m.online))
        for label, value in rows:
            info.add_widget(KLabel(f"{label}：{value}", size=s.body, line_height=1.25))
        body.add_widget(info)
        ready = self._readiness(catalogue, m)
        body.add_widget(self._materials(ready, s))
        flow = Panel(spacing=s.spacing * 0.4)
        flow.add_widget(KLabel(_("办理流程"), size=s.title * 0.62, bold=True))
        flow.add_widget(FlowChart([(step_mark(i), st.title, st.detail) for i, st in enumerate(m.steps)], s))
        if self.landscape():  # the flowchart beside the details, each column scrolling on its own
            columns = BoxLayout(orientation="horizontal", spacing=dp(36))
            columns.add_widget(self.scroll(body))
            side = BoxLayout(orientation="vertical", spacing=dp(s.spacing * 0.7))
            side.add_widget(flow)
            side_view = self.scroll(side)
            side_view.size_hint_x = 0.75
            columns.add_widget(side_view)
            page.add_widget(columns)
        else:
            body.add_widget(flow)
            page.add_widget(self.scroll(body))
        page.add_widget(self._print_row(c, m, s))

    def _materials(self, ready: Readiness, s: Sizes) -> Panel:
        panel = Panel(spacing=s.spacing * 0.4)
        panel.add_widget(KLabel(_("申请材料"), size=s.title * 0.62, bold=True))
        if ready.identified:
            n = len(ready.covered)
            text = (
                _("您有 {n} 项材料已由电子证照核验，无需提交纸质材料").format(n=n)
                if n
                else _("本事项的材料暂不能由您的电子证照替代，请携带纸质材料")
            )
            panel.add_widget(KLabel(text, size=s.body, colour=BADGE["valid"] if n else TEXT_MUTED))
        else:
            panel.add_widget(
                KLabel(
                    _("标“可免证”的材料，持有效电子证照即可免交。刷身份证后可查看您本人的免证情况。"),
                    size=s.small,
                    colour=TEXT_MUTED,
                )
            )
        for check in ready.checks:
            panel.add_widget(self._material_row(check, ready.identified, s))
        return panel

    def _material_row(self, check: MaterialCheck, identified: bool, s: Sizes) -> BoxLayout:
        row = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=dp(14))
        if identified:
            label, colour = _STATE_BADGE[check.state]
        elif check.material.accepts:
            label, colour = _("可免证"), BLUE
        else:
            label, colour = _("需携带"), BADGE["unverified"]
        badge_box = BoxLayout(orientation="vertical", size_hint_x=None, width=dp(s.small * 5))
        badge = Badge(_(label), colour, s.small)
        # as wide as its badge ("Not needed" is wider than 可免证): it was drawn over the name beside it
        badge.bind(width=lambda *_a: setattr(badge_box, "width", max(dp(s.small * 5), badge.width)))
        badge_box.add_widget(badge)
        badge_box.add_widget(Widget())
        row.add_widget(badge_box)
        text = BoxLayout(orientation="vertical", size_hint_y=None)
        text.bind(minimum_height=text.setter("height"))
        optional = "" if check.material.required else _("（如适用）")
        text.add_widget(KLabel(f"{check.material.name}{optional}", size=s.body, bold=True))
        lines = [check.material.copies]
        if check.state is MaterialState.COVERED:
            lines.append(_("已核验电子{name}，无需提交纸质材料").format(name=check.certificate))
        elif check.state is MaterialState.PENDING:
            lines.append(_("正在核验电子{name}…").format(name=check.certificate))
        elif check.note:
            lines.append(check.note)
        if check.material.note:
            lines.append(check.material.note)
        text.add_widget(KLabel("；".join(lines), size=s.small, colour=TEXT_MUTED, line_height=1.2))
        row.add_widget(text)
        text.bind(height=lambda *_a: setattr(row, "height", text.height))
        return row

    def _print_row(self, c: Any, m: Matter, s: Sizes) -> BoxLayout:
        box = BoxLayout(orientation="vertical", size_hint_y=None, spacing=dp(8))
        state = c.guide_printing
        if state.phase != "idle":
            colour = BADGE["revoked"] if state.phase == "failed" else BLUE
            text = state.message
            if state.phase == "done":
                text = _("材料清单已打印，请取走凭条") + (f"（{state.message}）" if state.message else "")
            message = KLabel(text, size=s.body, colour=colour, halign="center")
            if state.phase == "failed" and state.fallback_qr:
                # the QR beside the message: the content stays readable above it, also in landscape
                side = 200 if self.landscape() else 280
                row = BoxLayout(
                    orientation="horizontal", size_hint_y=None, height=dp(side + 64), spacing=dp(24)
                )
                words = BoxLayout(orientation="vertical")
                words.add_widget(Widget())
                words.add_widget(message)
                words.add_widget(Widget())
                row.add_widget(words)
                code = BoxLayout(
                    orientation="vertical", size_hint_x=None, width=dp(side * 1.6), spacing=dp(6)
                )
                code.add_widget(
                    KLabel(_("您可以用手机扫描下方二维码保存凭条内容："), size=s.small, halign="center")
                )
                qr_row = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(side))
                qr_row.add_widget(Widget())
                qr_row.add_widget(qr_image(state.fallback_qr, side))
                qr_row.add_widget(Widget())
                code.add_widget(qr_row)
                row.add_widget(code)
                box.add_widget(row)
            else:
                box.add_widget(message)
        buttons = BoxLayout(
            orientation="horizontal", size_hint_y=None, height=dp(s.button_height), spacing=dp(24)
        )
        if not self._identified() and c.config.services.mianzheng:
            buttons.add_widget(BigButton(_("刷身份证查看免证材料"), c.start_session, s, primary=False))
        if c.config.services.print_receipt and c.printing_available():
            busy = state.phase in ("checking", "printing")
            label = _("重新打印") if state.phase == "failed" else _("打印材料清单")
            if not busy:
                buttons.add_widget(BigButton(label, functools.partial(c.print_guide_checklist, m.id), s))
        else:
            buttons.add_widget(KLabel(_("打印暂不可用"), size=s.body, colour=TEXT_MUTED, halign="center"))
        if buttons.children:
            box.add_widget(buttons)
        box.bind(minimum_height=box.setter("height"))
        return box

    def on_leave(self, *args: Any) -> None:
        self._signature = None
        m = self.ctx.machine
        if m.session_id is None:  # back to the home page with nobody's session: the next citizen
            self.reset()  # must not find this one's search and matter (nor their pinyin half typed)

    def reset(self) -> None:
        self.query, self.matter_id = "", None
        self._keyboard = None
