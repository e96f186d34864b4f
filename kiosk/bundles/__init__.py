"""Content and configuration from one place: signed bundles from the backend (issue 23 part 3).

A bundle carries ``matters.toml`` (办事指南), ``disclosure.toml`` (政务公开) and an overlay of the
settings staff may change, for a terminal group. The terminal polls (ETag), verifies the issuer's
SM2 signature, validates the content with the shipped files' own loaders, applies it when no citizen
is at the screen, keeps the previous one for rollback and audits every change (kiosk.bundles.service).
"""

from kiosk.bundles.bundle import Bundle, BundleRefused, check_bundle, overlay_config
from kiosk.bundles.port import BundleSource, FetchedBundle
from kiosk.bundles.service import BundleService
from kiosk.bundles.store import BundleStore

__all__ = [
    "Bundle",
    "BundleRefused",
    "BundleService",
    "BundleSource",
    "BundleStore",
    "FetchedBundle",
    "check_bundle",
    "overlay_config",
]
