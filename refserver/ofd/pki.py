"""The reference server's DEMO certificate authority for electronic seals (演示用，测试数据).

WHY derived, not stored: every key here comes from the committed demo issuer seed
(``refserver/demo_issuer_key.py``) through SM3 with a label, and every signature uses a nonce
derived from the key and the message, so the CA, the seal maker's and the signers' certificates,
the seals and the sealed OFD files are the same bytes on every machine and at every start. A record
can then carry its file's SM3 digest while the file itself is made again on request. None of this
is secret: it is demo material that protects nothing, and every name in it says 演示 / 测试数据.

Chain: 演示电子印章根CA (self-signed) → 演示制章人 (signs the seals) and one 演示签章人 per issuer
(signs the documents). X.509 v3 with SM2 keys (curve sm2p256v1) and SM2-with-SM3 signatures, built
with asn1crypto; SM2 itself is gmssl's (the project's SM2, as in ``refserver/signing.py``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from asn1crypto import algos, core, keys, pem, x509
from gmssl import func, sm2, sm3

from refserver.demo_issuer_key import DEMO_PRIVATE_KEY_HEX

SM2_CURVE_OID = "1.2.156.10197.1.301"
SM2_WITH_SM3_OID = "1.2.156.10197.1.501"
SM3_OID = "1.2.156.10197.1.401"
# the order of the SM2 group (GB/T 32918.5)
_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)

# Fixed, so the certificates are the same bytes at every start (see the module docstring).
NOT_BEFORE = datetime(2025, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2045, 12, 31, 23, 59, 59, tzinfo=UTC)

keys.NamedCurve.register("sm2p256v1", SM2_CURVE_OID, 32)


def sm3_digest(data: bytes) -> bytes:
    """SM3 from OpenSSL (hashlib) where it has it, else gmssl's pure-Python SM3.

    WHY: gmssl hashes about 130 KB a second, and a seal picture alone is tens of kilobytes, hashed
    for the references and again inside every signature.
    """
    if _OPENSSL_SM3:
        return hashlib.new("sm3", data).digest()
    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))


def _has_openssl_sm3() -> bool:
    try:
        return hashlib.new("sm3", b"abc").hexdigest().startswith("66c7f0f4")
    except ValueError:
        return False


_OPENSSL_SM3 = _has_openssl_sm3()
# SM2's Z value (GB/T 32918.2) starts with the default user id 1234567812345678 and its bit length
_DEFAULT_ID = b"1234567812345678"


def _derived_private(label: str) -> int:
    """A private key from the demo seed and a label: SM3(seed ‖ label) reduced into [1, n-1]."""
    digest = sm3_digest(bytes.fromhex(DEMO_PRIVATE_KEY_HEX) + label.encode("utf-8"))
    return int.from_bytes(digest, "big") % (_N - 1) + 1


class DemoKey:
    """One SM2 key pair (demo only), signing with a nonce derived from the key and the message."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._d = _derived_private(label)
        probe = sm2.CryptSM2(private_key=f"{self._d:064x}", public_key="")
        self.public_bare = str(probe._kg(self._d, probe.ecc_table["g"]))  # x ‖ y, 128 hex digits
        self._sm2 = sm2.CryptSM2(private_key=f"{self._d:064x}", public_key=self.public_bare)

    @property
    def public_point(self) -> bytes:
        return bytes.fromhex("04" + self.public_bare)

    def sign_raw(self, message: bytes) -> bytes:
        """SM2 with SM3 and the default user id 1234567812345678: r ‖ s, 64 bytes."""
        for counter in range(16):
            k = (
                int.from_bytes(
                    sm3_digest(f"{self._d:064x}".encode() + sm3_digest(message) + bytes([counter])), "big"
                )
                % (_N - 1)
                + 1
            )
            value = self._sm2.sign(self._digest(message), f"{k:064x}")
            if value:
                return bytes.fromhex(value)
        raise RuntimeError("SM2 signing found no usable nonce")  # not expected: 16 tries

    def _digest(self, message: bytes) -> bytes:
        """e = SM3(Z ‖ M), Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA): what gmssl's
        ``sign_with_sm3`` computes, with the faster SM3."""
        table = self._sm2.ecc_table
        z = sm3_digest(
            len(_DEFAULT_ID * 8).to_bytes(2, "big")
            + _DEFAULT_ID
            + bytes.fromhex(table["a"] + table["b"] + table["g"] + self.public_bare)
        )
        return sm3_digest(z + message)

    def sign_der(self, message: bytes) -> bytes:
        """The signature as DER SEQUENCE { r, s } (X.509 and GB/T 38540 carry it so)."""
        return bytes(algos.DSASignature.from_p1363(self.sign_raw(message)).dump())

    def public_key_info(self) -> keys.PublicKeyInfo:
        return keys.PublicKeyInfo(
            {
                "algorithm": {
                    "algorithm": "ec",
                    "parameters": keys.ECDomainParameters(name="named", value="sm2p256v1"),
                },
                "public_key": self.public_point,
            }
        )


