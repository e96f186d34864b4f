"""咨询·投诉·举报 on the real screen: from the home page and from a session step (and back there),
the pinyin keyboard and phrases, the phone pad, consent for the identity read, the ticket and code,
the printed slip, a status answer, and hostile text shown literally."""

from __future__ import annotations

import pytest

from kiosk.complaints.slip import status_link
from refserver.complaints import ComplaintBook
from refserver.store import Store
from tests.support.ui import UiDriver, UiHarness

pytestmark = pytest.mark.ui


def staff_entries(server: object) -> list[dict[str, object]]:
    store = Store(server.db_path)  # type: ignore[attr-defined]
    try:
        return ComplaintBook(store).entries()
    finally:
        store.close()


def staff_answer(server: object, ticket: str, text: str) -> None:
    store = Store(server.db_path)  # type: ignore[attr-defined]
    try:
        assert ComplaintBook(store).answer(ticket, "answered", text)
    finally:
        store.close()


async def wait_delivered(d: UiDriver) -> None:
    await d.wait(lambda: not d.controller.complaints.outbox.pending(), "the outbox emptied")


def test_complaint_from_home_then_its_status(ui: UiHarness) -> None:
    handed: list[tuple[str, str]] = []

    async def script(d: UiDriver) -> None:
        await d.tap_text("咨询投诉")
        await d.wait(lambda: d.machine.view == "complaint", "the complaint page")
        assert d.has_text("拨打政务服务便民热线 12345")
        await d.shot("complaint-01-menu")
        await d.tap_text("我要投诉")
        await d.shot("complaint-02-matter")
        await d.tap_text("其他")
        for ch in "tousu":
            await d.tap_text(ch)
        await d.tap_text("投诉")
        await d.tap_text("排队时间太长")
        screen = d.app.screens["complaint"]
        assert screen._text == "投诉排队时间太长" and screen._text_label.text == "投诉排队时间太长"
        await d.shot("complaint-03-text")
        await d.tap_text("下一步")
        for ch in "0772":
            await d.tap_text(ch)
        await d.tap_text("下一步")  # not a number yet: told so, stays
        assert d.has_text("电话号码格式不正确：请输入11位手机号或带区号的固定电话")
        for ch in "7212345":
            await d.tap_text(ch)
        await d.shot("complaint-04-phone")
        await d.tap_text("下一步")
        assert not d.has_text("同意附上我的身份信息")  # nobody identified: nothing to consent to
        await d.shot("complaint-05-confirm")
        await d.tap_text("提交")
        desk = d.controller.complaints
        await d.wait(lambda: desk.handed is not None, "the ticket")
        h = desk.handed
        assert d.has_text(h.ticket) and d.has_text(h.code)
        await d.tap_text("打印回执")
        await d.wait(lambda: desk.printing.phase == "done", "the slip printed")
        assert d.has_text("回执已打印，请取走")
        await d.shot("complaint-06-ticket")
        handed.append((h.ticket, h.code))
        await wait_delivered(d)
        await d.tap_text("完成")
        await d.wait(lambda: d.machine.view is None, "the page closed")
        assert d.machine.step.value == "attract"
        # staff answer; the citizen asks at the terminal
        staff_answer(ui.server, h.ticket, "已协调增加窗口，感谢您的反映。")
        await d.tap_text("咨询投诉")
        await d.tap_text("查询办理情况")
        screen._typed_ticket(h.ticket.replace("-", "").lower())  # as typed on the keyboard
        await d.tap_text("下一步")
        for ch in h.code:
            await d.tap_text(ch)
        assert screen._code == h.code  # every key taken (the pad's key, not the typed value above it)
        await d.tap_text("查询")
        await d.wait(lambda: desk.status.phase == "shown", "the status")
        assert d.has_text("已答复") and d.has_text("已协调增加窗口，感谢您的反映。")
        await d.shot("complaint-07-status")
        # or the slip's QR shown to the camera
        await d.tap_text("完成")
        await d.tap_text("咨询投诉")
        await d.tap_text("查询办理情况")
        assert d.has_text("或将回执上的二维码对准摄像头") and desk.status.phase == "idle"
        d.controls.devices.scanner.show("LZ:not-a-slip")
        await d.wait(lambda: desk.status.phase == "failed", "a QR that is no slip")
        assert d.has_text("这不是咨询投诉回执上的二维码")
        await d.tap_text("重新查询")
        slip_qr = status_link(d.controller.config.complaints.status_url, h.ticket, h.code)
        d.controls.devices.scanner.show(slip_qr)
        await d.wait(lambda: desk.status.phase == "shown" and desk.status.scanned, "the scanned status")
        assert d.has_text("已协调增加窗口，感谢您的反映。")
        d.controls.clear_qr()

    ui.run(script, name="complaint-home")
    ticket, _ = handed[0]
    stored = [e for e in staff_entries(ui.server) if e["ticket"] == ticket]
    assert len(stored) == 1
    assert stored[0]["text"] == "投诉排队时间太长" and stored[0]["phone"] == "07727212345"
    assert stored[0]["kind"] == "complaint" and stored[0]["identity"] is None


