"""Sealing an entry to the platform's SM2 public key (GM/T 0003.4 encryption, C1C3C2).

WHY: what a citizen writes in a complaint or report, and their phone number, must not lie readable
on the terminal's disk while the outbox waits for the network, nor in a copy of the disk. The
terminal encrypts each entry to the platform's public key the moment it is submitted and keeps only
the ciphertext; it holds no key that can open it. Only the platform (the reference server with its
demo key, refserver/complaints.py) decrypts.

gmssl's CryptSM2 does the point arithmetic and the SM3 KDF; two of its rough edges are avoided here:
its constructor strips leading '0' and '4' characters from a key given with the 04 prefix
(``lstrip("04")``), so the bare x||y is passed; and its ciphertext lacks the 04 prefix of C1, which
the standard's encoding has, so it is added.
"""

from __future__ import annotations

from gmssl import sm2

_P = int(sm2.default_ecc_table["p"], 16)
_A = int(sm2.default_ecc_table["a"], 16)
_B = int(sm2.default_ecc_table["b"], 16)


class SealError(ValueError):
    """The key is not an SM2 public key, or the data could not be sealed."""


def bare_key(public_key_hex: str) -> str:
    key = public_key_hex.lower()
    return key[2:] if len(key) == 130 and key.startswith("04") else key


def on_curve(xy_hex: str) -> bool:
    if len(xy_hex) != 128:
        return False
    try:
        x, y = int(xy_hex[:64], 16), int(xy_hex[64:], 16)
    except ValueError:
        return False
    return x < _P and y < _P and (y * y - (x * x * x + _A * x + _B)) % _P == 0


def check_public_key(public_key_hex: str) -> str:
    """The bare x||y of a valid key; :class:`SealError` for anything that is not a curve point."""
    key = bare_key(public_key_hex)
    if not on_curve(key):
        raise SealError("not a point of the SM2 curve")
    return key


def seal(data: bytes, public_key_hex: str) -> bytes:
    """``04 || C1(x||y) || C3 || C2``: readable only with the private key of ``public_key_hex``."""
    key = check_public_key(public_key_hex)
    out = sm2.CryptSM2(private_key=None, public_key=key, mode=1).encrypt(data)
    if not out:
        raise SealError("SM2 encryption failed (KDF gave zero; try again)")
    return b"\x04" + bytes(out)
