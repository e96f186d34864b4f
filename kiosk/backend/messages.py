"""Plain-Chinese sentences for each backend failure, as the citizen reads them on the screen.

Every :class:`BackendErrorKind` has one; the wording says what happened and what to do next, never
a code. (An English mode translates these through the app's translation layer.)
"""

from __future__ import annotations

from kiosk.backend.errors import BackendErrorKind

MESSAGES: dict[BackendErrorKind, str] = {
    BackendErrorKind.UNAVAILABLE: "暂时无法连接电子证照系统，请稍后再试或到窗口办理。",
    BackendErrorKind.TIMEOUT: "电子证照系统响应超时，请稍后再试。",
    BackendErrorKind.CIRCUIT_OPEN: "电子证照系统暂时不可用，请稍后再试或到窗口办理。",
    BackendErrorKind.AUTH_FAILED: "本终端未能通过电子证照系统的身份认证，请联系工作人员。",
    BackendErrorKind.CLOCK_SKEW: "本终端时间不准确，暂时无法查询电子证照，请联系工作人员。",
    BackendErrorKind.REPLAY: "请求重复，已被电子证照系统拒绝，请重新操作。",
    BackendErrorKind.FORBIDDEN_TYPE: "本终端无权调用该类电子证照，请到窗口办理。",
    BackendErrorKind.NOT_FOUND: "未查询到相关电子证照信息。",
    BackendErrorKind.TOKEN_EXPIRED: "亮证码已过期，请在手机上刷新后重新出示。",
    BackendErrorKind.TOKEN_USED: "该亮证码已使用过，请在手机上刷新后重新出示。",
    BackendErrorKind.RATE_LIMITED: "当前办理人数较多，请稍候片刻再试。",
    BackendErrorKind.INVALID_REQUEST: "查询信息有误，请重新操作或联系工作人员。",
    BackendErrorKind.INTERNAL: "电子证照系统暂时出现故障，请稍后再试或到窗口办理。",
    BackendErrorKind.BAD_RESPONSE: "电子证照系统返回的数据异常，请稍后再试或到窗口办理。",
}


def message_for(kind: BackendErrorKind | str) -> str:
    """The sentence for ``kind`` (an enum member or its value); unknown kinds get a safe default."""
    try:
        return MESSAGES[BackendErrorKind(kind)]
    except ValueError:
        return "电子证照服务暂时不可用，请稍后再试或到窗口办理。"