def _name(common: str, unit: str) -> x509.Name:
    return x509.Name.build(
        {
            "country_name": "CN",
            "organization_name": "测试数据 演示电子印章体系（非真实机构）",
            "organizational_unit_name": unit,
            "common_name": common,
        },
        use_printable=False,
    )


def _key_id(key: DemoKey) -> bytes:
    return sm3_digest(key.public_point)[:20]


def _certificate(
    serial: int,
    subject: x509.Name,
    key: DemoKey,
    issuer: x509.Name,
    issuer_key: DemoKey,
    *,
    ca: bool,
) -> bytes:
    usage = {"key_cert_sign", "crl_sign"} if ca else {"digital_signature", "non_repudiation"}
    extensions = [
        {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": ca}},
        {"extn_id": "key_usage", "critical": True, "extn_value": usage},
        {"extn_id": "key_identifier", "critical": False, "extn_value": _key_id(key)},
        {
            "extn_id": "authority_key_identifier",
            "critical": False,
            "extn_value": {"key_identifier": _key_id(issuer_key)},
        },
    ]
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": serial,
            "signature": {"algorithm": SM2_WITH_SM3_OID},
            "issuer": issuer,
            "validity": {
                "not_before": x509.Time(name="utc_time", value=NOT_BEFORE),
                "not_after": x509.Time(name="utc_time", value=NOT_AFTER),
            },
            "subject": subject,
            "subject_public_key_info": key.public_key_info(),
            "extensions": extensions,
        }
    )
    cert = x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": {"algorithm": SM2_WITH_SM3_OID},
            "signature_value": issuer_key.sign_der(tbs.dump()),
        }
    )
    return bytes(cert.dump())


@dataclass(frozen=True)
class Party:
    """A key with its certificate (DER)."""

    key: DemoKey
    cert: bytes


@dataclass(frozen=True)
class DemoCA:
    """The demo root, the seal maker, and a signer per issuer code (made on first use)."""

    root: Party
    maker: Party
    seed_label: str

    @property
    def root_pem(self) -> str:
        return pem.armor("CERTIFICATE", self.root.cert).decode("ascii")

    def signer(self, issuer_code: str, issuer_name: str) -> Party:
        return _signer(self.seed_label, issuer_code, issuer_name)


_ROOT_NAME = ("测试数据 演示电子印章根CA（非真实，仅供演示）", "演示根CA")


@lru_cache(maxsize=4)
def demo_ca(seed_label: str = "refserver-ofd-demo-ca-2026") -> DemoCA:
    """The demo CA. ``seed_label`` makes another, unrelated CA (tests: a seal from an unknown CA)."""
    root_key = DemoKey(f"{seed_label}/root")
    root_name = _name(*_ROOT_NAME)
    root = Party(root_key, _certificate(1, root_name, root_key, root_name, root_key, ca=True))
    maker_key = DemoKey(f"{seed_label}/maker")
    maker_name = _name("测试数据 演示制章人（非真实）", "演示制章")
    maker = Party(maker_key, _certificate(2, maker_name, maker_key, root_name, root_key, ca=False))
    return DemoCA(root, maker, seed_label)


@lru_cache(maxsize=64)
def _signer(seed_label: str, issuer_code: str, issuer_name: str) -> Party:
    ca = demo_ca(seed_label)
    key = DemoKey(f"{seed_label}/signer/{issuer_code}")
    serial = int.from_bytes(sm3_digest(issuer_code.encode("utf-8"))[:8], "big") | 1 << 63
    subject = _name(f"{issuer_name}（演示签章人，测试数据）", "演示签章")
    return Party(key, _certificate(serial, subject, key, _name(*_ROOT_NAME), ca.root.key, ca=False))


def der_to_pem(der: bytes) -> str:
    return pem.armor("CERTIFICATE", der).decode("ascii")


__all__ = [
    "NOT_AFTER",
    "NOT_BEFORE",
    "SM2_WITH_SM3_OID",
    "SM3_OID",
    "DemoCA",
    "DemoKey",
    "Party",
    "demo_ca",
    "der_to_pem",
    "sm3_digest",
]

_ = core  # asn1crypto.core is what the seal structures (refserver.ofd.seal) are built from
