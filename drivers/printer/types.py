"""The printer driver's own small types: a status snapshot, a typed error and paper widths.

They satisfy ``kiosk.ports.PrinterStatusLike`` by shape; this package imports nothing from ``kiosk``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Paper = Literal["ok", "near_end", "out", "unknown"]
FailureReason = Literal["offline", "paper_out", "cover_open", "timeout", "io"]

#: Printable width in dots at 203 dpi (8 dots/mm): what every 58/80 mm thermal printer accepts.
PAPER_WIDTH_DOTS: dict[int, int] = {58: 384, 80: 576}


def paper_width_dots(paper_mm: int) -> int:
    """Dots across the printable width for a paper roll of ``paper_mm`` (58 or 80)."""
    try:
        return PAPER_WIDTH_DOTS[paper_mm]
    except KeyError:
        raise ValueError(f"unsupported paper width {paper_mm} mm (58 or 80)") from None


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """One status snapshot. ``None`` / ``"unknown"`` mean the printer did not answer: never "ok"."""

    online: bool | None
    cover_open: bool | None
    paper: Paper

    @property
    def answered(self) -> bool:
        return self.online is not None or self.cover_open is not None or self.paper != "unknown"

    @classmethod
    def unknown(cls) -> PrinterStatus:
        return cls(online=None, cover_open=None, paper="unknown")


class PrinterError(OSError):
    """A print that did not happen (or may not have completed).

    ``reason`` is stable for code and tests: ``offline``, ``paper_out``, ``cover_open``, ``timeout``,
    ``io``. It is an ``OSError`` so that callers that only know the port contract can catch it.
    """

    def __init__(self, reason: FailureReason, detail: str = "") -> None:
        super().__init__(f"printer {reason}" + (f": {detail}" if detail else ""))
        self.reason: FailureReason = reason
        self.detail = detail


def refuse_if_not_ready(status: PrinterStatus) -> None:
    """Raise before sending a job when the printer *said* it cannot print.

    Silence (unknown) is not a refusal: many printers and links (CUPS, some network boxes) never
    answer status queries, and they still print.
    """
    if status.online is False:
        raise PrinterError("offline", "printer reports offline")
    if status.cover_open is True:
        raise PrinterError("cover_open", "printer reports cover open")
    if status.paper == "out":
        raise PrinterError("paper_out", "printer reports paper end")
