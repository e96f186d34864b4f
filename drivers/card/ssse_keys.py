"""The social security card key scheme: block ciphers and key diversification (一卡一密).

WHY this lives in the driver although the terminal never holds a key: in the field the PSAM does
every computation below in hardware, and the terminal only compares answers (``ssse_auth``). The
same arithmetic is needed to personalise simulated cards and to build the simulated PSAM the tests
put in the reader's second slot, and both must agree with each other by construction, not by copy.

Diversification (PBOC / JR/T 0025 style, which the 人社部 key system follows: a master key in the
PSAM, one key per card derived from the card's own data):

* 3DES (16-byte key, 8-byte blocks): for an 8-byte factor ``D``,
  ``child = 3DES_K(D) || 3DES_K(D XOR FF…FF)``.
* SM4 (16-byte key, 16-byte blocks): ``child = SM4_K(D || (D XOR FF…FF))`` — the usual layout of
  SM4 PSAMs (GM/T 0016-style key derivation); newer social security cards use SM4.

Several levels (e.g. an issuer/city factor, then the card factor) apply the same step in turn.
3DES comes from pycryptodomex (``Cryptodome``), SM4 from gmssl: both are maintained libraries, and
neither is asked to pad (challenges are exactly one block).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Algorithm = Literal["3des", "sm4"]
ALGORITHMS: tuple[Algorithm, ...] = ("3des", "sm4")
FACTOR_BYTES = 8


def block_size(algorithm: Algorithm) -> int:
    """Bytes in one block: also the length of a challenge and of its cryptogram."""
    return 8 if algorithm == "3des" else 16


def encrypt_block(key: bytes, data: bytes, algorithm: Algorithm) -> bytes:
    """Encrypt exactly one block (ECB, no padding)."""
    if len(key) != 16:
        raise ValueError("a social security card key has 16 bytes")
    if len(data) != block_size(algorithm):
        raise ValueError(f"{algorithm}: one block is {block_size(algorithm)} bytes, got {len(data)}")
    if algorithm == "3des":
        from Cryptodome.Cipher import DES3

        return bytes(DES3.new(key, DES3.MODE_ECB).encrypt(data))
    if algorithm == "sm4":
        from gmssl.sm4 import SM4_ENCRYPT, CryptSM4

        cipher = CryptSM4(SM4_ENCRYPT, padding_mode=-1)  # neither PKCS7 nor ZERO: no padding
        cipher.set_key(key, SM4_ENCRYPT)
        return bytes(cipher.crypt_ecb(data))
    raise ValueError(f"unknown algorithm {algorithm!r}")


def diversify(key: bytes, factor: bytes, algorithm: Algorithm) -> bytes:
    """One level of diversification of a 16-byte ``key`` by an 8-byte ``factor``."""
    if len(factor) != FACTOR_BYTES:
        raise ValueError(f"a diversification factor has {FACTOR_BYTES} bytes, got {len(factor)}")
    inverse = bytes(b ^ 0xFF for b in factor)
    if algorithm == "3des":
        return encrypt_block(key, factor, algorithm) + encrypt_block(key, inverse, algorithm)
    return encrypt_block(key, factor + inverse, algorithm)


def derive(master: bytes, factors: Sequence[bytes], algorithm: Algorithm) -> bytes:
    """The card key: ``master`` diversified by each factor in turn (highest level first)."""
    key = master
    for factor in factors:
        key = diversify(key, factor, algorithm)
    return key


def card_factor(card_identifier: bytes) -> bytes:
    """The card-level factor: the last 8 bytes of the card identifier (EF05 record 01), as stored.

    On cards whose identifier ends with the chip serial, these are also the last 8 bytes of the
    ATR's historical bytes, which is where one public PSAM trace takes its factor from.
    """
    if len(card_identifier) < FACTOR_BYTES:
        raise ValueError("card identifier shorter than a diversification factor")
    return bytes(card_identifier[-FACTOR_BYTES:])
