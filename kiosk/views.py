"""View models: what each screen shows, as plain data, translated and masked.

Screens present these and nothing else, so every decision about wording, masking and badges is
testable here without Kivy, and a screen can never show a raw ID number by accident.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from kiosk.domain.certificate import CertificateSummary, CertStatus, VerifiedCertificate
from kiosk.domain.holder_binding import represented_name
from kiosk.i18n import _, current_language
from kiosk.privacy import mask_id, mask_name
from kiosk.session import SessionData, SessionMachine
from kiosk.terms import term, written_date

# platform status codes (domain.md §2.3): 21 revoked, 22 expired, 23 restricted
_PLATFORM_STATUS = {"21": CertStatus.REVOKED, "22": CertStatus.EXPIRED, "23": CertStatus.RESTRICTED}


def format_date(value: date | None) -> str:
    if value is None:
        return _("长期")
    return written_date(value)


@dataclass(frozen=True)
class Badge:
    status: str  # valid | expired | revoked | restricted | unverified | checking
    label: str


def badge_for(
    summary: CertificateSummary, record: VerifiedCertificate | None, today: date, unfetched: bool = False
) -> Badge:
    """The badge on a certificate card: verification wins once the full record is checked.

    有效 comes only from a record that verified (VALID); a record that could not be fetched is
    无法核验, never 核验中 for good.
    """
    if record is not None:
        status = record.verification.status
    elif unfetched:
        status = CertStatus.UNVERIFIED
    else:
        status = _PLATFORM_STATUS.get(summary.status, CertStatus.VALID)
        if status is CertStatus.VALID and summary.valid_to is not None and summary.valid_to < today:
            status = CertStatus.EXPIRED
        if status is CertStatus.VALID:
            return Badge("checking", _("核验中"))
    labels = {
        CertStatus.VALID: _("有效"),
        CertStatus.EXPIRED: _("已过期"),
        CertStatus.REVOKED: _("已注销"),
        CertStatus.RESTRICTED: _("受限"),
        CertStatus.UNVERIFIED: _("无法核验"),
    }
    return Badge(status.value, labels[status])


def unfetched_reason() -> str:
    return _("未能取得该证照的完整数据，暂无法核验，不能作为办事凭证。")


def not_official_notice() -> str:
    """Said in place of the official watermark wherever a certificate is not verified valid."""
    return _("未能核验，不能作为办事凭证")


def _reason(data: SessionData, summary: CertificateSummary) -> str | None:
    record = data.records.get(summary.identifier)
    if record is not None:
        return None if record.verification.ok else record.verification.reason
    return unfetched_reason() if summary.identifier in data.unfetched else None


def acting_for_line(summary: CertificateSummary, relation: str | None) -> str | None:
    """代办：<holder> · 关系：<relation>, for a certificate the citizen is shown as someone's 代办."""
    if not relation:
        return None
    return _("代办：{holder} · 关系：{relation}").format(
        holder=represented_name(summary), relation=_(relation)
    )


@dataclass(frozen=True)
class CertificateCard:
    identifier: str
    name: str
    number: str  # masked
    issuer: str
    validity: str
    badge: Badge
    reason: str | None  # why it is not valid, when known
    acting_for: str | None = None  # 代办：… · 关系：法定代表人, when it is not the citizen's own


def seal_failed_reason() -> str:
    return _("证照文件的电子印章未通过核验，不能作为办事凭证。")


def sealed_badge(seal: str, badge: Badge, reason: str | None) -> tuple[Badge, str | None]:
    """A record verified valid, with its file's seal verdict (kiosk.issued IssuedFaces.seal).

    有效 on the list must mean what it means on the detail page: the record verified and, when it
    links a file as issued, that file's seals verified too. While the seals are being checked (a
    second or so after the record) the badge says 验章中, never 有效: a citizen who reads 有效 and
    walks to the counter can rely on it. Seals that did not verify: 验章未通过 and why.
    """
    if badge.status != "valid":
        return badge, reason
    if seal == "checking":
        return Badge("checking", _("验章中")), reason
    if seal == "failed":
        return Badge("unverified", _("验章未通过")), seal_failed_reason()
    return badge, reason


