"""The 办事指南 and 政务公开 content the screens show: the applied bundle's, else the shipped files.

The controller holds the applied bundle (``controller.content``, set only at rest); screens and the
checklist print ask here, so a page opened after a bundle was applied shows its content, and a
terminal that never received one shows ``config/matters.toml`` and ``config/disclosure.toml``.
"""

from __future__ import annotations

from typing import Any

from kiosk.disclosure.model import Disclosure, default_disclosure
from kiosk.guide.catalogue import Catalogue, default_catalogue


def catalogue_for(controller: Any) -> Catalogue:
    content = getattr(controller, "content", None)
    return content.catalogue if content is not None else default_catalogue()


def disclosure_for(controller: Any) -> Disclosure:
    content = getattr(controller, "content", None)
    return content.disclosure if content is not None else default_disclosure()
