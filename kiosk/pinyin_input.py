"""Pinyin → Chinese candidates for the on-screen keyboard (the terminal has no system input method).

WHY built from two packages rather than hand-written tables: pypinyin (already a dependency) knows
the readings of every character and of the phrases whose reading differs from their characters'
usual one (银行 yínháng, 重新 chóngxīn); jieba's dictionary (the maintained ``jieba-py`` wheel, MIT
licence, data ``jieba/_data/dict.txt``) gives how often each character and word is used, which is
what puts 政务 before 正午 for "zhengwu". The index is built once, from those files only, in about
half a second; :func:`warm_up` does it in a worker thread when a keyboard is first shown, so the
first letter typed does not wait.

How letters are read: the typed letters are split into syllables in every way the syllable list
allows (``xian`` is 先 or 西安), the last one may be unfinished (``zhengw`` already offers 政务). The
candidates are ranked: words spelling all the letters first, then words and characters spelling the
first syllables (choosing one leaves the rest of the letters to choose from next), most used first.
A few phrases citizens need for 咨询·投诉·举报 (:data:`COMMON_PHRASES`) rank above everything else.
``v`` stands for ``ü`` (lv → 绿), as on every pinyin keyboard.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MAX_LETTERS = 32  # a longer run of letters is cut: nobody types a sentence without choosing
MIN_WORD_FREQUENCY = 20  # jieba's rarest words (names, typos) only crowd the candidate bar
MAX_SEGMENTATIONS = 24

# Words a citizen writing to the service centre is likely to need, ranked first when they match.
COMMON_PHRASES: tuple[str, ...] = (
    "政务",
    "政务服务",
    "咨询",
    "投诉",
    "举报",
    "办事",
    "办理",
    "窗口",
    "排队",
    "工作人员",
    "服务态度",
    "态度",
    "收费",
    "乱收费",
    "中介",
    "中介机构",
    "材料",
    "证明",
    "证照",
    "身份证",
    "营业执照",
    "社保",
    "医保",
    "公积金",
    "户口",
    "进度",
    "时间",
    "太长",
    "太慢",
    "不满意",
    "请问",
    "需要",
    "怎么办",
    "多久",
    "没有",
    "答复",
    "电话",
    "谢谢",
)
_PHRASE_BOOST = 10**9  # above any jieba frequency (the largest is under 10**7)
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class Candidate:
    """``text`` spells the first ``consumed`` typed letters."""

    text: str
    consumed: int


def _simplified(text: str) -> bool:
    """In GB 2312 (6763 simplified characters): what citizens write, and what the font surely has."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=4096)  # some 1,500 toned syllables, met hundreds of thousands of times
def _toneless(reading: str) -> str:
    # pypinyin is imported on first use, not with this module: 0.2-1 s and tens of MB at start
    from pypinyin.contrib.tone_convert import to_normal

    return to_normal(reading).replace("ü", "v")


@lru_cache(maxsize=1)
def _char_readings() -> dict[str, tuple[str, ...]]:
    """Every reading of every character, toneless, the usual one first (pypinyin's order)."""
    from pypinyin.pinyin_dict import pinyin_dict

    readings: dict[str, tuple[str, ...]] = {}
    for code, spelled in pinyin_dict.items():
        unique = tuple(dict.fromkeys(_toneless(r) for r in spelled.split(",")))
        readings[chr(code)] = unique
    return readings


@lru_cache(maxsize=1)
def _phrases() -> dict[str, list[list[str]]]:
    from pypinyin.phrases_dict import phrases_dict

    return phrases_dict


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """The toneless syllables pinyin can spell (from the characters' readings)."""
    return frozenset(r for rs in _char_readings().values() for r in rs if _spellable(r))


def _spellable(reading: str) -> bool:
    """A syllable a citizen types: ASCII letters with a vowel. The interjections' n, ng, m, hm
    would split zhengwu as zhe-ng-wu and yinhang as yi-n-hang."""
    return reading.isascii() and reading.isalpha() and any(v in reading for v in "aeiouv")


def _frequencies() -> dict[str, int]:
    text = (resources.files("jieba") / "_data" / "dict.txt").read_text("utf-8")
    freq: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split(" ")
        if len(parts) >= 2 and parts[1].isdigit() and _CJK.match(parts[0]):
            freq[parts[0]] = int(parts[1])
    return freq


