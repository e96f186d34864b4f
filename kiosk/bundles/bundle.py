"""Checking a bundle before the terminal trusts it: signature, version, content.

The signature is the issuer's SM2 over SM3 of the canonical JSON of ``{"files", "group",
"version"}``, checked with the terminal's own ``backend.issuer_keys`` and only the key named by
``bundles.signing_key_id`` — the same trust as a certificate record (kiosk.backend.verify), so a
bundle is believed because of who signed it, never because of who delivered it. The content goes
through the loaders the shipped files go through (``kiosk guide check``): the matter catalogue, the
disclosure, and the overlay limited to what staff may set (the staff file's rule in
kiosk.settings.loader) and then valid as a whole configuration.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.backend.canonical import canonical_json
from kiosk.backend.verify import sm2_verify
from kiosk.disclosure.model import Disclosure
from kiosk.guide.catalogue import Catalogue, parse_catalogue
from kiosk.guide.content import ContentError, validate
from kiosk.settings.model import KioskConfig

MAX_FILE_CHARS = 1_000_000  # one file of a bundle; the client's body cap bounds the whole answer


class BundleRefused(Exception):
    """``kind``: signature | invalid | older (a rollback attack) | group; ``reason`` for the audit."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(kind, reason)  # both in args: it pickles back from the verifier process
        self.kind = kind
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Files(_Strict):
    matters: str = Field(max_length=MAX_FILE_CHARS)
    disclosure: str = Field(max_length=MAX_FILE_CHARS)
    overlay: str = Field(default="", max_length=MAX_FILE_CHARS)


class _Signature(_Strict):
    algorithm: str = Field(max_length=20)
    key_id: str = Field(max_length=64)
    value: str = Field(max_length=200)


class WireBundle(_Strict):
    group: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=1, lt=2**53)
    files: _Files
    signature: _Signature

    def signed_bytes(self) -> bytes:
        return canonical_json(
            {"group": self.group, "version": self.version, "files": self.files.model_dump()}
        )


@dataclass(frozen=True)
class Bundle:
    """A bundle that passed every check: what the terminal may apply."""

    wire: WireBundle
    catalogue: Catalogue
    disclosure: Disclosure
    overlay: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> int:
        return self.wire.version

    @property
    def group(self) -> str:
        return self.wire.group


def parse_wire(body: Mapping[str, Any]) -> WireBundle:
    try:
        return WireBundle.model_validate(dict(body))
    except ValidationError as exc:
        raise BundleRefused("invalid", f"answer is not a bundle ({exc.error_count()} problems)") from None


def check_signature(wire: WireBundle, issuer_keys: Mapping[str, str], key_id: str) -> None:
    sig = wire.signature
    if sig.algorithm != "SM2-SM3" or sig.key_id != key_id:
        raise BundleRefused("signature", f"signed with {sig.algorithm}/{sig.key_id}, not SM2-SM3/{key_id}")
    public = issuer_keys.get(key_id)
    if not public:
        raise BundleRefused("signature", f"bundle signing key {key_id!r} is not among backend.issuer_keys")
    if not sm2_verify(public, sig.value, wire.signed_bytes()):
        raise BundleRefused("signature", "SM2 signature does not match the content")


def _toml(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BundleRefused("invalid", f"{name}: TOML 格式错误：{exc}") from None


def overlay_config(base: KioskConfig, overlay: Mapping[str, Any]) -> KioskConfig:
    """``base`` with the overlay's values laid over it, validated as a whole configuration."""
    from kiosk.settings.loader import _merge

    data = base.model_dump()
    _merge(data, overlay)
    return KioskConfig.model_validate(data)


def _leaf_paths(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            out += _leaf_paths(value, (*prefix, key))
        else:
            out.append((*prefix, key))
    return out


def swap_overlay(
    current: KioskConfig, base: KioskConfig, old: Mapping[str, Any], new: Mapping[str, Any]
) -> KioskConfig:
    """The running configuration with the old bundle's overlay taken off and the new one laid on.

    WHY not simply ``base`` + new overlay: ``base`` is the configuration the terminal started with,
    and staff may have changed settings on the admin page since (saved, applied live); those stay.
    A key the old overlay set goes back to the terminal's own value unless the new one sets it.
    """
    from kiosk.settings.loader import _merge

    data, start = current.model_dump(), base.model_dump()
    for path in _leaf_paths(old):
        here, there = data, start
        for key in path[:-1]:
            here, there = here.get(key, {}), there.get(key, {})
        if isinstance(here, dict) and isinstance(there, dict) and path[-1] in there:
            here[path[-1]] = there[path[-1]]
    _merge(data, new)
    try:
        return KioskConfig.model_validate(data)
    except ValidationError:  # a staff change that conflicts with the new overlay: the overlay wins
        return overlay_config(base, new)


def check_overlay(overlay: dict[str, Any], base: KioskConfig) -> None:
    """Only what staff may change on the admin page (the staff file's rule), and valid with the rest."""
    from kiosk.settings.loader import _Layer, _not_staff_settings

    problems = _not_staff_settings(_Layer("bundle overlay", overlay, "staff"))
    if problems:
        raise BundleRefused("invalid", "; ".join(f"{p.field}: {p.reason}" for p in problems[:5]))
    try:
        overlay_config(base, overlay)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise BundleRefused("invalid", f"overlay {where}: {first.get('msg', 'invalid')}") from None


def check_content(wire: WireBundle, base: KioskConfig) -> Bundle:
    files = wire.files
    try:
        catalogue = parse_catalogue(_toml(files.matters, "matters.toml"), "bundle matters.toml")
        disclosure = validate(
            Disclosure, _toml(files.disclosure, "disclosure.toml"), "bundle disclosure.toml"
        )
    except ContentError as exc:
        raise BundleRefused("invalid", str(exc)[:500]) from None
    overlay = _toml(files.overlay, "overlay.toml") if files.overlay.strip() else {}
    check_overlay(overlay, base)
    return Bundle(wire, catalogue, disclosure, overlay)


def check_bundle(
    body: Mapping[str, Any],
    *,
    group: str,
    issuer_keys: Mapping[str, str],
    key_id: str,
    base: KioskConfig,
    current_version: int,
) -> Bundle:
    """Every check, cheapest that can refuse first except that nothing unsigned is parsed as content."""
    wire = parse_wire(body)
    if wire.group != group:
        raise BundleRefused("group", f"bundle is for group {wire.group!r}, this terminal is in {group!r}")
    check_signature(wire, issuer_keys, key_id)
    if wire.version <= current_version:
        raise BundleRefused("older", f"version {wire.version} is not newer than {current_version}")
    return check_content(wire, base)


def check_bundle_in_worker(
    body: dict[str, Any],
    group: str,
    issuer_keys: dict[str, str],
    key_id: str,
    base: KioskConfig,
    current_version: int,
) -> Bundle:
    """:func:`check_bundle` with positional arguments, for kiosk.backend.verifier's process."""
    return check_bundle(
        body, group=group, issuer_keys=issuer_keys, key_id=key_id, base=base, current_version=current_version
    )
