"""What goes on each kind of receipt: 免证办 certificate list, 好差评 thanks, diagnostics test page.

Only masked personal data reaches a receipt (it may be left behind at the terminal). The watermark
sentence follows 国办函〔2016〕108号 (domain.md §2.1).

Nothing unverified looks official: the official marks (the watermark sentence, 有效（已验证）, the
receipt's check QR and its validity) are printed only over certificates whose full record verified
VALID. A list receipt leaves the others out and says how many; a receipt with none verified is a
plain 查询结果 that says in words that it cannot serve as proof, with none of the marks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from kiosk.domain.certificate import CertificateSummary, CertStatus, VerifiedCertificate
from kiosk.domain.holder_binding import represented_name
from kiosk.i18n import _
from kiosk.privacy import mask_id, mask_name
from kiosk.receipt.layout import Block, Field, Qr, Receipt, Separator, Space, Text
from kiosk.terms import term, written_date

DEFAULT_CENTRE = "柳江区政务服务中心"
RARE_SAMPLE = "䶮 𠮷 喆 堃 镕 赟 昇 珺 淼 犇"

_STATUS_TEXT = {
    CertStatus.VALID: "有效（已验证）",
    CertStatus.EXPIRED: "已过期",
    CertStatus.REVOKED: "已注销",
    CertStatus.RESTRICTED: "限制使用",
    CertStatus.UNVERIFIED: "未通过验证",
}
# what a certificate that is not verified valid says on paper, in words
_NOT_PROOF_TEXT = {
    CertStatus.EXPIRED: "已过期，不能作为办事凭证",
    CertStatus.REVOKED: "已注销，不能作为办事凭证",
    CertStatus.RESTRICTED: "限制使用，不能作为办事凭证",
    CertStatus.UNVERIFIED: "未能核验，不能作为办事凭证",
}
NOT_PROOF = "未能核验，不能作为办事凭证"


def cn_date(d: date) -> str:
    """2026年11月29日 (no zero padding, as written on official papers); in English 29 Nov 2026, as
    the screen writes it (kiosk.views.format_date), not 2026-11-29 beside the screen's 29 Nov 2026."""
    return written_date(d)


def cn_datetime(t: datetime) -> str:
    return f"{cn_date(t.date())} {t:%H:%M}"


def watermark_sentence(valid_until: date, centre_name: str = DEFAULT_CENTRE) -> str:
    return _("此件由{centre}自助终端提供，仅供办理政务服务事项时使用，有效期至{date}").format(
        centre=_(centre_name), date=cn_date(valid_until)
    )


def _validity(summary: CertificateSummary) -> str:
    end = cn_date(summary.valid_to) if summary.valid_to else _("长期")
    return _("{start} 至 {end}").format(start=cn_date(summary.valid_from), end=end)


Listed = CertificateSummary | VerifiedCertificate


def is_verified_valid(cert: Listed) -> bool:
    """Only a full record that verified VALID may stand under the official marks."""
    return isinstance(cert, VerifiedCertificate) and cert.verification.ok


def _summary_of(cert: Listed) -> CertificateSummary:
    return cert.record.summary if isinstance(cert, VerifiedCertificate) else cert


def _status_text(cert: Listed) -> str:
    if is_verified_valid(cert):
        return _(_STATUS_TEXT[CertStatus.VALID])
    status = cert.verification.status if isinstance(cert, VerifiedCertificate) else CertStatus.UNVERIFIED
    return _(_NOT_PROOF_TEXT.get(status, NOT_PROOF))


def _certificate_blocks(index: int, cert: Listed, relation: str | None = None) -> list[Block]:
    summary = _summary_of(cert)
    blocks: list[Block] = [
        # the certificate type's catalogue name, the same for every holder of one: fixed wording
        Text(f"{index}. {term(summary.name)}", bold=True, fixed=True),  # English: kiosk.terms
        Field(_("证照标识"), summary.identifier, size="small"),
        Field(_("有效期"), _validity(summary)),
    ]
    if relation:  # shown for someone the citizen acts for: whose, and in what capacity
        blocks += [Field(_("代办"), represented_name(summary)), Field(_("关系"), _(relation), fixed=True)]
    blocks.append(Field(_("状态"), _status_text(cert), fixed=True))
    return blocks


def _holder_blocks(terminal_name: str, issued_at: datetime, holder_name: str, holder_id: str) -> list[Block]:
    return [
        Field(_("办理终端"), terminal_name, fixed=True),
        Field(_("打印时间"), cn_datetime(issued_at)),
        Field(_("持证人"), mask_name(holder_name)),
        Field(_("证件号码"), mask_id(holder_id)),
        Separator("dashed"),
    ]


def _listed_blocks(certificates: Sequence[Listed], acting_for: Mapping[str, str]) -> list[Block]:
    blocks: list[Block] = []
    for i, cert in enumerate(certificates, start=1):
        if i > 1:
            blocks.append(Separator("dashed"))
        blocks += _certificate_blocks(i, cert, acting_for.get(_summary_of(cert).identifier))
    return blocks