def test_consult_during_a_session_with_consent_returns_to_the_step(ui: UiHarness) -> None:
    tickets: list[str] = []

    async def script(d: UiDriver) -> None:
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("咨询投诉")
        await d.tap_text("我要咨询")
        await d.tap_text("其他")
        await d.tap_text("请问需要带什么材料")
        await d.tap_text("下一步")
        await d.tap_text("下一步")  # no phone
        assert d.has_text("同意附上我的身份信息（韦**）")
        assert not d.has_text("韦桂兰")
        await d.tap_text("同意附上我的身份信息（韦**）")
        await d.shot("complaint-08-consent")
        await d.tap_text("提交")
        desk = d.controller.complaints
        await d.wait(lambda: desk.handed is not None, "the ticket")
        tickets.append(desk.handed.ticket)
        await wait_delivered(d)
        await d.tap_text("完成")
        await d.wait(lambda: d.machine.view is None, "the page closed")
        assert d.machine.step.value == "consent"  # where the citizen was
        assert desk.handed is None  # forgotten when the page was left
        # a report from the same session stays anonymous unless they untick it
        await d.tap_text("咨询投诉")
        await d.tap_text("我要举报")
        await d.tap_text("中介机构或中介服务")
        await d.tap_text("中介机构乱收费")
        await d.tap_text("下一步")
        await d.tap_text("下一步")
        assert d.has_text("✓ 匿名举报") and not d.has_text("同意附上我的身份信息（韦**）")
        await d.tap_text("提交")
        await d.wait(lambda: desk.handed is not None, "the ticket")
        tickets.append(d.controller.complaints.handed.ticket)
        await wait_delivered(d)
        await d.tap_text("完成")
        assert d.machine.step.value == "consent"

    ui.run(script, name="complaint-session")
    stored = {e["ticket"]: e for e in staff_entries(ui.server)}
    consult, report = stored[tickets[0]], stored[tickets[1]]
    assert consult["identity"] == {"name": "韦桂兰", "id_number": "450206195803120088"}
    assert report["identity"] is None and report["kind"] == "report"


def test_hostile_text_is_shown_literally(ui: UiHarness) -> None:
    hostile = "[b]加粗[/b][color=ff0000]红[/color][size=200]大[/size]&bl;" + "长" * 600

    async def script(d: UiDriver) -> None:
        await d.tap_text("咨询投诉")
        await d.tap_text("我要举报")
        await d.tap_text("其他")
        screen = d.app.screens["complaint"]
        screen._typed(hostile)
        await d.frames()
        assert screen._text_label.text == hostile and screen._text_label.markup is False
        # on to the confirm page: with 654 characters the text page scrolls and its 下一步 lies
        # below the fold, so the steps are taken as its buttons take them
        screen._after_text()
        await d.frames()
        await d.tap_text("下一步")
        shown = [w for w in d.widgets() if getattr(w, "text", "").startswith("[b]加粗[/b]")]
        assert shown and all(w.markup is False for w in shown)
        # cut to what will be sent (the label's line breaks are the Chinese line-breaking rule's)
        assert shown[0].text.replace("\n", "") == hostile[:500]
        await d.shot("complaint-09-hostile")

    ui.run(script, name="complaint-hostile")
