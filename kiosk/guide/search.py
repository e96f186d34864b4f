"""Search in the guide: Chinese substring, keyword, full pinyin or pinyin initials ("bdc" → 不动产登记).

The terminal has no system IME, so the screen offers a letter keypad and the index matches what a
citizen can type on it: initials (bdcdj), full pinyin without tones (budongchan), and Chinese text
(matter names, keywords, categories, material names) for searches typed elsewhere (tests, staff).
The index is built once per catalogue with pypinyin's phrase dictionary, which picks the right
reading of polyphonic characters in common words (登记 dengji, 银行 yinhang). pypinyin is imported on
first use (its dictionaries take most of a second to load): the guide screen warms the index in a
worker thread at start-up, so neither the app's start nor the first tap waits for it.

WHY the readings come from a child process (:func:`readings`): pypinyin's dictionaries stayed in
the terminal's memory for good once loaded (about 55 MB resident, a sixth of it at rest) to spell
a few hundred short strings once. The child (``python -m kiosk.guide.search``, below the
screen's priority) spells them and exits; where it cannot run, they are spelled here.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.guide.catalogue import Catalogue, Matter

_HAN = re.compile(r"[\u3400-\u9fff]+|[A-Za-z0-9]+")
log = logging.getLogger(__name__)
CHILD_NICE = 10


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


def _spell(texts: list[str]) -> list[tuple[str, str]]:
    return [(initials(t), full_pinyin(t)) for t in texts]


def readings(texts: Iterable[str]) -> dict[str, tuple[str, str]]:
    """``{text: (initials, full pinyin)}``, spelled by a child process (see the module's WHY)."""
    unique = sorted(set(texts))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kiosk.guide.search"],
            input=json.dumps(unique),
            capture_output=True,
            encoding="utf-8",
            timeout=120,
            check=True,
        )
        spelled = [(str(a), str(b)) for a, b in json.loads(done.stdout)]
        if len(spelled) != len(unique):
            raise ValueError(f"{len(spelled)} readings for {len(unique)} texts")
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.warning("guide: pinyin spelled in this process (%s: %s)", type(exc).__name__, exc)
        spelled = _spell(unique)
    return dict(zip(unique, spelled, strict=True))


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
        spelled = readings(t for m in catalogue.matters for t in (m.name, *m.keywords, m.category))
        for m in catalogue.matters:
            words = (*m.keywords, m.category)
            self._entries.append(
                _Entry(
                    matter=m,
                    name=m.name,
                    name_initials=spelled[m.name][0],
                    name_pinyin=spelled[m.name][1],
                    words=words,
                    words_initials=tuple(spelled[w][0] for w in words),
                    words_pinyin=tuple(spelled[w][1] for w in words),
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


if __name__ == "__main__":  # the child of readings(): JSON list of texts in, [initials, pinyin] pairs out
    os.nice(CHILD_NICE)  # below the screen, like the app's other background work
    json.dump(_spell(json.loads(sys.stdin.buffer.read().decode("utf-8"))), sys.stdout)
