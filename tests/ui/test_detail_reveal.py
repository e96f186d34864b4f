"""显示完整信息 on the real app (issue 19 item 4): the detail page masks what the list masks, asks
first with an onlooker warning (确定 / 取消), and masks again by itself after the configured time
and when the citizen leaves the page. Screenshots: artifacts/ui/reveal-*.png."""

from __future__ import annotations

from tests.support.ui import UiDriver, UiHarness

ELDER_ID = "450206195803120088"
ELDER_NAME = "韦桂兰"
CARD_NO = "A00450881"  # the elder's 社会保障卡 number in the demo data
WARNING = "请注意遮挡，防止他人看到您的个人信息"


def full_data_shown(d: UiDriver) -> bool:
    shown = " ".join(d.texts())
    return any(secret in shown for secret in (ELDER_ID, ELDER_NAME, CARD_NO))


def test_reveal_asks_first_and_masks_again_by_itself_and_on_leaving(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait_records()
        await d.tap_text("社会保障卡")
        await d.wait_step("detail")
        assert d.has_text("A004*0881") and not full_data_shown(d)  # the card number masked, as in the list
        await d.shot("reveal-01-masked")

        await d.tap_text("显示完整信息")
        assert d.has_text(WARNING) and d.find_text("确定") and d.find_text("取消")
        assert not full_data_shown(d)  # nothing revealed before the citizen confirms
        await d.shot("reveal-02-warning")
        await d.tap_text("取消")
        assert not d.has_text(WARNING) and not full_data_shown(d)

        await d.tap_text("显示完整信息")
        await d.tap_text("确定")
        await d.wait(lambda: full_data_shown(d), "full details")
        assert d.has_text(CARD_NO) and d.has_text(ELDER_ID) and d.has_text("个人信息将在 30 秒后自动隐藏")
        await d.shot("reveal-03-shown")

        d.clock.advance(31)  # the configured reveal_seconds (30) pass; the ticker masks again
        await d.wait(lambda: not full_data_shown(d), "masked again by itself")
        assert d.machine.step.value == "detail" and d.find_text("显示完整信息")
        await d.shot("reveal-04-masked-again")

        await d.tap_text("显示完整信息")
        await d.tap_text("确定")
        await d.wait(lambda: full_data_shown(d), "full details again")
        await d.tap_text("返回列表")
        await d.wait_step("certificates")
        await d.tap_text("社会保障卡")
        await d.wait_step("detail")
        assert not full_data_shown(d) and not d.has_text(WARNING)  # leaving masked it

    ui.run(script, name="reveal")


def test_a_certificate_that_failed_verification_shows_no_official_sentence(ui: UiHarness) -> None:
    from tests.support.refserver import RefServer

    server = RefServer(ui.server)

    async def script(d: UiDriver) -> None:
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        server.set_fault("bad_signature", count=100)
        try:
            await d.tap_text("同意并查询")
            await d.wait(
                lambda: (
                    bool(d.machine.data.certificates)
                    and len(d.machine.data.records) == len(d.machine.data.certificates)
                ),
                "every record checked",
            )
        finally:
            server.clear_faults()
        await d.tap_text("社会保障卡")
        await d.wait_step("detail")
        assert d.has_text("无法核验") and d.has_text("未能核验，不能作为办事凭证")
        assert not d.has_text("仅供办理政务服务事项时使用") and not d.find_text("打印凭条")
        await d.shot("reveal-05-unverified-detail")

    ui.run(script, name="unverified-detail")


def test_a_licence_of_the_represented_company_says_whose_it_is(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        d.controls.insert_card("business")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait_records()
        await d.frames(0.5)
        lines = [t for t in d.texts() if t.startswith("代办：")]
        assert len(lines) >= 1 and all("关系：法定代表人" in t for t in lines), d.texts()
        await d.shot("reveal-06-acting-for-list")
        licence = next(c for c in d.machine.data.certificates if c.name == "营业执照")
        d.controller.select(licence.identifier)
        await d.wait_step("detail")
        assert any(t.startswith("代办：") and "关系：法定代表人" in t for t in d.texts())
        await d.shot("reveal-07-acting-for-detail")

    ui.run(script, name="acting-for")
