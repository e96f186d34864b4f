"""Electronic seal structures: SES_Signature and SESeal of GM/T 0031 (v1) and GB/T 38540 (v4).

Read with asn1crypto as generic DER (by position, not by a fixed schema) because producers differ in
small ways that a strict schema would refuse: UTCTime or GeneralizedTime, optional extension data,
certificate lists as certificates or as digests. The version is told by shape: a v1 SES_Signature is
(TBS_Sign, signature) with the signer's certificate inside TBS_Sign; a v4 one is (TBS_Sign, cert,
algorithm, signature[, time stamp]). What each part signs:

* the document signature covers the DER of TBS_Sign exactly as it is in the file (its own bytes,
  never re-encoded);
* the seal maker's signature covers SES_SealInfo (what ofdrw and most producers sign) or, as the
  v1 text reads, SEQUENCE {SES_SealInfo, cert, algorithm}: both are tried.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import core, parser

from kiosk.ofd.errors import OfdError

SM2_SM3 = "1.2.156.10197.1.501"
SM3_OID = "1.2.156.10197.1.401"


class Node:
    """One DER element as asn1crypto's parser splits it: class, tag, and its exact bytes.

    WHY not ``core.load``: a generic asn1crypto Sequence refuses context-tagged children (the
    optional ``[0]`` time stamp or extension data), so elements are split with
    ``asn1crypto.parser`` and only universal primitives are decoded with asn1crypto types.
    """

    __slots__ = ("cls", "constructed", "contents", "raw", "tag")

    def __init__(self, raw: bytes) -> None:
        try:
            cls, method, tag, header, contents, trailer = parser.parse(raw, strict=True)
        except (ValueError, TypeError, IndexError, OverflowError) as exc:
            raise OfdError("签章数据不是有效的DER编码", "bad_der") from exc
        self.cls = cls
        self.constructed = method == 1
        self.tag = tag
        self.contents = contents
        self.raw = header + contents + trailer

    def items(self) -> list[Node]:
        if not self.constructed:
            raise OfdError("签章数据结构不符合标准", "bad_structure")
        out: list[Node] = []
        data = self.contents
        pos = 0
        while pos < len(data):
            try:
                end = pos + parser.peek(data[pos:])
            except (ValueError, TypeError, IndexError, OverflowError) as exc:
                raise OfdError("签章数据不是有效的DER编码", "bad_der") from exc
            out.append(Node(data[pos:end]))
            pos = end
            if len(out) > 10_000:
                raise OfdError("签章数据结构不符合标准", "bad_structure")
        return out

    def universal(self, *tags: int) -> bool:
        return self.cls == 0 and self.tag in tags


_OCTET, _BIT, _INT, _OID, _SEQ = 4, 3, 2, 6, 16
_STRINGS = (12, 19, 20, 22, 26, 27, 28, 30)
_UTC, _GEN = 23, 24


def _load(data: bytes) -> Node:
    node = Node(data)
    if not node.universal(_SEQ):
        raise OfdError("签章数据结构不符合标准", "bad_structure")
    return node


def _items(node: Node) -> list[Node]:
    if not node.universal(_SEQ, 17):
        raise OfdError("签章数据结构不符合标准", "bad_structure")
    return node.items()


def _bytes(node: Node) -> bytes:
    """Content of an OCTET STRING or a BIT STRING (without the unused-bits byte)."""
    if node.universal(_OCTET):
        return bytes(node.contents)
    if node.universal(_BIT):
        return bytes(node.contents[1:])
    raise OfdError("签章数据结构不符合标准：应为字节串", "bad_structure")


def _text(node: Node) -> str:
    if node.universal(*_STRINGS):
        value = core.Asn1Value.load(node.raw)
        return str(value.native or "")
    if node.universal(_OCTET, _BIT):
        return _bytes(node).decode("utf-8", "replace")
    raise OfdError("签章数据结构不符合标准：应为文字", "bad_structure")


def _int(node: Node) -> int:
    if node.universal(_INT):
        return int(core.Integer.load(node.raw).native)
    raise OfdError("签章数据结构不符合标准：应为整数", "bad_structure")


def _oid(node: Node) -> str:
    if node.universal(_OID):
        return str(core.ObjectIdentifier.load(node.raw).dotted)
    if node.universal(_SEQ):  # AlgorithmIdentifier
        items = node.items()
        if items:
            return _oid(items[0])
    raise OfdError("签章数据结构不符合标准：应为算法标识", "bad_structure")


def parse_time(value: Node | str | bytes) -> datetime | None:
    """UTCTime, GeneralizedTime, or a time written as text in a BIT/OCTET STRING (v1)."""
    if isinstance(value, Node) and value.universal(_UTC, _GEN):
        try:
            native = (core.UTCTime if value.tag == _UTC else core.GeneralizedTime).load(value.raw).native
        except ValueError:
            return None
        if isinstance(native, datetime):
            return native if native.tzinfo else native.replace(tzinfo=UTC)
        return None
    if isinstance(value, Node):
        try:
            value = _text(value)
        except OfdError:
            return None
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return parse_text_time(value)


def parse_text_time(text: str | None) -> datetime | None:
    if not text:
        return None
    text = text.strip().rstrip("\x00")
    utc = text.endswith("Z")
    body = text.rstrip("Z")
    for fmt in (
        "%Y%m%d%H%M%S.%f",
        "%Y%m%d%H%M%S",
        "%y%m%d%H%M%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d",
    ):
        try:
            parsed = datetime.strptime(body, fmt)
        except ValueError:
            continue
        # a time without a zone is Beijing time (UTC+8) in these files; compare in UTC
        if utc:
            return parsed.replace(tzinfo=UTC)
        from datetime import timedelta, timezone

        return parsed.replace(tzinfo=timezone(timedelta(hours=8)))
    return None


def signature_rs(sig: bytes) -> str | None:
    """An SM2 signature as 128 hex digits r||s, from DER SEQUENCE {r, s} or raw 64 bytes."""
    if len(sig) == 64:
        return sig.hex()
    try:
        seq = core.load(sig, strict=True)
        if not isinstance(seq, core.Sequence) or len(seq) != 2:
            return None
        r, s = int(seq[0].native), int(seq[1].native)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    if not (0 < r < 2**256 and 0 < s < 2**256):
        return None
    return f"{r:064x}{s:064x}"


@dataclass
class Seal:
    version: int
    es_id: str
    seal_type: int
    name: str
    cert_list_type: int  # 1 certificates, 2 certificate digests
    cert_list: list[bytes]  # DER certificates, or digests
    digest_algs: list[str]
    created: datetime | None
    valid_start: datetime | None
    valid_end: datetime | None
    picture_type: str
    picture: bytes
    picture_mm: tuple[int, int]
    maker_cert: bytes
    maker_alg: str
    maker_signature: bytes
    signed_messages: list[bytes] = field(default_factory=list)  # what the maker may have signed


@dataclass
class SesSignature:
    version: int
    seal: Seal
    signed_at: datetime | None
    data_hash: bytes
    property_info: str
    signer_cert: bytes
    alg: str
    signature: bytes
    tbs: bytes  # DER of TBS_Sign as in the file: what the signer signed


def parse_seal(data: bytes | Node) -> Seal:
    value = _load(data) if isinstance(data, bytes) else data
    parts = _items(value)
    if len(parts) < 2:
        raise OfdError("印章数据结构不符合标准", "bad_seal")
    info = parts[0]
    info_items = _items(info)
    if len(info_items) < 4:
        raise OfdError("印章数据结构不符合标准：缺少印章信息", "bad_seal")
    header = _items(info_items[0])
    version = _int(header[1]) if len(header) >= 2 else 0
    es_id = _text(info_items[1])
    prop = _items(info_items[2])
    picture = _items(info_items[3])
    certs: list[bytes] = []
    algs: list[str] = []
    if len(prop) >= 7:  # v4: type, name, certListType, certList, create, start, end
        list_type = _int(prop[2])
        cert_list = prop[3]
        times = prop[4:7]
    elif len(prop) >= 6:  # v1: type, name, certList, create, start, end
        list_type = 1
        cert_list = prop[2]
        times = prop[3:6]
    else:
        raise OfdError("印章数据结构不符合标准：印章属性不全", "bad_seal")
    for item in _items(cert_list):
        if item.universal(_OCTET):
            certs.append(_bytes(item))
        elif item.universal(_SEQ):  # CertDigestObj {type, value}
            pair = item.items()
            if len(pair) >= 2:
                algs.append(_text(pair[0]))
                certs.append(_bytes(pair[1]))
    if len(picture) < 2:
        raise OfdError("印章数据结构不符合标准：缺少印章图片", "bad_seal")
    pic_w = _int(picture[2]) if len(picture) > 2 else 0
    pic_h = _int(picture[3]) if len(picture) > 3 else 0
    if len(parts) >= 4:  # v4: SESeal {info, cert, alg, signedValue}
        maker_cert, maker_alg, maker_sig = _bytes(parts[1]), _oid(parts[2]), _bytes(parts[3])
        tail = parts[1].raw + parts[2].raw
    else:  # v1: SESeal {info, SES_SignInfo {cert, alg, signData}}
        sign_info = _items(parts[1])
        if len(sign_info) < 3:
            raise OfdError("印章数据结构不符合标准：缺少制章人签名", "bad_seal")
        maker_cert, maker_alg, maker_sig = _bytes(sign_info[0]), _oid(sign_info[1]), _bytes(sign_info[2])
        tail = sign_info[0].raw + sign_info[1].raw
    info_der = info.raw
    combined = _der_sequence(info_der + tail)
    return Seal(
        version=version,
        es_id=es_id,
        seal_type=_int(prop[0]),
        name=_text(prop[1]),
        cert_list_type=list_type,
        cert_list=certs,
        digest_algs=algs,
        created=parse_time(times[0]),
        valid_start=parse_time(times[1]),
        valid_end=parse_time(times[2]),
        picture_type=_text(picture[0]).upper(),
        picture=_bytes(picture[1]),
        picture_mm=(pic_w, pic_h),
        maker_cert=maker_cert,
        maker_alg=maker_alg,
        maker_signature=maker_sig,
        signed_messages=[info_der, combined],
    )


def _der_sequence(content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return b"\x30" + length + content


def parse_signature(data: bytes) -> SesSignature:
    value = _load(data)
    parts = _items(value)
    if len(parts) < 2:
        raise OfdError("签章数据结构不符合标准", "bad_signature")
    tbs = _items(parts[0])
    if len(tbs) < 5:
        raise OfdError("签章数据结构不符合标准：待签数据不全", "bad_signature")
    seal = parse_seal(tbs[1])
    if len(parts) >= 4:  # v4
        version = 4
        cert, alg, sig = _bytes(parts[1]), _oid(parts[2]), _bytes(parts[3])
    else:  # v1: TBS_Sign carries the certificate and algorithm
        version = 1
        if len(tbs) < 7:
            raise OfdError("签章数据结构不符合标准：缺少签章人证书", "bad_signature")
        cert, alg, sig = _bytes(tbs[5]), _oid(tbs[6]), _bytes(parts[1])
    return SesSignature(
        version=version,
        seal=seal,
        signed_at=parse_time(tbs[2]),
        data_hash=_bytes(tbs[3]),
        property_info=_text(tbs[4]),
        signer_cert=cert,
        alg=alg,
        signature=sig,
        tbs=parts[0].raw,
    )


def b64(data: str) -> bytes | None:
    try:
        return base64.b64decode(data.strip(), validate=False)
    except (ValueError, TypeError):
        return None


@dataclass
class SignedData:
    """GB/T 35275 (PKCS#7 with SM2) SignedData: what a digital signature (Type="Sign") holds."""

    cert: bytes
    alg: str
    signature: bytes
    content: bytes | None  # the embedded content, None when detached
    signed_attrs: bytes | None  # DER (as a SET) of the authenticated attributes, when present


def parse_signed_data(data: bytes) -> SignedData:
    top = _items(_load(data))
    if len(top) < 2 or not top[1].cls == 2:
        raise OfdError("不是 GB/T 35275 签名数据", "not_signed_data")
    inner = top[1].items()
    if not inner:
        raise OfdError("签名数据为空", "not_signed_data")
    body = _items(inner[0])
    certs: list[bytes] = []
    signer_infos: list[Node] = []
    content: bytes | None = None
    if len(body) >= 3 and body[2].universal(_SEQ):
        ci = body[2].items()
        if len(ci) >= 2 and ci[1].cls == 2:
            wrapped = ci[1].items()
            if wrapped and wrapped[0].universal(_OCTET):
                content = _bytes(wrapped[0])
    for node in body[3:]:
        if node.cls == 2 and node.tag == 0:
            certs = [c.raw for c in node.items()]
        elif node.universal(17):
            signer_infos = node.items()
    if not certs or not signer_infos:
        raise OfdError("签名数据缺少签名者证书或签名者信息", "not_signed_data")
    si = _items(signer_infos[0])
    signed_attrs: bytes | None = None
    rest = si[3:]
    if rest and rest[0].cls == 2 and rest[0].tag == 0:
        raw = rest[0].raw
        signed_attrs = b"\x31" + raw[1:]
        rest = rest[1:]
    if len(rest) < 2:
        raise OfdError("签名者信息不完整", "not_signed_data")
    return SignedData(certs[0], _oid(rest[0]), _bytes(rest[1]), content, signed_attrs)
