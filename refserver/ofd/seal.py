"""Electronic seals (GB/T 38540, the SES v4 structures of GM/T 0031) for the demo OFD files.

Only what the writer needs: the ASN.1 shapes (asn1crypto), a seal (SESeal: seal information, the
seal picture, signed by the demo seal maker) and a document signature (SES_Signature: TBS_Sign
with the seal, the signature time, the SM3 digest of Signature.xml and its path, signed by the
issuer's demo signer with SM2 and the default user id 1234567812345678).

WHY the seal maker signs the DER of SES_SealInfo alone: that is what the seals of other producers
in the shared samples carry (ofdrw), so one verifier reads both. Every seal here is a 演示印章 of
fictitious data; its picture says so.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from functools import lru_cache
from typing import ClassVar

from asn1crypto import core
from PIL import Image, ImageDraw, ImageFont

from refserver.copies import font as _load_font
from refserver.ofd.pki import NOT_AFTER, NOT_BEFORE, SM2_WITH_SM3_OID, DemoCA, Party, sm3_digest

SEAL_MM = 40  # the picture's size on the page (width = height, millimetres)
SEAL_PX = 480


class SESHeader(core.Sequence):
    _fields: ClassVar[list[tuple[str, type[core.Asn1Value]]]] = [
        ("id", core.IA5String),
        ("version", core.Integer),
        ("vid", core.IA5String),
    ]


class CertInfoList(core.SequenceOf):
    _child_spec: ClassVar[type[core.Asn1Value]] = core.OctetString


class SESPropertyInfo(core.Sequence):
    _fields: ClassVar[list[tuple[str, type[core.Asn1Value]]]] = [
        ("type", core.Integer),
        ("name", core.UTF8String),
        ("cert_list_type", core.Integer),
        ("cert_list", CertInfoList),
        ("create_date", core.GeneralizedTime),
        ("valid_start", core.GeneralizedTime),
        ("valid_end", core.GeneralizedTime),
    ]


class SESPictureInfo(core.Sequence):
    _fields: ClassVar[list[tuple[str, type[core.Asn1Value]]]] = [
        ("type", core.IA5String),
        ("data", core.OctetString),
        ("width", core.Integer),
        ("height", core.Integer),
    ]


class SESSealInfo(core.Sequence):
    _fields: ClassVar[list[tuple[str, type[core.Asn1Value]]]] = [
        ("header", SESHeader),
        ("es_id", core.IA5String),
        ("property", SESPropertyInfo),
        ("picture", SESPictureInfo),
    ]


class SESeal(core.Sequence):
    _fields: ClassVar[list[tuple[str, type[core.Asn1Value]]]] = [
        ("eseal_info", SESSealInfo),
        ("cert", core.OctetString),
        ("sign_alg_id", core.ObjectIdentifier),
        ("signed_value", core.OctetBitString),
    ]


class TBSSign(core.Sequence):
    _fields: ClassVar[list[tuple[str, type[core.Asn1Value]]]] = [
        ("version", core.Integer),
        ("eseal", SESeal),
        ("time_info", core.GeneralizedTime),
        ("data_hash", core.OctetBitString),
        ("property_info", core.IA5String),
    ]


class SESSignature(core.Sequence):
    _fields: ClassVar[list[tuple[str, type[core.Asn1Value]]]] = [
        ("to_sign", TBSSign),
        ("cert", core.OctetString),
        ("signature_alg_id", core.ObjectIdentifier),
        ("signature", core.OctetBitString),
    ]


SEAL_TYPE_OFFICIAL = 1  # 单位公章 (GB/T 38540: 1 单位印章, 2 个人印章)
CERT_LIST_CERTS = 1  # the seal names its signers' certificates themselves (not their digests)


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The Simplified Chinese face at ``size``, loaded once (a CJK collection takes tens of ms)."""
    return _load_font(size)


@lru_cache(maxsize=16)
def seal_picture(issuer_name: str) -> bytes:
    """A round red seal: the issuer along the rim, a star, 演示印章 and 测试数据 across (PNG)."""
    size = SEAL_PX
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    red = (200, 20, 20, 235)
    centre = size / 2
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=14)
    _star(draw, centre, centre - 10, 70, red)
    rim = font(46)
    text = issuer_name[:16]
    span = min(250.0, 18.0 * len(text))  # degrees the name covers along the top
    radius = size / 2 - 62
    for i, ch in enumerate(text):
        angle = -span / 2 + span * (i + 0.5) / len(text)  # 0 = straight up, clockwise positive
        glyph = Image.new("RGBA", (64, 64), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((32, 32), ch, font=rim, fill=red, anchor="mm")
        glyph = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
        rad = math.radians(angle)
        x = centre + radius * math.sin(rad)
        y = centre - radius * math.cos(rad)
        img.alpha_composite(glyph, (round(x - 32), round(y - 32)))
    draw.text((centre, centre + 92), "演示印章", font=font(44), fill=red, anchor="mm")
    draw.text((centre, centre + 146), "测试数据", font=font(30), fill=red, anchor="mm")
    out = io.BytesIO()
    # a few colours are enough for a one-colour seal: a palette PNG is a fifth of the RGBA one
    img.quantize(colors=16, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
    return out.getvalue()


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill: tuple[int, ...]) -> None:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = math.radians(-90 + 36 * i)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=fill)


def make_seal(ca: DemoCA, signer: Party, issuer_code: str, issuer_name: str) -> bytes:
    """The DER of a SESeal for ``issuer_name``, usable by ``signer``, signed by the demo maker."""
    info = SESSealInfo(
        {
            "header": {"id": "ES", "version": 4, "vid": "refserver-demo"},
            "es_id": "DEMO" + issuer_code,
            "property": {
                "type": SEAL_TYPE_OFFICIAL,
                "name": f"{issuer_name}电子印章（演示印章，测试数据）",
                "cert_list_type": CERT_LIST_CERTS,
                "cert_list": [signer.cert],
                "create_date": NOT_BEFORE,
                "valid_start": NOT_BEFORE,
                "valid_end": NOT_AFTER,
            },
            "picture": {
                "type": "PNG",
                "data": seal_picture(issuer_name),
                "width": SEAL_MM,
                "height": SEAL_MM,
            },
        }
    )
    seal = SESeal(
        {
            "eseal_info": info,
            "cert": ca.maker.cert,
            "sign_alg_id": SM2_WITH_SM3_OID,
            "signed_value": ca.maker.key.sign_der(info.dump()),
        }
    )
    return bytes(seal.dump())


def sign_document(seal_der: bytes, signer: Party, signature_xml: bytes, path: str, at: datetime) -> bytes:
    """The DER of an SES_Signature over ``signature_xml`` (the file at ``path`` in the package)."""
    tbs = TBSSign(
        {
            "version": 4,
            "eseal": SESeal.load(seal_der),
            "time_info": at,
            "data_hash": sm3_digest(signature_xml),
            "property_info": path,
        }
    )
    signed = SESSignature(
        {
            "to_sign": tbs,
            "cert": signer.cert,
            "signature_alg_id": SM2_WITH_SM3_OID,
            "signature": signer.key.sign_der(tbs.dump()),
        }
    )
    return bytes(signed.dump())