def certificate_cards(
    machine: SessionMachine, today: date, seals: Callable[[str], str] | None = None
) -> list[CertificateCard]:
    """``seals``: each listed certificate's seal verdict (kiosk.issued IssuedFaces.seal): sealed_badge."""
    data = machine.data
    if data is None:
        return []
    cards = []
    for listed in data.certificates:
        record = data.records.get(listed.identifier)
        c = record.record.summary if record is not None else listed  # the signed data once verified
        badge = badge_for(c, record, today, c.identifier in data.unfetched)
        reason = _reason(data, c)
        if seals is not None:
            badge, reason = sealed_badge(seals(c.identifier), badge, reason)
        cards.append(
            CertificateCard(
                identifier=c.identifier,
                name=term(c.name),
                number=mask_number(c.number),
                issuer=term(c.issuer),
                validity=_("有效期至 {date}").format(date=format_date(c.valid_to)),
                badge=badge,
                reason=reason,
                acting_for=acting_for_line(c, data.acting_for.get(c.identifier)),
            )
        )
    return cards


@dataclass(frozen=True)
class HolderView:
    name: str
    id_number: str
    greeting: str


def holder_view(machine: SessionMachine) -> HolderView | None:
    data = machine.data
    if data is None or data.holder is None:
        return None
    h = data.holder
    name = mask_name(h.name_en if machine.prefs.language == "en" and h.name_en else h.name)
    return HolderView(name=name, id_number=mask_id(h.id_number), greeting=_("{name}，您好").format(name=name))


@dataclass(frozen=True)
class DetailView:
    title: str
    badge: Badge
    reason: str | None
    fields: list[tuple[str, str]]
    watermark: str  # the official sentence, only for a record verified valid; else ""
    loading: bool
    notice: str | None = None  # 未能核验，不能作为办事凭证: said instead of the watermark
    acting_for: str | None = None
    revealed: bool = False
    maskable: bool = False  # face fields from the record: 显示完整信息 is offered


# Face fields that carry personal data: masked on screen unless the citizen taps to reveal them.
_ID_LABELS = ("身份号码", "证件号码", "身份证号", "社会保障号码", "证号", "编号", "卡号")
_NAME_LABELS = ("姓名", "持证人", "权利人", "男方", "女方", "户主", "法定代表人", "经营者")
_ADDRESS_LABELS = ("住址", "地址", "坐落", "住所", "经营场所")


