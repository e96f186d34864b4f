"""Issuer signatures on records: SM2 over SM3 of the canonical JSON (backend-api.md).

Canonical JSON: keys sorted, UTF-8, no insignificant white space, non-ASCII kept as is. The terminal
re-serialises the ``record`` object it received the same way and checks the signature, so anything
that changes one byte of the record (a face value, a date, the status) breaks the signature.

SM2 is the terminal's (kiosk.crypto.sm2, a stdlib-only module): OpenSSL's where it can be used, so
seeding the demo records takes milliseconds rather than a second of pure-Python signing.
"""

from __future__ import annotations

import json
from typing import Any

from kiosk.crypto import sm2
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
        self._private_hex = private_hex

    def sign(self, record: dict[str, Any]) -> str:
        return sm2.sign(self._private_hex, self.public_hex, canonical_json(record))

    def verify(self, record: dict[str, Any], signature: str) -> bool:
        return sm2.verify(self.public_hex, signature, canonical_json(record))
