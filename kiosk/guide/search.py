"""Search in the guide: Chinese substring, keyword, full pinyin or pinyin initials ("bdc" → 不动产登记).

The terminal has no system IME, so the screen offers a letter keypad and the index matches what a
citizen can type on it: initials (bdcdj), full pinyin without tones (budongchan), and Chinese text
(matter names, keywords, categories, material names) for searches typed elsewhere (tests, staff).
The index is built once per catalogue with pypinyin's phrase dictionary, which picks the right
reading of polyphonic characters in common words (登记 dengji, 银行 yinhang). pypinyin is imported on
first use (its dictionaries take most of a second to load): the guide screen warms the index in a
worker thread at start-up, so neither the app's start nor the first tap waits for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.guide.catalogue import Catalogue, Matter

_HAN = re.compile(r"[\u3400-\u9fff]+|[A-Za-z0-9]+")


def _runs(text: str) -> list[str]:
    return _HAN.findall(text)


def initials(text: str) -> str:
    """bdcdjesfzydj for 不动产登记（二手房转移登记）; Latin letters and digits kept, lower-cased."""
    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    for run in _runs(text):
        out.extend(p[:1] for p in lazy_pinyin(run, style=Style.FIRST_LETTER))
    return "".join(out).lower()


def full_pinyin(text: str) -> str:
    """budongchandengji... (no tones, no separators)."""
    from pypinyin import lazy_pinyin

    return "".join("".join(lazy_pinyin(run)) for run in _runs(text)).lower()


@dataclass(frozen=True, slots=True)
class _Entry:
    matter: Matter
    name: str
    name_initials: str
    name_pinyin: str
    words: tuple[str, ...]  # keywords + category
    words_initials: tuple[str, ...]
    words_pinyin: tuple[str, ...]
    extra: str  # department, materials: Chinese substring only


class MatterIndex:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._entries: list[_Entry] = []
        for m in catalogue.matters:
            words = (*m.keywords, m.category)
            self._entries.append(
                _Entry(
                    matter=m,
                    name=m.name,
                    name_initials=initials(m.name),
                    name_pinyin=full_pinyin(m.name),
                    words=words,
                    words_initials=tuple(initials(w) for w in words),
                    words_pinyin=tuple(full_pinyin(w) for w in words),
                    extra=" ".join([m.department, *(x.name for x in m.materials)]),
                )
            )

    def search(self, query: str) -> list[Matter]:
        """Matters matching ``query``, best first; an empty query gives the whole catalogue."""
        q = "".join(query.split()).lower()
        if not q:
            return list(self.catalogue.matters)
        scored: list[tuple[int, int, Matter]] = []
        for order, e in enumerate(self._entries):
            score = self._score(e, q)
            if score:
                scored.append((-score, order, e.matter))
        scored.sort(key=lambda t: (t[0], t[1]))
        return [m for _, _, m in scored]

    @staticmethod
    def _score(e: _Entry, q: str) -> int:
        if q.isascii():
            if not q.isalnum():
                return 0
            if e.name_initials.startswith(q) or e.name_pinyin.startswith(q):
                return 100
            if any(w.startswith(q) for w in e.words_initials + e.words_pinyin):
                return 80
            if q in e.name_initials or q in e.name_pinyin:
                return 60
            if any(q in w for w in e.words_initials + e.words_pinyin):
                return 40
            return 0
        if q in e.name:
            return 100 if e.name.startswith(q) else 90
        if any(q in w for w in e.words):
            return 70
        if q in e.extra:
            return 30
        return 0
