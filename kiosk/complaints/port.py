"""What kiosk.complaints needs from the backend (HttpBackend, and its own-loop wrapper, have it)."""

from __future__ import annotations

from typing import Any, Protocol


class ComplaintChannel(Protocol):
    async def submit_complaint(self, ticket: str, sealed: bytes) -> str:
        """Hand in a sealed entry; the state the platform gives it. Raises BackendError."""

    async def complaint_status(self, ticket: str, code: str) -> dict[str, Any]:
        """``{"ticket", "state", "answer", "kind"}`` for the right code. Raises BackendError
        (NOT_FOUND for an unknown ticket or a wrong code, RATE_LIMITED after too many)."""
