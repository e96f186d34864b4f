"""Content and configuration bundles from the backend (kiosk.bundles): [bundles]."""

from __future__ import annotations

from pydantic import Field, model_validator

from kiosk.settings.base import Section


class BundlesConfig(Section):
    # off by default: a terminal takes content from the backend only when its operator says so
    enabled: bool = False
    # the terminal group whose bundle it takes (the backend publishes one bundle per group)
    # a letter or digit first: the group is a URL path segment, and "." or ".." would change the path
    group: str = Field(
        default="default", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
    )
    poll_seconds: float = Field(default=300.0, ge=5, le=86400)
    # which of backend.issuer_keys signs bundles; a bundle signed by any other key is refused
    signing_key_id: str = Field(default="", max_length=64)
    # seconds on the attract screen, untouched, before a fetched bundle is applied
    apply_after_rest_seconds: float = Field(default=10.0, ge=0, le=3600)

    @model_validator(mode="after")
    def _key_when_enabled(self) -> BundlesConfig:
        if self.enabled and not self.signing_key_id:
            raise ValueError("signing_key_id must name one of backend.issuer_keys when bundles are enabled")
        return self
