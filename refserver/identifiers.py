"""Check characters the server needs to mint demo identifiers.

Deliberately a small copy of the arithmetic in ``kiosk/domain/identifiers.py``: the reference server
is a separate program standing in for a provincial platform and must not import the terminal. The
kiosk tests check identifiers minted here with the kiosk's own code, so the two copies cannot drift
apart unnoticed.
"""

from __future__ import annotations

CERT_ROOT = "1.2.156.3005.2"
_MOD37 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def mod37_36_check(payload: str) -> str:
    """ISO/IEC 7064 MOD 37,36 check character (GB/T 36904)."""
    p = 36
    for ch in payload:
        r = (p + _MOD37.index(ch)) % 36 or 36
        p = (2 * r) % 37
    return _MOD37[(37 - p) % 36]


def certificate_identifier(type_code: str, issuer_code: str, serial: str, version: str = "001") -> str:
    check = mod37_36_check(f"{type_code}{issuer_code}{serial}{version}")
    return f"{CERT_ROOT}.{type_code}.{issuer_code}.{serial}.{version}.{check}"


def identifier_ok(identifier: str) -> bool:
    """True when the identifier's last part is the right check character."""
    if not identifier.startswith(CERT_ROOT + "."):
        return False
    parts = identifier[len(CERT_ROOT) + 1 :].split(".")
    if len(parts) < 5:
        return False
    try:
        return mod37_36_check("".join(parts[:-1])) == parts[-1]
    except ValueError:
        return False


def credit_code(first17: str) -> str:
    """Complete a GB 32100 unified social credit code with its check character."""
    total = sum(_USCC.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + _USCC[(31 - total % 31) % 31]