def mask_address(value: str) -> str:
    """Keep the district-level prefix, hide the street and number."""
    keep = max(len(value) // 3, 1)
    return value[:keep] + "****"


def mask_number(number: str) -> str:
    """A certificate's number (证照编号: a card number, a 户号, often the ID number itself)."""
    return mask_id(number)


def mask_face_value(label: str, value: str, number: str = "") -> str:
    """One face field as the detail page shows it while masked.

    The same rule as the list: the certificate's number is masked wherever it appears (the list
    shows it masked, so the detail page must not show it in full under another label, e.g. 卡号).
    """
    if (number and value.strip() == number.strip()) or any(k in label for k in _ID_LABELS):
        return mask_number(value)
    if any(k in label for k in _NAME_LABELS):
        return mask_name(value)
    if any(k in label for k in _ADDRESS_LABELS):
        return mask_address(value)
    return value


def detail_view(
    machine: SessionMachine, today: date, centre_name: str, valid_days: int, reveal: bool | None = None
) -> DetailView | None:
    """The detail page. ``reveal`` defaults to the session's 显示完整信息 state (kiosk.session)."""
    data = machine.data
    if data is None or data.selected is None:
        return None
    listed = next((c for c in data.certificates if c.identifier == data.selected), None)
    if listed is None:
        return None
    record = data.records.get(listed.identifier)
    summary = record.record.summary if record is not None else listed
    shown = machine.revealed if reveal is None else reveal
    fields: list[tuple[str, str]] = []
    if record is not None:
        for f in record.record.face:
            value = f.value if shown else mask_face_value(f.label, f.value, summary.number)
            fields.append((term(f.label), term(value)))  # English labels and dates (kiosk.terms)
    else:
        fields = [(_("证照名称"), term(summary.name)), (_("颁发机构"), term(summary.issuer))]
    unfetched = summary.identifier in data.unfetched
    official = record is not None and record.verification.ok
    watermark = ""
    if official:
        until = date.fromordinal(today.toordinal() + valid_days)
        watermark = _("此件由{centre}自助终端提供，仅供办理政务服务事项时使用，有效期至{date}").format(
            centre=_(centre_name), date=format_date(until)
        )
    return DetailView(
        title=term(summary.name),
        badge=badge_for(summary, record, today, unfetched),
        reason=_reason(data, summary),
        fields=fields,
        watermark=watermark,
        loading=record is None and not unfetched,
        notice=None if official or (record is None and not unfetched) else not_official_notice(),
        acting_for=acting_for_line(summary, data.acting_for.get(summary.identifier)),
        revealed=shown and record is not None,
        maskable=record is not None,
    )


@dataclass(frozen=True)
class IssuedView:
    """The certificate as issued (kiosk.issued): the drawn page and the seal check, in words.

    ``verdict`` is 验章通过 only when every seal of the file verified under the terminal's trust
    anchors; anything else says plainly what failed, and the field list stays on the page.
    """

    status: str  # checking | valid | failed
    verdict: str  # 正在验章… | 验章通过 | 验章未通过 | 无法验章 | 无法显示照面
    message: str
    width: int = 0
    height: int = 0
    pixels: bytes = b""  # RGB, top row first: covered unless the citizen revealed the fields
    covered: bool = False
    # the seals were checked and did not verify: the page must not say the certificate can serve
    # (no official sentence, no receipt from the detail page), whatever the record's own check said
    seal_failed: bool = False


_SEAL_NAME = re.compile(r"(?P<owner>.+?)(?:电子印章|电子公章)(?:（(?P<note>[^）]*)）)?")


def seal_name(name: str) -> str:
    """A seal's name as its file gives it (柳州市人力资源和社会保障局电子印章（演示印章，测试数据）), in
    the citizen's language: in English the owner through the terms table, "e-seal", and the note
    when the catalogue has it; a name of another form as sent (kiosk.terms.term)."""
    found = _SEAL_NAME.fullmatch(name.strip()) if current_language() == "en" else None
    if found is None:
        return term(name)
    note = found["note"]
    shown = _("{owner} 电子印章").format(owner=term(found["owner"]))
    return shown + (f" ({_(note)})" if note else "")


def _seal_words(check: object) -> tuple[str, str, str]:
    status = getattr(check, "status", "")
    if status == "valid":
        name = getattr(check, "seal_name", "")
        return (
            "valid",
            _("验章通过"),
            (_("电子印章有效：{name}").format(name=seal_name(name)) if name else _("电子印章有效")),
        )
    messages = {
        "tampered": (_("验章未通过"), _("证照文件在盖章后被改动（{file}），不能作为办事凭证")),
        "unknown_signer": (_("验章未通过"), _("盖章单位的证书不在本终端信任的范围内，不能作为办事凭证")),
        "expired": (_("验章未通过"), _("电子印章或盖章证书已过有效期，不能作为办事凭证")),
        "unsupported": (_("无法验章"), _("该证照文件的电子印章格式本终端暂不支持，请到窗口核验")),
        "unsigned": (_("无法验章"), _("该证照文件没有电子印章，不能作为办事凭证")),
        "unreadable": (_("无法显示照面"), _("证照文件无法打开，请以下方信息为准或到窗口核验")),
    }
    verdict, message = messages.get(str(status), (_("无法验章"), _("电子印章未能核验，请到窗口核验")))
    file = getattr(check, "file", "") or _("文件")
    return "failed", verdict, message.replace("{file}", file)


def issued_view(face: object | None, revealed: bool) -> IssuedView | None:
    """What the detail page shows of ``face`` (a kiosk.issued.IssuedFace); None: no file linked."""
    if face is None:
        return None
    phase = getattr(face, "phase", "")
    if phase == "loading":
        return IssuedView("checking", _("正在验章…"), _("正在取得并核验证照文件"))
    check = getattr(face, "check", None)
    if check is None:
        return IssuedView(
            "failed", _("无法显示照面"), _("未能取得与签名记录一致的证照文件，请以下方信息为准")
        )
    status, verdict, message = _seal_words(check)
    pixels = getattr(face, "clear", b"") if revealed else getattr(face, "covered", b"")
    return IssuedView(
        status,
        verdict,
        message,
        int(getattr(face, "width", 0)),
        int(getattr(face, "height", 0)),
        pixels,
        covered=not revealed,
        seal_failed=status == "failed",
    )
