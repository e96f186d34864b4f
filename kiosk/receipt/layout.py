"""A small declarative description of a receipt: what is on it, not how it is drawn.

Contents functions (:mod:`kiosk.receipt.contents`) build a :class:`Receipt`;
:func:`kiosk.receipt.render.render` draws it once into a 1-bit image of the paper width. Keeping
the two apart lets tests check the contents as data and the screens show the same receipt as a
preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kiosk.i18n import _

# the demo's mark on every receipt (the banner top and bottom); the phone text's mark
TEST_LABEL = "测试数据 · 非真实信息"

Align = Literal["left", "center"]


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph, wrapped to the paper width.

    ``fixed``: the text is the same for any citizen (a notice, a heading), so the renderer may
    remember its drawn lines from one receipt to the next. Left False, the text is treated as
    personal and forgotten when the receipt is drawn (kiosk.receipt.render).
    """

    text: str
    size: Literal["small", "normal", "large"] = "normal"
    bold: bool = False
    align: Align = "left"
    fixed: bool = False


@dataclass(frozen=True, slots=True)
class Field:
    """``label：value``; the value wraps under itself, beside the label.

    The label is always fixed wording; ``fixed`` says the value is too (a status, the terminal's
    name), as for :class:`Text`. Left False, the value is treated as personal.
    """

    label: str
    value: str
    size: Literal["small", "normal"] = "normal"
    fixed: bool = False

    @property
    def caption(self) -> str:
        """The label with its colon: full-width after Chinese (证件号码：), ": " after an English
        label (Ticket: …), as each language writes it."""
        return f"{self.label}: " if self.label[-1:].isascii() else f"{self.label}："


@dataclass(frozen=True, slots=True)
class Separator:
    """A rule across the paper: ``solid`` or ``dashed`` (between certificates)."""

    style: Literal["solid", "dashed"] = "dashed"


@dataclass(frozen=True, slots=True)
class Qr:
    """A QR code, centred, with an optional caption under it."""

    data: str
    caption: str = ""
    share: float = 0.6  # fraction of the paper width the code takes (before the quiet zone)


@dataclass(frozen=True, slots=True)
class Space:
    dots: int = 12


Block = Text | Field | Separator | Qr | Space


@dataclass(frozen=True, slots=True)
class Receipt:
    """Title, body blocks and footer lines. ``test_data`` adds a 测试数据 banner top and bottom."""

    title: str
    blocks: tuple[Block, ...] = ()
    subtitle: str = ""
    footer: tuple[str, ...] = ()
    test_data: bool = False
    # the banner's words in the language the receipt was made in (drawn later, in a worker thread)
    test_label: str = field(default_factory=lambda: _(TEST_LABEL))
    kind: str = "receipt"  # certificate_list | rating_thanks | test_page: for logs and metrics
    meta: dict[str, str] = field(default_factory=dict)  # non-personal facts (receipt id, terminal id)

    def qr_payloads(self) -> list[str]:
        return [b.data for b in self.blocks if isinstance(b, Qr)]
