"""Request signing: the SM3 used for HMAC-SM3 is the same whether OpenSSL or gmssl computes it."""

from __future__ import annotations

import hmac
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kiosk.backend.signing import _HASHES, _GmsslSm3, sign_headers, signing_text


def test_sm3_standard_vector() -> None:
    # GB/T 32905-2016 example 1: SM3("abc")
    assert _GmsslSm3(b"abc").hexdigest() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert _HASHES["hmac-sm3"](b"abc").hexdigest() == _GmsslSm3(b"abc").hexdigest()


@given(st.binary(max_size=200), st.binary(max_size=100))
def test_hmac_sm3_backends_agree(key: bytes, message: bytes) -> None:
    pure: Any = _GmsslSm3
    assert hmac.new(key, message, pure).hexdigest() == hmac.new(key, message, _HASHES["hmac-sm3"]).hexdigest()


def test_signature_covers_every_part() -> None:
    base = ("POST", "/v1/certificates/query", b'{"a":1}', "T1", "secret", 1_800_000_000, "ab" * 16)
    reference = sign_headers(*base)["X-Signature"]
    for i, changed in (
        (0, "GET"),
        (1, "/v1/certificates/query?x=1"),
        (2, b'{"a":2}'),
        (5, 1_800_000_001),
        (6, "cd" * 16),
        (4, "other"),
    ):
        variant = list(base)
        variant[i] = changed
        assert sign_headers(*variant)["X-Signature"] != reference  # type: ignore[arg-type]
    assert signing_text("get", "/p", "1", "n", b"").startswith(b"GET\n/p\n1\nn\n")
    assert sign_headers(*base, algorithm="hmac-sm3")["X-Signature-Method"] == "HMAC-SM3"
