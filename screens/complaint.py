"""咨询 · 投诉 · 举报: a page over any step (the header's 咨询投诉 button); closing it returns the
citizen to where they were.

Pages: the kind (and 查询办理情况) → the matter concerned (the guide's catalogue, 中介, 其他) → the
text (pinyin keyboard and common phrases) → a phone number (digit pad, optional) → confirm (the
identity already read is attached only if the citizen ticks it; a report is anonymous unless they
untick it) → the ticket and query code, with 打印回执. The status pages take a ticket and code.

Everything typed lives in this screen until it is handed to ``controller.complaints`` (which seals
it at once) and is forgotten when the page is left. Labels never enable Kivy markup: what a citizen
types, "[b]" or "[color]" included, is shown literally.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial
from typing import Any

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.bundles.content import catalogue_for
from kiosk.complaints import INTERMEDIARY, OTHER_MATTER, Entry, Identity, InvalidEntry, Kind
from kiosk.complaints.model import clean_text
from kiosk.i18n import _
from kiosk.privacy import mask_name
from screens.base import KioskScreen
from screens.pinyin_keyboard import PinyinKeyboard, carried_over
from screens.theme import BADGE, BLUE, TEXT_MUTED
from screens.widgets import BigButton, KLabel, Panel, spacer

PHRASES = {
    Kind.CONSULT: ("请问需要带什么材料", "请问办理需要多久", "请问在哪个窗口办理", "请问可以网上办理吗"),
    Kind.COMPLAINT: ("排队时间太长", "工作人员态度不好", "多次跑腿仍未办成", "收费不合理"),
    Kind.REPORT: ("中介机构乱收费", "工作人员索要好处", "违规办理", "虚假承诺"),
}
KIND_BUTTONS = ((Kind.CONSULT, "我要咨询"), (Kind.COMPLAINT, "我要投诉"), (Kind.REPORT, "我要举报"))
PHONE_MAX = 20
DIGITS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "-", "0")


class ComplaintScreen(KioskScreen):
    step = "complaint"
    page_parts = ("_text_label", "_phone_label", "_ticket_label", "_code_label")

    def __init__(self, ctx: Any, **kw: Any) -> None:
        super().__init__(ctx, **kw)
        self._clear()

    def _clear(self) -> None:
        self._page = "menu"
        self._kind: Kind | None = None
        self._matter = ""
        self._text = ""
        self._phone = ""
        self._consent = False
        self._anonymous = True
        self._problem = ""
        self._ticket = ""
        self._code = ""
        # each page's keyboard, kept across that page's rebuilds (screens.pinyin_keyboard.carried_over)
        self._keyboards: dict[str, PinyinKeyboard] = {}

    @property
    def desk(self) -> Any:
        return self.ctx.controller.complaints

    def extra_signature(self) -> Hashable:
        d = self.desk
        typing = self._page in ("text", "phone", "status", "status_code")
        return (
            self._page,
            self._kind,
            self._matter,
            None if typing else (self._text, self._phone, self._ticket, self._code),
            self._consent,
            self._anonymous,
            self._problem,
            d.handed,
            d.submitting,
            d.error,
            d.printing,
            d.status,
        )

    def on_leave(self, *args: Any) -> None:
        self._clear()
        self.desk.reset()
        self.drop_page()

    # ------------------------------------------------------------------ actions
    def _go(self, page: str) -> None:
        if page == "status":
            self.desk.clear_status()  # a new query, typed or scanned
        self._page, self._problem = page, ""
        self.ctx.controller.keep_alive()
        self.refresh()

    def _choose_kind(self, kind: Kind) -> None:
        self._kind, self._anonymous, self._consent = kind, kind is Kind.REPORT, False
        self._keyboards.pop("text", None)  # its phrase keys are the kind's
        self._go("matter")

    def _choose_matter(self, matter: str) -> None:
        self._matter = matter
        self._go("text")

    def _typed(self, text: str) -> None:
        self._text = text
        self.ctx.controller.keep_alive()
        label = getattr(self, "_text_label", None)
        if label is not None:
            label.text = text or _("（请用下方键盘输入，或点常用语）")

    def _after_text(self) -> None:
        if len(self._text.strip()) < 2:
            self._problem = _("请写下您要反映的内容（至少两个字）")
            self.refresh()
            return
        self._go("phone")

    def _digit(self, field: str, ch: str) -> None:
        value = getattr(self, field)
        limit = PHONE_MAX if field == "_phone" else 4
        value = value[:-1] if ch == "⌫" else (value + ch if len(value) < limit else value)
        setattr(self, field, value)
        self.ctx.controller.keep_alive()
        label = getattr(self, field + "_label", None)
        if label is not None:
            label.text = value or _("（未填写）")

    def _typed_ticket(self, text: str) -> None:
        self._ticket = text
        self.ctx.controller.keep_alive()
        label = getattr(self, "_ticket_label", None)
        if label is not None:
            label.text = text or _("（请输入回执上的受理编号）")

    def _entry(self) -> Entry | None:
        assert self._kind is not None
        holder = self._holder()
        identity = Identity(holder.name, holder.id_number) if holder is not None else None
        try:
            return Entry.make(
                self._kind,
                self._matter,
                self._text,
                self._phone,
                identity=identity,
                consented=self._consent,
                anonymous=self._kind is Kind.REPORT and self._anonymous,
            )
        except InvalidEntry as exc:
            self._problem = _(exc.message)
            self.refresh()
            return None

    def _submit(self) -> None:
        entry = self._entry()
        if entry is not None:
            self.desk.submit(entry)
            self._go("done")

    def _holder(self) -> Any:
        data = self.ctx.machine.data
        return data.holder if data is not None and data.holder is not None else None

    def _toggle(self, name: str) -> None:
        setattr(self, name, not getattr(self, name))
        self.ctx.controller.keep_alive()
        self.refresh()

    def _ask(self) -> None:
        self.desk.ask_status(self._ticket, self._code)
        self._go("status_result")

    def _close(self) -> None:
        self.ctx.controller.close_view()

    # ------------------------------------------------------------------ pages
    def build(self) -> Widget:
        if self.desk.status.scanned and self._page in ("menu", "status", "status_code"):
            self._page = "status_result"  # the slip's QR was shown to the camera
        page = {
            "menu": self._menu,
            "matter": self._matters,
            "text": self._text_page,
            "phone": self._phone_page,
            "confirm": self._confirm,
            "done": self._done,
            "status": self._status_ticket,
            "status_code": self._status_code,
            "status_result": self._status_result,
        }.get(self._page, self._menu)
        return page()

    def _title(self, page: BoxLayout, text: str) -> None:
        s = self.ctx.sizes
        page.add_widget(KLabel(text, size=s.title, bold=True, colour=BLUE, halign="center"))

    def _row(self, *buttons: Widget) -> BoxLayout:
        s = self.ctx.sizes
        row = BoxLayout(
            orientation="horizontal", spacing=dp(24), size_hint_y=None, height=dp(s.button_height)
        )
        for b in buttons:
            row.add_widget(b)
        return row

    def _problem_label(self, page: BoxLayout) -> None:
        if self._problem:
            page.add_widget(KLabel(self._problem, size=self.ctx.sizes.body, colour=BADGE["revoked"]))

    def _other_ways(self) -> Panel:
        s = self.ctx.sizes
        c = self.ctx.controller.config.complaints
        box = Panel(spacing=s.spacing * 0.3)
        box.add_widget(KLabel(_("其他方式"), size=s.body, bold=True))
        box.add_widget(
            KLabel(
                _("拨打政务服务便民热线 {hotline}").format(hotline=c.hotline),
                size=s.body,
                line_height=s.line_height,
            )
        )
        box.add_widget(
            KLabel(_("到{desk}当面反映").format(desk=_(c.desk)), size=s.body, line_height=s.line_height)
        )
        return box

    def _menu(self) -> Widget:
        s = self.ctx.sizes
        page = self.page()
        self._title(page, _("咨询投诉"))
        page.add_widget(
            KLabel(
                _("政务服务咨询、投诉、举报，我们会尽快答复"),
                size=s.body,
                colour=TEXT_MUTED,
                halign="center",
            )
        )
        if self.desk.available:
            for kind, label in KIND_BUTTONS:
                page.add_widget(BigButton(_(label), partial(self._choose_kind, kind), s))
            page.add_widget(BigButton(_("查询办理情况"), partial(self._go, "status"), s, primary=False))
        else:
            page.add_widget(KLabel(_("本机暂不受理，请通过以下方式反映"), size=s.body, halign="center"))
        page.add_widget(self._other_ways())
        page.add_widget(spacer())
        page.add_widget(BigButton(_("关闭"), self._close, s, primary=False))
        return page

    def _matters(self) -> Widget:
        s = self.ctx.sizes
        page = self.page()
        assert self._kind is not None
        self._title(page, _("{kind}涉及哪个事项？").format(kind=_(self._kind.label)))
        names = [m.name for m in catalogue_for(self.ctx.controller).matters]
        grid = GridLayout(cols=1, spacing=dp(s.spacing * 0.5))
        for name in (*names, INTERMEDIARY, OTHER_MATTER):
            grid.add_widget(BigButton(_(name), partial(self._choose_matter, name), s, primary=False))
        page.add_widget(self.scroll(grid))
        page.add_widget(self._row(BigButton(_("上一步"), partial(self._go, "menu"), s, primary=False)))
        return page

    def _text_page(self) -> Widget:
        s = self.ctx.sizes
        page = self.page()
        assert self._kind is not None
        self._title(page, _("请写下您要{kind}的内容").format(kind=_(self._kind.label)))
        box = Panel(spacing=s.spacing * 0.3)
        box.add_widget(
            KLabel(_("事项：{matter}").format(matter=_(self._matter)), size=s.small, colour=TEXT_MUTED)
        )
        self._text_label = KLabel("", size=s.body, line_height=s.line_height)
        box.add_widget(self._text_label)
        page.add_widget(box)
        self._typed(self._text)
        self._problem_label(page)
        page.add_widget(spacer())
        keyboard = carried_over(self._keyboards.get("text"), s, self._text)
        if keyboard is None:
            keyboard = PinyinKeyboard(self._text, self._typed, s, phrases=PHRASES[self._kind], max_length=500)
            self._keyboards["text"] = keyboard
        page.add_widget(keyboard)
        page.add_widget(
            self._row(
                BigButton(_("上一步"), partial(self._go, "matter"), s, primary=False),
                BigButton(_("下一步"), self._after_text, s),
            )
        )
        return page

    def _pad(self, field: str) -> GridLayout:
        s = self.ctx.sizes
        grid = GridLayout(cols=3, spacing=dp(12), size_hint_y=None)
        key_height = max(64.0, s.button_height * 0.7)
        for ch in (*DIGITS, "⌫"):
            label = _("删除") if ch == "⌫" else ch
            grid.add_widget(
                BigButton(label, partial(self._digit, field, ch), s, primary=False, height=dp(key_height))
            )
        grid.height = 4 * dp(key_height) + 3 * dp(12)
        return grid

    def _phone_page(self) -> Widget:
        s = self.ctx.sizes
        page = self.page()
        self._title(page, _("留下电话，方便答复您（可不填）"))
        page.add_widget(
            KLabel(
                _("手机号或带区号的固定电话，仅用于答复"), size=s.small, colour=TEXT_MUTED, halign="center"
            )
        )
        box = Panel()
        self._phone_label = KLabel("", size=s.title, halign="center")
        box.add_widget(self._phone_label)
        page.add_widget(box)
        self._digit("_phone", "")
        self._problem_label(page)
        page.add_widget(spacer())
        page.add_widget(self._pad("_phone"))
        page.add_widget(
            self._row(
                BigButton(_("上一步"), partial(self._go, "text"), s, primary=False),
                BigButton(_("下一步"), self._to_confirm, s),
            )
        )
        return page

    def _to_confirm(self) -> None:
        entry = self._entry()
        if entry is not None:
            self._text = entry.text  # the confirm page shows what will be sent (cleaned, cut)
            self._go("confirm")

    def _confirm(self) -> Widget:
        s = self.ctx.sizes
        page = self.page()
        assert self._kind is not None
        self._title(page, _("请确认您的{kind}").format(kind=_(self._kind.label)))
        box = Panel(spacing=s.spacing * 0.3)
        box.add_widget(KLabel(_("事项：{matter}").format(matter=_(self._matter)), size=s.body))
        # exactly what will be sent (cleaned, cut to its limit), whatever the text field held
        box.add_widget(KLabel(clean_text(self._text), size=s.body, line_height=s.line_height))
        anonymous = self._kind is Kind.REPORT and self._anonymous
        phone = _("（匿名举报不保留电话）") if anonymous and self._phone else (self._phone or _("未填写"))
        box.add_widget(KLabel(_("电话：{phone}").format(phone=phone), size=s.body))
        page.add_widget(box)
        if self._kind is Kind.REPORT:
            mark = "✓ " if self._anonymous else ""
            page.add_widget(
                BigButton(
                    mark + _("匿名举报"), partial(self._toggle, "_anonymous"), s, primary=self._anonymous
                )
            )
        holder = self._holder()
        if holder is not None and not anonymous:
            mark = "✓ " if self._consent else ""
            label = _("同意附上我的身份信息（{name}）").format(name=mask_name(holder.name))
            page.add_widget(
                BigButton(mark + label, partial(self._toggle, "_consent"), s, primary=self._consent)
            )
            page.add_widget(
                KLabel(_("不勾选则不提交身份信息"), size=s.small, colour=TEXT_MUTED, halign="center")
            )
        self._problem_label(page)
        page.add_widget(spacer())
        page.add_widget(
            self._row(
                BigButton(_("上一步"), partial(self._go, "phone"), s, primary=False),
                BigButton(_("提交"), self._submit, s),
            )
        )
        return page

    def _done(self) -> Widget:
        s = self.ctx.sizes
        d = self.desk
        c = self.ctx.controller.config.complaints
        page = self.page()
        if d.submitting:
            self._title(page, _("正在提交…"))
            return page
        if d.handed is None:
            self._title(page, _("未能提交"))
            message = _(d.error or "暂时无法提交，请稍后再试，或拨打{hotline}、到{desk}反映")
            page.add_widget(KLabel(message.format(hotline=c.hotline, desk=_(c.desk)), size=s.body))
            page.add_widget(spacer())
            page.add_widget(BigButton(_("关闭"), self._close, s, primary=False))
            return page
        h = d.handed
        self._title(page, _("已提交，请记下受理编号和查询码"))
        box = Panel(spacing=s.spacing * 0.4)
        box.add_widget(KLabel(_("受理编号"), size=s.body, colour=TEXT_MUTED, halign="center"))
        box.add_widget(KLabel(h.ticket, size=s.huge * 0.7, bold=True, colour=BLUE, halign="center"))
        box.add_widget(KLabel(_("查询码"), size=s.body, colour=TEXT_MUTED, halign="center"))
        box.add_widget(KLabel(h.code, size=s.huge * 0.7, bold=True, colour=BLUE, halign="center"))
        box.add_widget(
            KLabel(
                _("凭受理编号和查询码，可在本机“咨询投诉”查询办理情况和答复"),
                size=s.small,
                colour=TEXT_MUTED,
                halign="center",
            )
        )
        page.add_widget(box)
        p = d.printing
        if p.phase != "idle":
            colour = BADGE["revoked"] if p.phase == "failed" else TEXT_MUTED
            page.add_widget(KLabel(_(p.message), size=s.body, colour=colour, halign="center"))
        page.add_widget(self._other_ways())
        page.add_widget(spacer())
        print_label = _("重新打印回执") if p.phase in ("done", "failed") else _("打印回执")
        page.add_widget(
            self._row(
                BigButton(print_label, d.print_slip, s, primary=False),
                BigButton(_("完成"), self._close, s),
            )
        )
        return page

    def _status_ticket(self) -> Widget:
        s = self.ctx.sizes
        page = self.page()
        self._title(page, _("查询办理情况"))
        page.add_widget(
            KLabel(_("或将回执上的二维码对准摄像头"), size=s.body, colour=TEXT_MUTED, halign="center")
        )
        box = Panel(spacing=s.spacing * 0.3)
        box.add_widget(
            KLabel(_("受理编号（如 TS-7K4M-9QX2，短横线可不输）"), size=s.small, colour=TEXT_MUTED)
        )
        self._ticket_label = KLabel("", size=s.title, halign="center")
        box.add_widget(self._ticket_label)
        page.add_widget(box)
        self._typed_ticket(self._ticket)
        page.add_widget(spacer())
        keyboard = carried_over(self._keyboards.get("ticket"), s, self._ticket)
        if keyboard is None:
            keyboard = PinyinKeyboard(self._ticket, self._typed_ticket, s, max_length=14)
            keyboard.press_mode("english")
            self._keyboards["ticket"] = keyboard
        page.add_widget(keyboard)
        page.add_widget(
            self._row(
                BigButton(_("上一步"), partial(self._go, "menu"), s, primary=False),
                BigButton(_("下一步"), partial(self._go, "status_code"), s),
            )
        )
        return page

    def _status_code(self) -> Widget:
        s = self.ctx.sizes
        page = self.page()
        self._title(page, _("请输入4位查询码"))
        box = Panel()
        self._code_label = KLabel("", size=s.title, halign="center")
        box.add_widget(self._code_label)
        page.add_widget(box)
        self._digit("_code", "")
        page.add_widget(spacer())
        page.add_widget(self._pad("_code"))
        page.add_widget(
            self._row(
                BigButton(_("上一步"), partial(self._go, "status"), s, primary=False),
                BigButton(_("查询"), self._ask, s),
            )
        )
        return page

    def _status_result(self) -> Widget:
        s = self.ctx.sizes
        st = self.desk.status
        c = self.ctx.controller.config.complaints
        page = self.page()
        self._title(page, _("办理情况"))
        box = Panel(spacing=s.spacing * 0.4)
        if st.ticket:
            box.add_widget(KLabel(_("受理编号：{ticket}").format(ticket=st.ticket), size=s.body))
        if st.phase == "shown" and st.state_text:
            box.add_widget(KLabel(_(st.state_text), size=s.title, bold=True, colour=BADGE["valid"]))
            if st.answer:
                box.add_widget(KLabel(_("答复："), size=s.body, bold=True))
                box.add_widget(KLabel(st.answer, size=s.body, line_height=s.line_height))
            elif st.state != "answered":
                box.add_widget(KLabel(_("尚未答复，请耐心等待"), size=s.body, colour=TEXT_MUTED))
        else:
            colour = BADGE["revoked"] if st.phase == "failed" else TEXT_MUTED
            message = _(st.message).format(hotline=c.hotline, desk=_(c.desk))
            box.add_widget(KLabel(message, size=s.body, colour=colour, line_height=s.line_height))
        page.add_widget(box)
        page.add_widget(spacer())
        page.add_widget(
            self._row(
                BigButton(_("重新查询"), partial(self._go, "status"), s, primary=False),
                BigButton(_("完成"), self._close, s),
            )
        )
        return page
