"""Issuer signatures on records: SM2 over SM3 of the canonical JSON (backend-api.md).

Canonical JSON: keys sorted, UTF-8, no insignificant white space, non-ASCII kept as is. The terminal
re-serialises the ``record`` object it received the same way and checks the signature, so anything
that changes one byte of the record (a face value, a date, the status) breaks the signature.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from gmssl import sm2

from refserver.demo_issuer_key import DEMO_KEY_ID, DEMO_PRIVATE_KEY_HEX, DEMO_PUBLIC_KEY_HEX


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Issuer:
    """One signing key (the demo issuer key unless told otherwise)."""

    def __init__(
        self,
        key_id: str = DEMO_KEY_ID,
        private_hex: str = DEMO_PRIVATE_KEY_HEX,
        public_hex: str = DEMO_PUBLIC_KEY_HEX,
    ) -> None:
        self.key_id = key_id
        self.public_hex = public_hex
        # gmssl strips a leading "04" with str.lstrip, which eats more than the prefix when the
        # x coordinate starts with 0 or 4, so hand it the bare 128 hex digits.
        bare = public_hex[2:] if len(public_hex) == 130 else public_hex
        self._sm2 = sm2.CryptSM2(private_key=private_hex, public_key=bare)

    def sign(self, record: dict[str, Any]) -> str:
        return str(self._sm2.sign_with_sm3(canonical_json(record), secrets.token_hex(32)))

    def verify(self, record: dict[str, Any], signature: str) -> bool:
        try:
            return bool(self._sm2.verify_with_sm3(signature, canonical_json(record)))
        except (ValueError, TypeError, IndexError):
            return False