class PinyinIndex:
    """Characters by syllable and words by their syllables, each list most used first."""

    def __init__(self, chars: dict[str, list[tuple[str, int]]], words: dict[tuple[str, ...], list]) -> None:
        self._chars = {s: sorted(c, key=lambda e: -e[1]) for s, c in chars.items()}
        # words keyed by all syllables but the last, holding (last syllable, word, frequency)
        self._words: dict[tuple[str, ...], list[tuple[str, str, int]]] = {
            head: sorted(entries, key=lambda e: -e[2]) for head, entries in words.items()
        }
        self._syllables = frozenset(self._chars)
        self._prefixes = frozenset(s[:i] for s in self._syllables for i in range(1, len(s) + 1))

    @classmethod
    def build(cls) -> PinyinIndex:
        readings = _char_readings()
        freq = _frequencies()
        chars: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for ch, rs in readings.items():
            f = freq.get(ch, 0)
            if not _simplified(ch):
                continue  # traditional and rare characters crowd out the ones citizens write
            for i, r in enumerate(rs):
                if _spellable(r):
                    chars[r].append((ch, f if i == 0 else f // 8))  # a rarer reading ranks lower
        words: dict[tuple[str, ...], list[tuple[str, str, int]]] = defaultdict(list)
        boosted = {p: _PHRASE_BOOST + (len(COMMON_PHRASES) - i) for i, p in enumerate(COMMON_PHRASES)}
        for word, f in (*freq.items(), *boosted.items()):
            if not (2 <= len(word) <= 4) or (f < MIN_WORD_FREQUENCY and word not in boosted):
                continue
            if not _simplified(word):
                continue
            spelled = cls._spell(word, readings)
            if spelled is not None:
                words[spelled[:-1]].append((spelled[-1], word, boosted.get(word, f)))
        for head, entries in words.items():  # a boosted phrase is listed twice: keep its best
            best: dict[str, tuple[str, str, int]] = {}
            for e in entries:
                if e[1] not in best or e[2] > best[e[1]][2]:
                    best[e[1]] = e
            words[head] = list(best.values())
        return cls(chars, words)

    @staticmethod
    def _spell(word: str, readings: dict[str, tuple[str, ...]]) -> tuple[str, ...] | None:
        known = _phrases().get(word)
        if known is not None and len(known) == len(word):
            spelled = tuple(_toneless(r[0]) for r in known)
        else:
            first = [readings.get(ch, ("",))[0] for ch in word]
            spelled = tuple(first)
        return spelled if all(_spellable(s) for s in spelled) else None

    # ------------------------------------------------------------------ lookup
    def segmentations(self, letters: str) -> list[list[str]]:
        """Ways to read ``letters`` as syllables, the last one possibly unfinished, fewest first."""
        found: list[list[str]] = []

        def walk(rest: str, parts: list[str]) -> None:
            if len(found) >= MAX_SEGMENTATIONS:
                return
            if not rest:
                found.append(parts)
                return
            for end in range(min(len(rest), 6), 0, -1):
                piece = rest[:end]
                if piece in self._syllables:
                    walk(rest[end:], [*parts, piece])
                elif end == len(rest) and piece in self._prefixes:
                    found.append([*parts, piece])  # the syllable being typed

        walk(letters, [])
        return sorted(found, key=len)

    def candidates(self, letters: str, limit: int = 60) -> list[Candidate]:
        """Candidates for the typed ``letters`` (a–z, v for ü), best first, without repeats."""
        letters = normalise(letters)
        if not letters:
            return []
        ranked: list[tuple[tuple[int, int, int], Candidate]] = []
        for parts in self.segmentations(letters):
            # words spelling every letter, with every syllable complete first (the last one may be
            # unfinished), the most used first
            if len(parts) >= 2:
                for last, word, f in self._words.get(tuple(parts[:-1]), ()):
                    if last.startswith(parts[-1]):
                        cls = 0 if last == parts[-1] else 1
                        ranked.append(((cls, 0, -f), Candidate(word, len(letters))))
            # words spelling the first syllables; the rest is chosen next
            for n in range(len(parts) - 1, 1, -1):
                consumed = sum(len(p) for p in parts[:n])
                for last, word, f in self._words.get(tuple(parts[: n - 1]), ()):
                    if last == parts[n - 1]:
                        ranked.append(((2, -n, -f), Candidate(word, consumed)))
            # single characters for the first syllable
            first = parts[0]
            if first in self._syllables:
                # a character spelling every letter: the few most used rank with the words (xian:
                # 先 现 县 … 西安), the rest after them; else the likelier reading first
                for rank, (ch, f) in enumerate(self._chars.get(first, ())):
                    key = (0, 0 if rank < 6 else 1, -f) if len(parts) == 1 else (3, len(parts), -f)
                    ranked.append((key, Candidate(ch, len(first))))
            elif len(parts) == 1:  # an unfinished single syllable: every syllable it begins
                for syl in self._syllables:
                    if syl.startswith(first):
                        for ch, f in self._chars[syl][:12]:
                            ranked.append(((1, 1, -f), Candidate(ch, len(first))))
        ranked.sort(key=lambda e: e[0])
        seen: set[str] = set()
        out: list[Candidate] = []
        for _, cand in ranked:
            if cand.text not in seen:
                seen.add(cand.text)
                out.append(cand)
                if len(out) >= limit:
                    break
        return out


def normalise(letters: str) -> str:
    """Lower-case a–z only (ü typed as v), at most :data:`MAX_LETTERS`."""
    return "".join(ch for ch in letters.lower().replace("ü", "v") if "a" <= ch <= "z")[:MAX_LETTERS]


_lock = threading.Lock()
_index: PinyinIndex | None = None


def index() -> PinyinIndex:
    """The shared index, built on first use (thread-safe: a warm-up thread and the UI may race)."""
    global _index
    with _lock:
        if _index is None:
            _index = PinyinIndex.build()
        return _index


def warm_up() -> None:
    """Build the index in a daemon thread so the first letter typed finds it ready."""
    if _index is None:
        threading.Thread(target=index, name="pinyin-index", daemon=True).start()


def candidates(letters: str, limit: int = 60) -> list[Candidate]:
    return index().candidates(letters, limit)


def ready() -> bool:
    """Whether the index is built (the keyboard shows 正在准备 until then instead of blocking)."""
    return _index is not None


class Composer:
    """The letters being typed and the page of candidates shown for them (no Kivy: the widget in
    screens/pinyin_keyboard.py only draws this). Methods return the text to insert, if any."""

    def __init__(self, per_page: int = 5, lookup: PinyinIndex | None = None) -> None:
        self.letters = ""
        self.page = 0
        self.per_page = per_page
        # whether a page's candidates fit the bar that shows them (its width): a page holds at most
        # ``per_page``, fewer when they would not fit (the keyboard on a narrow column, long words)
        self.fits: Callable[[Sequence[Candidate]], bool] | None = None
        self._starts = [0]  # where each page reached so far begins
        self._lookup = lookup
        self._cache: tuple[str, list[Candidate]] = ("", [])

    def _all(self) -> list[Candidate]:
        if not self.letters:
            return []
        if self._cache[0] != self.letters:
            lookup = self._lookup or index()
            self._cache = (self.letters, lookup.candidates(self.letters))
        return self._cache[1]

    def _start(self) -> int:
        return self._starts[self.page] if self.page < len(self._starts) else self.page * self.per_page

    def shown(self) -> list[Candidate]:
        found, start = self._all(), self._start()
        end = min(start + self.per_page, len(found))
        while self.fits is not None and end > start + 1 and not self.fits(found[start:end]):
            end -= 1
        return found[start:end]

    def has_next(self) -> bool:
        return self._start() + len(self.shown()) < len(self._all())

    def has_previous(self) -> bool:
        return self.page > 0

    def next_page(self) -> None:
        if self.has_next():
            following = self._start() + len(self.shown())
            del self._starts[self.page + 1 :]
            self._starts.append(following)
            self.page += 1

    def previous_page(self) -> None:
        if self.has_previous():
            self.page -= 1

    def letter(self, ch: str) -> None:
        typed = normalise(self.letters + ch)
        if typed != self.letters:
            self.letters, self.page = typed, 0

    def choose(self, position: int) -> str | None:
        """The candidate at ``position`` on the shown page; its letters leave the composition."""
        shown = self.shown()
        if not 0 <= position < len(shown):
            return None
        chosen = shown[position]
        self.letters, self.page = self.letters[chosen.consumed :], 0
        return chosen.text

    def backspace(self) -> bool:
        """Take back the last letter; ``False`` when there was none (the caller deletes text)."""
        if not self.letters:
            return False
        self.letters, self.page = self.letters[:-1], 0
        return True

    def space(self) -> str | None:
        """Space chooses the first candidate while letters are typed (as on every pinyin IME)."""
        if self.letters:
            return self.choose(0) if self.shown() else self.commit_letters()
        return None

    def commit_letters(self) -> str:
        """The typed letters as they are (switching to English keeps what was typed)."""
        out, self.letters, self.page = self.letters, "", 0
        return out
