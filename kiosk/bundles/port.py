"""What the bundle poller needs from the backend: one conditional fetch (kiosk.backend.client)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class FetchedBundle:
    """A bundle answer as the backend sent it: its ETag and the parsed JSON, not yet trusted."""

    etag: str
    body: dict[str, Any]


class BundleSource(Protocol):
    async def fetch_bundle(self, group: str, etag: str | None = None) -> FetchedBundle | None:
        """The group's bundle, or None when ``etag`` still names it (304 Not Modified)."""
        ...