def certificate_list_receipt(
    terminal_name: str,
    holder_name: str,
    holder_id: str,
    certificates: Sequence[Listed],
    issued_at: datetime,
    valid_until: date,
    verify_text: str,
    *,
    centre_name: str = DEFAULT_CENTRE,
    test_data: bool = False,
    acting_for: Mapping[str, str] | None = None,
) -> Receipt:
    """The 免证办 receipt: who (masked), which certificates, the watermark, a verification QR.

    Only certificates verified valid are listed under the official marks; ``acting_for``
    (identifier -> relation) marks those shown for someone the citizen acts for (代办 / 关系).
    """
    relations = acting_for or {}
    verified = [c for c in certificates if is_verified_valid(c)]
    left_out = len(certificates) - len(verified)
    if certificates and not verified:
        return _not_proof_receipt(
            terminal_name, holder_name, holder_id, certificates, issued_at, relations, centre_name, test_data
        )
    blocks = _holder_blocks(terminal_name, issued_at, holder_name, holder_id)
    if not certificates:
        blocks.append(Text(_("未查询到电子证照"), align="center", fixed=True))
    blocks += _listed_blocks(verified, relations)
    if left_out:
        blocks += [
            Separator("dashed"),
            Text(
                _("另有{n}个证照未能核验或已失效，未列入本凭条，不能作为办事凭证。").format(n=left_out),
                size="small",
            ),
        ]
    blocks += [
        Separator("dashed"),
        Text(watermark_sentence(valid_until, centre_name), bold=True, fixed=True),  # the same all day
        Field(_("凭条有效期至"), cn_date(valid_until), fixed=True),
        Space(8),
        Qr(verify_text, caption=_("工作人员扫码核验本凭条"), share=0.5),
    ]
    return Receipt(
        title=_("电子证照查询凭条"),
        subtitle=_("{centre} · 免证办").format(centre=_(centre_name)),
        blocks=tuple(blocks),
        footer=(_("本凭条不含完整个人信息，请妥善保管"),),
        test_data=test_data,
        kind="certificate_list",
    )


def _not_proof_receipt(
    terminal_name: str,
    holder_name: str,
    holder_id: str,
    certificates: Sequence[Listed],
    issued_at: datetime,
    relations: Mapping[str, str],
    centre_name: str,
    test_data: bool,
) -> Receipt:
    """What was found, none of it verified: said in words, with none of the official marks."""
    blocks = _holder_blocks(terminal_name, issued_at, holder_name, holder_id)
    blocks += _listed_blocks(certificates, relations)
    blocks += [
        Separator("dashed"),
        Text(_("本页所列证照未能核验，不能作为办事凭证。如需办理，请到窗口咨询。"), bold=True, fixed=True),
    ]
    return Receipt(
        title=_("电子证照查询结果（未核验）"),
        subtitle=_("{centre} · 免证办").format(centre=_(centre_name)),
        blocks=tuple(blocks),
        footer=(_("本页不含完整个人信息，请妥善保管"),),
        test_data=test_data,
        kind="certificate_unverified",
    )


def rating_thanks_receipt(
    terminal_name: str,
    service_name: str,
    score: int,
    issued_at: datetime,
    verify_text: str | None = None,
    *,
    centre_name: str = DEFAULT_CENTRE,
    test_data: bool = False,
) -> Receipt:
    """好差评 thanks slip: the rating given, when and where; no personal data at all."""
    if not 1 <= score <= 5:
        raise ValueError(f"score must be 1..5, not {score}")
    stars = "★" * score + "☆" * (5 - score)
    blocks: list[Block] = [
        Text(_("感谢您的评价！"), size="large", bold=True, align="center", fixed=True),
        Field(_("服务事项"), _(service_name)),
        Field(_("评价"), _("{stars}（{score} 分）").format(stars=stars, score=score)),
        Field(_("办理终端"), terminal_name, fixed=True),
        Field(_("评价时间"), cn_datetime(issued_at)),
        Text(_("您的评价已提交至政务服务“好差评”系统，我们将持续改进服务。"), size="small", fixed=True),
    ]
    if verify_text:
        blocks += [Space(8), Qr(verify_text, caption=_("扫码查看评价回执"), share=0.45)]
    return Receipt(
        title=_("政务服务“好差评”"),
        subtitle=_(centre_name),
        blocks=tuple(blocks),
        footer=(_("欢迎再次光临"),),
        test_data=test_data,
        kind="rating_thanks",
    )


def diagnostic_page_receipt(
    terminal_name: str,
    terminal_id: str,
    paper_width_dots: int,
    issued_at: datetime,
    printer_kind: str = "",
    extra: Sequence[tuple[str, str]] = (),
) -> Receipt:
    """Diagnostics page: fonts (with rare characters), rules, a QR and the paper edges."""
    blocks: list[Block] = [
        Field("终端", f"{terminal_name}（{terminal_id}）"),
        Field("时间", cn_datetime(issued_at)),
        Field("打印机", printer_kind or "—"),
        Field("纸宽", f"{paper_width_dots} 点（{'80' if paper_width_dots >= 576 else '58'} 毫米）"),
        *(Field(k, v) for k, v in extra),
        Separator("solid"),
        Text("字体检查（简体字形）：令 门 骨 直 过 写", size="normal"),
        Text(f"生僻字：{RARE_SAMPLE}"),
        Text("标点：，。、；：？！“”（）《》·—…", size="small"),
        Text("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789", size="small"),
        Text("大字号 测试", size="large", bold=True, align="center"),
        Separator("dashed"),
        Qr(f"KIOSK-TEST:{terminal_id}:{issued_at:%Y%m%d%H%M%S}", caption="扫码检查二维码打印质量", share=0.5),
    ]
    return Receipt(
        title="打印机测试页",
        subtitle="自助终端 · 设备自检",
        blocks=tuple(blocks),
        footer=("若文字清晰、二维码可扫描，则打印机工作正常",),
        kind="test_page",
    )
