"""The slip a citizen takes home: ticket, query code, how to ask for the answer, and a QR to a phone.

Nothing of what they wrote, nor their phone number or name, is printed: a slip can be left behind in
the hall. The ticket and code are enough to read the answer, at the terminal or on a phone.

It is printed in the citizen's language (kiosk.i18n: the session's, when the slip is made): a
foreign citizen who used the desk in English must be able to read how to get their answer. The
ticket, the code and the QR are the same in either language; in English the centre's Chinese name
stays beside its English one (what the hall's signs and the staff use).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from kiosk.complaints.model import Kind
from kiosk.i18n import _
from kiosk.receipt.contents import DEFAULT_CENTRE, cn_datetime
from kiosk.receipt.layout import Field, Qr, Receipt, Separator, Space, Text
from kiosk.terms import term

QR_PREFIX = "ZWTS:"  # the terminal's own form when no status page is configured: ZWTS:<ticket>:<code>


def status_link(status_url: str, ticket: str, code: str) -> str:
    """What the slip's QR holds: the phone page, or (no page configured) the terminal's own form."""
    if status_url:
        return f"{status_url}?{urlencode({'t': ticket, 'c': code})}"
    return f"{QR_PREFIX}{ticket}:{code}"


def slip_receipt(
    kind: Kind,
    ticket: str,
    code: str,
    at: datetime,
    *,
    terminal_name: str,
    status_url: str,
    hotline: str,
    desk: str,
    centre_name: str = DEFAULT_CENTRE,
    test_data: bool = False,
) -> Receipt:
    scan = _("② 用手机扫描下方二维码") if status_url else _("② 在自助终端扫描下方二维码")
    blocks = (
        Text(_("{kind}受理回执").format(kind=_(kind.label)), size="large", bold=True, align="center"),
        Space(8),
        Field(_("受理编号"), ticket),
        Field(_("查询码"), code),
        Field(_("提交时间"), cn_datetime(at)),
        Field(_("提交终端"), term(terminal_name)),
        Separator("solid"),
        Text(_("凭受理编号和查询码查询办理情况和答复："), bold=True),
        Text(_("① 在本中心自助终端点“咨询投诉”→“查询办理情况”")),
        Text(scan),
        Text(_("③ 拨打政务服务便民热线 {hotline}").format(hotline=hotline)),
        Text(_("④ 到{desk}").format(desk=_(desk))),
        Qr(status_link(status_url, ticket, code), caption=_("扫码查询办理情况"), share=0.5),
        Separator("dashed"),
        Text(_("请妥善保管本回执，查询码请勿告诉他人。"), size="small"),
    )
    centre = _(centre_name)
    subtitle = _("政务服务咨询投诉举报")
    if centre != centre_name:  # English: the Chinese name beside it, as the hall's signs say it
        subtitle = f"{centre_name} · {subtitle}"
    return Receipt(
        title=centre,
        subtitle=subtitle,
        blocks=blocks,
        test_data=test_data,
        kind="complaint_slip",
        meta={"ticket": ticket},
    )


def parse_slip_qr(text: str, status_url: str = "") -> tuple[str, str] | None:
    """(ticket, code) from a slip's QR text, in either form; None for anything else."""
    from urllib.parse import parse_qs, urlsplit

    from kiosk.complaints.model import CODE, TICKET

    text = text.strip()
    if text.startswith(QR_PREFIX):
        parts = text[len(QR_PREFIX) :].split(":")
        if len(parts) == 2 and TICKET.match(parts[0]) and CODE.match(parts[1]):
            return parts[0], parts[1]
        return None
    if status_url and text.startswith(status_url + "?"):
        query = parse_qs(urlsplit(text).query)
        ticket, code = query.get("t", [""])[0], query.get("c", [""])[0]
        if TICKET.match(ticket) and CODE.match(code):
            return ticket, code
    return None
