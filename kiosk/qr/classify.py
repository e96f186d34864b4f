"""Classify a decoded QR payload (see the package docstring)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from kiosk.domain.identifiers import CERT_ROOT, CertificateIdentifierError, parse_certificate_identifier
from kiosk.i18n import _
from kiosk.qr.lz_patterns import compile_patterns
from kiosk.qr.safety import display_safe, hostile_reason
from kiosk.receipt.codes import PREFIX as RECEIPT_PREFIX
from kiosk.receipt.codes import parse_receipt_code, verify_receipt_code
from kiosk.settings.camera import DEFAULT_LZ_PATTERNS

if TYPE_CHECKING:
    from kiosk.settings.model import KioskConfig

Kind = Literal["lz_token", "receipt", "certificate", "unrecognised", "refused"]
KINDS: tuple[Kind, ...] = ("lz_token", "receipt", "certificate", "unrecognised", "refused")


def _msg_show_lz() -> str:
    return _("无法识别该二维码，请出示“亮证码”。")


@dataclass(frozen=True, slots=True)
class QrPayload:
    """The verdict on one payload.

    * ``kind``: ``lz_token`` | ``receipt`` | ``certificate`` | ``unrecognised`` | ``refused``.
    * ``value``: the token (lz_token), the receipt id (receipt), the identifier (certificate); else None.
    * ``valid``: for receipt and certificate, whether the check passed (MAC / check character); for
      lz_token always True (the backend decides the rest); else False.
    * ``message``: plain Chinese for the citizen when the payload cannot be used to identify (None
      for an lz_token). Show it with ``markup=False``.
    * ``display``: a short, markup-escaped rendering of what was read (diagnostics, staff screens).
    * ``reason``: a stable code for the audit log (never the payload itself).
    * ``terminal_id``: for receipt codes, the terminal that printed it.
    * ``checked``: for certificate identifiers, True when the check character was verified (always,
      since kiosk.domain.identifiers provides the validator).
    """

    kind: Kind
    value: str | None
    valid: bool
    message: str | None
    display: str
    reason: str
    terminal_id: str | None = None
    checked: bool = False

    @property
    def token(self) -> str | None:
        return self.value if self.kind == "lz_token" else None


def classify(
    text: str,
    config: KioskConfig | None = None,
    *,
    lz_patterns: Sequence[str] | None = None,
    terminal_id: str | None = None,
    receipt_secret: bytes | None = None,
) -> QrPayload:
    """Classify ``text`` (a payload as the scanner reported it). Never raises.

    ``config`` supplies ``devices.camera.lz_patterns`` and ``terminal.id``; the keyword arguments
    override it (tests, the CLI). ``receipt_secret`` (the key receipts are signed with) enables the
    MAC check of this terminal's receipt codes; without it a receipt code is recognised but not
    ``valid``.
    """
    try:
        return _classify(text, config, lz_patterns, terminal_id, receipt_secret)
    except Exception:  # a classifier bug must not take down the identify screen
        return _refused(text if isinstance(text, str) else "", "internal")


def _refused(text: str, reason: str) -> QrPayload:
    return QrPayload("refused", None, False, _msg_show_lz(), display_safe(text), reason)


def _classify(
    text: str,
    config: KioskConfig | None,
    lz_patterns: Sequence[str] | None,
    terminal_id: str | None,
    receipt_secret: bytes | None,
) -> QrPayload:
    if not isinstance(text, str):
        return _refused("", "type")
    reason = hostile_reason(text)
    if reason is not None:
        return _refused(text, reason)
    core = text.strip()
    display = display_safe(core)

    if lz_patterns is None:
        lz_patterns = config.devices.camera.lz_patterns if config is not None else DEFAULT_LZ_PATTERNS
    if terminal_id is None and config is not None:
        terminal_id = config.terminal.id

    for pattern in compile_patterns(lz_patterns):
        token = pattern.match(core)
        if token is not None:
            return QrPayload("lz_token", token, True, None, display, "lz_token")

    if core.upper().startswith(RECEIPT_PREFIX + ":"):
        return _receipt(core, display, terminal_id, receipt_secret)

    if core.startswith(CERT_ROOT + "."):
        try:
            ident = parse_certificate_identifier(core)
        except CertificateIdentifierError:
            return QrPayload(
                "certificate",
                None,
                False,
                _("该证照标识校验未通过，请出示“亮证码”。"),
                display,
                "cert_invalid",
                checked=True,
            )
        return QrPayload(
            "certificate",
            str(ident),
            True,
            _("这是电子证照标识，不能用于身份核验。请出示“亮证码”。"),
            display,
            "certificate",
            checked=True,
        )
    return QrPayload("unrecognised", None, False, _msg_show_lz(), display, "unrecognised")


def _receipt(core: str, display: str, terminal_id: str | None, secret: bytes | None) -> QrPayload:
    code = parse_receipt_code(core)
    if code is None:
        return QrPayload("receipt", None, False, _("凭条核验码格式不正确。"), display, "receipt_malformed")
    own = terminal_id is not None and code.terminal_id == terminal_id
    valid = own and secret is not None and verify_receipt_code(core, secret)
    if not own:
        message = _("这是其他终端打印的凭条，请到打印该凭条的终端或咨询台核验。")
        reason = "receipt_other_terminal"
    elif not valid:
        message = _("凭条核验未通过，请到咨询台咨询。")
        reason = "receipt_unverified"
    else:
        message = _("这是本机打印的凭条核验码，不能用于身份核验。请出示“亮证码”。")
        reason = "receipt"
    return QrPayload(
        "receipt", code.receipt_id, valid, message, display, reason, terminal_id=code.terminal_id
    )
