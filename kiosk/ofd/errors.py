"""Errors and limits of the OFD reader.

Every problem a file can have reaches the caller as one :class:`OfdError` with a plain-Chinese
reason (shown to the citizen or the window clerk) and a short English code (for logs and tests),
never as a zipfile, XML or Pillow exception: an OFD file comes from outside the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass


class OfdError(Exception):
    """The file cannot be read as an OFD document (or breaks a limit)."""

    def __init__(self, reason: str, code: str = "invalid") -> None:
        super().__init__(reason, code)
        self.reason = reason
        self.code = code

    def __str__(self) -> str:
        return f"{self.reason} ({self.code})"


@dataclass(frozen=True)
class OfdLimits:
    """Caps on what one file may make the terminal read, decode and draw.

    WHY so many: a zip entry's declared size can lie (a bomb), an image header can ask for a
    gigapixel canvas, a page can hold a million objects; each cap bounds memory or time on its own.
    The defaults fit real certificates and invoices (a few hundred KB, one to a few pages).
    """

    max_file_bytes: int = 20 * 1024 * 1024
    max_entry_bytes: int = 16 * 1024 * 1024
    max_total_bytes: int = 64 * 1024 * 1024
    max_entries: int = 2000
    max_image_pixels: int = 40_000_000
    max_pages: int = 500
    max_xml_bytes: int = 8 * 1024 * 1024
    max_objects_per_page: int = 100_000
    max_nesting: int = 32
    max_render_pixels: int = 60_000_000
    max_signatures: int = 64


DEFAULT_LIMITS = OfdLimits()
