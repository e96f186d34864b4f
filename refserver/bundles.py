"""Signed content bundles for terminal groups: 办事指南, 政务公开 and a staff-settings overlay.

A bundle is published once (``refserver bundle publish``) and served to every terminal of its group
(``GET /v1/bundles/{group}``, with an ETag so an unchanged bundle costs a 304). The signature is the
issuer's SM2 over SM3 of the canonical JSON of the signed part, so a terminal trusts a bundle the
way it trusts a certificate record, whoever delivered it. Each publish bumps the version: a terminal
refuses a bundle older than the one it has, so an old (but genuinely signed) bundle cannot be
replayed to it.
"""

from __future__ import annotations

from typing import Any

from refserver.signing import Issuer, canonical_json
from refserver.store import Store

FILE_KEYS = ("matters", "disclosure", "overlay")


def signed_part(group: str, version: int, files: dict[str, str]) -> dict[str, Any]:
    return {"group": group, "version": version, "files": {k: files.get(k, "") for k in FILE_KEYS}}


def sign_bundle(group: str, version: int, files: dict[str, str], issuer: Issuer) -> dict[str, Any]:
    body = signed_part(group, version, files)
    value = issuer.sign(body)
    body["signature"] = {"algorithm": "SM2-SM3", "key_id": issuer.key_id, "value": value}
    return body


def etag(body: dict[str, Any]) -> str:
    """A strong validator: group, version and the first bytes of the signature (a re-signed
    bundle of the same version is another representation)."""
    return f'"{body["group"]}-{int(body["version"])}-{str(body["signature"]["value"])[:16]}"'


def publish(store: Store, group: str, files: dict[str, str], issuer: Issuer | None = None) -> dict[str, Any]:
    """Sign ``files`` as the group's next version and store it; returns the published bundle."""
    version = store.bundle_version(group) + 1
    body = sign_bundle(group, version, files, issuer or Issuer())
    store.put_bundle(group, version, body)
    return body


__all__ = ["FILE_KEYS", "canonical_json", "etag", "publish", "sign_bundle", "signed_part"]
