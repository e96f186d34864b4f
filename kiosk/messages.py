"""Plain-Chinese messages for what can go wrong at the terminal (translated by kiosk.i18n).

Each says what happened, that nothing was lost, and what to do next (ux.md, "Errors").
"""

from __future__ import annotations

from kiosk.i18n import _

CARD_ERRORS = {
    "removed_mid_read": "身份证读取中被移开，请将身份证重新放在读卡区，直到提示读取成功。",
    "unreadable": "无法读取这张卡，请确认放置的是本人身份证，或改用手机亮证码。",
    "checksum": "读卡数据校验失败，请将身份证重新放置一次。",
    "malformed": "读卡数据不完整，请将身份证重新放置一次。",
    "no_identity_support": "本机读卡器暂不能读取身份信息，请改用手机亮证码，或到窗口办理。",
    "reader_failure": "读卡器暂时无法使用，请改用手机亮证码，或联系工作人员。",
    "not_genuine": "这张卡未通过真伪验证，不能用于办理。请改用本人身份证或手机亮证码，或到窗口咨询。",
}


def card_error(code: str) -> str:
    return _(CARD_ERRORS.get(code, "读卡失败，请重新放置身份证，或改用手机亮证码。"))


def card_expired() -> str:
    return _("您的证件已超过有效期，无法用于办理。请使用有效证件，或改用手机亮证码。")


def qr_not_supported() -> str:
    return _("无法识别该二维码，请出示“亮证码”。")


def unexpected() -> str:
    return _("系统出现异常，您的信息没有丢失也没有被保存。请重新开始，或联系工作人员。")


def service_disabled() -> str:
    return _("该服务暂未开放，请到窗口办理。")


def certificate_not_yours() -> str:
    return _("该证照的持证人与您的身份信息不一致，已停止显示。如有疑问，请到窗口咨询。")
