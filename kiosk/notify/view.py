"""What the citizen's screen says about their help call, by what the desk knows (no Kivy).

WHY here and not in the screen: the wording is the promise. 已通知工作人员 appears only for an
accepted call; while the desk tries the screen says so, and a call nobody took gives the configured
fallback (where to go instead) with the call number, so the citizen is never told what did not happen.
"""

from __future__ import annotations

from typing import Any

from kiosk.i18n import _
from kiosk.notify.desk import HelpCall


def help_message(call: HelpCall, config: Any) -> tuple[str, str]:
    """(title, body) of the help notice for ``call`` under ``config`` (KioskConfig)."""
    n = call.ticket
    if call.phase == "accepted":
        return _("呼叫工作人员"), _("已通知工作人员，请稍候（编号 {n}）").format(n=n)
    if call.phase == "calling":
        return _("正在呼叫工作人员…"), _("请稍候，正在通知工作人员。您的呼叫号：{n}").format(n=n)
    body = _(config.notify.fallback_text) + "\n" + _("您的呼叫号：{n}").format(n=n)
    return _("暂时未能通知到工作人员"), body
