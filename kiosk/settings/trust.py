"""What the terminal trusts: who may see whose certificates ([trust]) and the receipt key ([receipt])."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from kiosk.domain.holder_binding import ActsFor, HolderBinding
from kiosk.domain.identifiers import is_valid_credit_code
from kiosk.settings.base import Section

HOLDER_TYPES = ("111", "001")  # 公民身份号码, 统一社会信用代码 (domain.md §2.3)


class ActsForRule(Section):
    """A certificate type a citizen may be shown for someone they act for (kiosk.domain.holder_binding).

    Example: the 营业执照 of a company (holder type 001) for its 法定代表人, whose name the licence's
    face field 法定代表人 must carry.
    """

    type_code: str = Field(min_length=21, max_length=21)
    relation: str = Field(min_length=1, max_length=12)  # shown: 关系：法定代表人
    holder_types: list[str] = Field(default_factory=lambda: ["001"], min_length=1)
    face_labels: list[str] = Field(default_factory=list)

    @field_validator("type_code")
    @classmethod
    def _gb_t_36904_type_code(cls, value: str) -> str:
        """The defining body's unified social credit code + a 3-digit sequence (domain.md §2.2)."""
        if not (is_valid_credit_code(value[:18]) and value[18:].isdigit()):
            raise ValueError("must be an 18-character credit code with a valid check + 3 digits")
        return value

    @field_validator("holder_types")
    @classmethod
    def _known_holder_types(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in HOLDER_TYPES]
        if unknown:
            raise ValueError(f"holder types must be among {HOLDER_TYPES}, not {unknown}")
        return value

    @field_validator("face_labels")
    @classmethod
    def _labels_not_blank(cls, value: list[str]) -> list[str]:
        if any(not label.strip() for label in value):
            raise ValueError("face labels must not be blank")
        return value

    def rule(self) -> ActsFor:
        return ActsFor(self.type_code, self.relation, tuple(self.holder_types), tuple(self.face_labels))


class TrustConfig(Section):
    # certificate types shown to someone acting for their holder; every other certificate whose
    # holder is not the citizen is dropped, audited and never shown
    acts_for: list[ActsForRule] = Field(default_factory=list)
    # Trust anchors of electronic seals on OFD files (GB/T 38540): CA certificates, each as PEM
    # text or the path of a PEM file. A seal whose signer does not chain to one of them is
    # UNKNOWN_SIGNER, and the terminal never says 验章通过 for it. Empty: no seal is trusted.
    # Demo mode trusts the reference server's demo CA (refserver/ofd), and nothing else.
    ofd_seal_anchors: list[str] = Field(default_factory=list, max_length=32)

    @field_validator("ofd_seal_anchors")
    @classmethod
    def _pem_certificates(cls, value: list[str]) -> list[str]:
        for entry in value:
            pem_certificates(entry)  # raises ValueError with the reason
        return value

    def ofd_anchors(self) -> list[bytes]:
        """The anchors as DER certificates (kiosk.ofd.verify_signatures takes them so)."""
        return [der for entry in self.ofd_seal_anchors for der in pem_certificates(entry)]

    @field_validator("acts_for")
    @classmethod
    def _one_rule_a_type(cls, value: list[ActsForRule]) -> list[ActsForRule]:
        seen = [r.type_code for r in value]
        doubles = sorted({c for c in seen if seen.count(c) > 1})
        if doubles:
            raise ValueError(f"one rule per certificate type: {doubles} appear more than once")
        return value

    def binding(self) -> HolderBinding:
        return HolderBinding(rule.rule() for rule in self.acts_for)


_PEM = re.compile(r"-----BEGIN CERTIFICATE-----\s*(.+?)\s*-----END CERTIFICATE-----", re.S)
MAX_ANCHOR_FILE = 256_000


def pem_certificates(entry: str) -> list[bytes]:
    """The DER certificates of one ``ofd_seal_anchors`` entry (PEM text, or a PEM file's path)."""
    text = entry
    if "-----BEGIN" not in entry:
        path = Path(entry)
        if not path.is_file():
            raise ValueError(f"OFD seal anchor is neither PEM text nor a file: {entry[:80]!r}")
        if path.stat().st_size > MAX_ANCHOR_FILE:
            raise ValueError(f"OFD seal anchor file is too large: {entry}")
        text = path.read_text(encoding="ascii", errors="replace")
    blocks = _PEM.findall(text)
    if not blocks:
        raise ValueError("OFD seal anchor holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
    out = []
    for block in blocks:
        try:
            der = base64.b64decode("".join(block.split()), validate=True)
        except (ValueError, binascii.Error):
            raise ValueError("OFD seal anchor: a PEM certificate is not valid base64") from None
        if len(der) < 100 or der[0] != 0x30:
            raise ValueError("OFD seal anchor: a PEM block is not a DER certificate")
        out.append(der)
    return out


class ReceiptConfig(Section):
    # secrets file only: the key of the receipt check code (kiosk.receipt.codes). Its own key, never
    # the backend terminal secret, so a printed code cannot help anyone guess or test that secret.
    # Empty: a random key per run (codes then verify only until the app restarts).
    code_key: SecretStr = SecretStr("")
