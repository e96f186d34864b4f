"""办事指南 · 一件事一次办: the matter catalogue (content in config/matters.toml), 免证 readiness of an
identified citizen, search with pinyin, and the printable checklist. No Kivy here."""

from kiosk.guide.catalogue import Catalogue, Material, Matter, default_catalogue, load_catalogue
from kiosk.guide.content import ContentError, Problem
from kiosk.guide.matching import MaterialCheck, MaterialState, Readiness, readiness, session_readiness
from kiosk.guide.search import MatterIndex

__all__ = [
    "Catalogue",
    "ContentError",
    "Material",
    "MaterialCheck",
    "MaterialState",
    "Matter",
    "MatterIndex",
    "Problem",
    "Readiness",
    "default_catalogue",
    "load_catalogue",
    "readiness",
    "session_readiness",
]
