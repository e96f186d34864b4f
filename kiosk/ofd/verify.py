"""Verifying the signatures of an OFD file (GB/T 38540, GM/T 0031 v1, GB/T 35275 digital signatures).

For each entry of Signatures.xml, in this order (the first failure decides the status):

1. every file in SignedInfo/References still has its digest (SM3, or SHA-1/SHA-256/MD5 where a
   producer declares one), else TAMPERED naming the file;
2. the signed value: SES_Signature's data hash is SM3 of Signature.xml, and the signer's SM2
   signature (user id 1234567812345678) covers TBS_Sign; the seal's own signature by its maker
   verifies; else TAMPERED;
3. the signer's certificate is one the seal lists, and both the signer's and the maker's
   certificates are issued (SM2 signature checked) by a configured trust anchor, else
   UNKNOWN_SIGNER;
4. the seal and the signer's certificate are valid both at the signing time and at ``at`` (the
   signing time inside the file is the signer's own claim: without a trusted time stamp it cannot
   stand alone), else EXPIRED.

Anything we cannot check (another algorithm, a bare signature without a certificate, a seal whose
picture is an OFD) is UNSUPPORTED with the reason, never VALID.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from asn1crypto import x509

from kiosk.ofd import ses
from kiosk.ofd.container import join
from kiosk.ofd.document import OfdDocument, SignatureInfo
from kiosk.ofd.errors import OfdError


class SignatureStatus(StrEnum):
    VALID = "valid"
    TAMPERED = "tampered"
    UNKNOWN_SIGNER = "unknown_signer"
    EXPIRED = "expired"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class SignatureReport:
    status: SignatureStatus
    reason: str  # plain Chinese for people
    code: str  # short English code for logs and tests
    file: str | None = None  # the package path whose digest differs (TAMPERED)
    signer: str | None = None
    seal_name: str | None = None
    signed_at: datetime | None = None
    signature_id: str = ""
    kind: str = ""  # "Seal" or "Sign"

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.signature_id,
            "type": self.kind,
            "status": str(self.status),
            "reason": self.reason,
            "code": self.code,
            "file": self.file,
            "signer": self.signer,
            "seal_name": self.seal_name,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
        }


def sm3(data: bytes) -> bytes:
    try:
        return hashlib.new("sm3", data).digest()
    except ValueError:  # an OpenSSL without SM3
        from gmssl import func
        from gmssl import sm3 as gm_sm3

        return bytes.fromhex(gm_sm3.sm3_hash(func.bytes_to_list(data)))


def _digest(method: str, data: bytes) -> bytes | None:
    m = method.strip().upper()
    if m in ("SM3", "1.2.156.10197.1.401"):
        return sm3(data)
    if m in ("SHA1", "SHA-1", "1.3.14.3.2.26"):
        return hashlib.sha1(data, usedforsecurity=False).digest()
    if m in ("SHA256", "SHA-256", "2.16.840.1.101.3.4.2.1"):
        return hashlib.sha256(data).digest()
    if m in ("MD5", "1.2.840.113549.2.5"):
        return hashlib.md5(data, usedforsecurity=False).digest()
    return None


class _Outcome(Exception):
    def __init__(self, status: SignatureStatus, reason: str, code: str, file: str | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.code, self.file = status, reason, code, file


@dataclass
class _Cert:
    der: bytes
    subject: str
    issuer_der: bytes
    subject_der: bytes
    not_before: datetime
    not_after: datetime
    public_hex: str
    tbs: bytes
    sig_alg: str
    signature: bytes


def _cert(der: bytes, who: str) -> _Cert:
    try:
        cert = x509.Certificate.load(der)
        tbs = cert["tbs_certificate"]
        validity = tbs["validity"]
        spki = tbs["subject_public_key_info"]
        key = bytes(spki["public_key"].contents[1:])
        subject = tbs["subject"]
        name = (
            subject.native.get("common_name")
            or subject.native.get("organization_name")
            or subject.human_friendly
        )
        return _Cert(
            der=der,
            subject=str(name),
            issuer_der=tbs["issuer"].dump(),
            subject_der=subject.dump(),
            not_before=validity["not_before"].native,
            not_after=validity["not_after"].native,
            public_hex=key.hex(),
            tbs=tbs.dump(),
            sig_alg=cert["signature_algorithm"]["algorithm"].dotted,
            signature=bytes(cert["signature_value"].contents[1:]),
        )
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise _Outcome(SignatureStatus.UNSUPPORTED, f"无法解析{who}证书", "bad_certificate") from exc


def _sm2(public_hex: str, signature: bytes, message: bytes) -> bool:
    from kiosk.backend.verify import sm2_verify  # the project's SM2 (SM3, user id 1234567812345678)

    rs = ses.signature_rs(signature)
    return rs is not None and sm2_verify(public_hex, rs, message)


def _issued_by_anchor(cert: _Cert, anchors: list[_Cert]) -> bool:
    for anchor in anchors:
        if anchor.der == cert.der:
            return True
        if (
            anchor.subject_der == cert.issuer_der
            and cert.sig_alg == ses.SM2_SM3
            and _sm2(anchor.public_hex, cert.signature, cert.tbs)
        ):
            return True
    return False


def _fmt(d: datetime | None) -> str:
    return d.astimezone(UTC).strftime("%Y-%m-%d") if d else "?"


def verify_signatures(
    doc: OfdDocument, *, anchors: Sequence[bytes] = (), at: datetime | None = None
) -> list[SignatureReport]:
    """One report per signature of ``doc`` (an empty list when the file carries none)."""
    now = at or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    anchor_certs: list[_Cert] = []
    for der in anchors:
        try:
            anchor_certs.append(_cert(bytes(der), "信任根"))
        except _Outcome:
            continue
    reports = []
    for info in doc.signatures:
        reports.append(_verify_one(doc, info, anchor_certs, now))
    return reports


def _verify_one(
    doc: OfdDocument, info: SignatureInfo, anchors: list[_Cert], now: datetime
) -> SignatureReport:
    details: dict[str, object] = {}
    try:
        _check(doc, info, anchors, now, details)
        status, reason, code, file = (
            SignatureStatus.VALID,
            "签章有效：文件未被改动，签章人和印章均可信且在有效期内",
            "valid",
            None,
        )
    except _Outcome as out:
        status, reason, code, file = out.status, out.reason, out.code, out.file
    except OfdError as exc:
        status, reason, code, file = (
            SignatureStatus.TAMPERED,
            f"签名数据无法读取：{exc.reason}",
            exc.code,
            None,
        )
    return SignatureReport(
        status=status,
        reason=reason,
        code=code,
        file=file,
        signer=details.get("signer"),  # type: ignore[arg-type]
        seal_name=details.get("seal_name"),  # type: ignore[arg-type]
        signed_at=details.get("signed_at"),  # type: ignore[arg-type]
        signature_id=info.id,
        kind=info.type,
    )


def _check(
    doc: OfdDocument, info: SignatureInfo, anchors: list[_Cert], now: datetime, details: dict[str, object]
) -> None:
    T = SignatureStatus
    details["signed_at"] = ses.parse_text_time(info.signature_datetime)
    if info.problem:
        raise _Outcome(T.TAMPERED, f"签名描述文件不完整：{info.problem}", "signature_xml_broken", info.path)
    if not info.references:
        raise _Outcome(T.TAMPERED, "签名没有覆盖任何文件", "no_references", info.path)
    for ref in info.references:
        path = join("", ref.file) if ref.file.startswith("/") else doc._resolve(os_dir(info.path), ref.file)
        if path is None or not doc.package.exists(path):
            raise _Outcome(
                T.TAMPERED, f"被签名的文件已缺失：{ref.file}", "file_missing", ref.file.lstrip("/")
            )
        real = doc.package.real_name(path)
        expected = ses.b64(ref.check_value)
        actual = _digest(info.check_method, doc.package.read(real))
        if actual is None:
            raise _Outcome(T.UNSUPPORTED, f"不支持的摘要算法：{info.check_method[:40]}", "digest_unsupported")
        if expected != actual:
            raise _Outcome(T.TAMPERED, f"文件已被篡改：{real} 的摘要与签名时不一致", "tampered", real)
    if info.signed_value_path is None:
        raise _Outcome(T.TAMPERED, "缺少签名值文件（SignedValue.dat）", "signed_value_missing", info.path)
    value = doc.package.read(info.signed_value_path)
    signature_xml = doc.package.read(info.path)
    if info.type.lower() == "sign":
        _check_digital(value, signature_xml, anchors, now, details)
        return
    try:
        signed = ses.parse_signature(value)
    except OfdError as exc:
        raise _Outcome(T.UNSUPPORTED, f"无法解析电子签章数据：{exc.reason}", "ses_unreadable") from exc
    seal = signed.seal
    details["seal_name"] = seal.name
    if signed.signed_at:
        details["signed_at"] = signed.signed_at
    signer = _cert(signed.signer_cert, "签章人")
    details["signer"] = signer.subject
    if signed.data_hash != sm3(signature_xml):
        raise _Outcome(T.TAMPERED, f"文件已被篡改：{info.path} 的摘要与签章时不一致", "tampered", info.path)
    if signed.alg != ses.SM2_SM3:
        raise _Outcome(T.UNSUPPORTED, f"不支持的签章算法：{signed.alg}", "alg_unsupported")
    if not _sm2(signer.public_hex, signed.signature, signed.tbs):
        raise _Outcome(
            T.TAMPERED, "电子签章的签名值不正确（签章数据被改动）", "bad_signature", info.signed_value_path
        )
    if info.seal_path is not None:
        esl = doc.package.read(info.seal_path)
        try:
            stored = ses.parse_seal(esl)
        except OfdError:
            stored = None
        if stored is None or stored.signed_messages[0] != seal.signed_messages[0]:
            raise _Outcome(T.TAMPERED, "印章文件与签章中的印章不一致", "seal_mismatch", info.seal_path)
    _check_seal(seal, signer, signed.signed_at, anchors, now)


def _check_seal(
    seal: ses.Seal, signer: _Cert, signed_at: datetime | None, anchors: list[_Cert], now: datetime
) -> None:
    T = SignatureStatus
    maker = _cert(seal.maker_cert, "制章人")
    if seal.maker_alg != ses.SM2_SM3:
        raise _Outcome(T.UNSUPPORTED, f"不支持的印章签名算法：{seal.maker_alg}", "seal_alg_unsupported")
    if not any(_sm2(maker.public_hex, seal.maker_signature, m) for m in seal.signed_messages):
        raise _Outcome(T.TAMPERED, "印章的制章人签名不正确（印章数据被改动或伪造）", "bad_seal_signature")
    if seal.cert_list_type == 2:
        listed = any(
            d
            in (
                sm3(signer.der),
                hashlib.sha1(signer.der, usedforsecurity=False).digest(),
                hashlib.sha256(signer.der).digest(),
            )
            for d in seal.cert_list
        )
    else:
        listed = signer.der in seal.cert_list
    if not listed:
        raise _Outcome(T.UNKNOWN_SIGNER, "签章人的证书不在该印章授权的证书列表中", "signer_not_in_seal")
    if not _issued_by_anchor(signer, anchors):
        raise _Outcome(
            T.UNKNOWN_SIGNER, f"签章人证书（{signer.subject}）不是由已配置的信任根签发", "signer_untrusted"
        )
    if not _issued_by_anchor(maker, anchors):
        raise _Outcome(
            T.UNKNOWN_SIGNER, f"制章人证书（{maker.subject}）不是由已配置的信任根签发", "maker_untrusted"
        )
    for when, label in ((signed_at, "签章时"), (now, "当前")):
        if when is None:
            continue
        if (seal.valid_start and when < seal.valid_start) or (seal.valid_end and when > seal.valid_end):
            raise _Outcome(
                T.EXPIRED,
                f"印章在{label}不在有效期内（{_fmt(seal.valid_start)} 至 {_fmt(seal.valid_end)}）",
                "seal_expired",
            )
        if not signer.not_before <= when <= signer.not_after:
            raise _Outcome(
                T.EXPIRED,
                f"签章人证书在{label}不在有效期内（{_fmt(signer.not_before)} 至 {_fmt(signer.not_after)}）",
                "certificate_expired",
            )


def _check_digital(
    value: bytes, signature_xml: bytes, anchors: list[_Cert], now: datetime, details: dict[str, object]
) -> None:
    """A digital signature (Type="Sign"): GB/T 35275 SignedData with SM2, or a bare signature."""
    T = SignatureStatus
    if ses.signature_rs(value) is not None:
        raise _Outcome(
            T.UNSUPPORTED,
            "数字签名只有签名值，没有附带签名者证书，无法确认是谁签署的",
            "bare_signature",
        )
    try:
        signed = ses.parse_signed_data(value)
    except OfdError as exc:
        raise _Outcome(T.UNSUPPORTED, f"无法解析数字签名数据：{exc.reason}", "sign_unreadable") from exc
    signer = _cert(signed.cert, "签名者")
    details["signer"] = signer.subject
    if signed.alg not in (ses.SM2_SM3, "1.2.156.10197.1.301.1"):
        raise _Outcome(T.UNSUPPORTED, f"不支持的签名算法：{signed.alg}", "alg_unsupported")
    content = signed.content if signed.content is not None else signature_xml
    if signed.content is not None and content not in (sm3(signature_xml), signature_xml):
        raise _Outcome(T.TAMPERED, "文件已被篡改：签名描述文件与数字签名不一致", "tampered")
    message = signed.signed_attrs if signed.signed_attrs is not None else content
    if not _sm2(signer.public_hex, signed.signature, message):
        raise _Outcome(T.TAMPERED, "数字签名的签名值不正确", "bad_signature")
    if not _issued_by_anchor(signer, anchors):
        raise _Outcome(
            T.UNKNOWN_SIGNER, f"签名者证书（{signer.subject}）不是由已配置的信任根签发", "signer_untrusted"
        )
    if not signer.not_before <= now <= signer.not_after:
        raise _Outcome(
            T.EXPIRED,
            f"签名者证书不在有效期内（{_fmt(signer.not_before)} 至 {_fmt(signer.not_after)}）",
            "certificate_expired",
        )


def os_dir(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def b64digest(data: bytes) -> str:
    return base64.b64encode(sm3(data)).decode()
