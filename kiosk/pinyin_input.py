"""Pinyin → Chinese candidates for the on-screen keyboard (the terminal has no system input method).

WHY built from two packages rather than hand-written tables: pypinyin (already a dependency) knows
the readings of every character and of the phrases whose reading differs from their characters'
usual one (银行 yínháng, 重新 chóngxīn); jieba's dictionary (the maintained ``jieba-py`` wheel, MIT
licence, data ``jieba/_data/dict.txt``) gives how often each character and word is used, which is
what puts 政务 before 正午 for "zhengwu". The index is built once, from those files only, in about
half a second; :func:`warm_up` does it in a worker thread when a keyboard is first shown, so the
first letter typed does not wait.

WHY the index lives in a child process (``python -m kiosk.pinyin_input``, below the screen's
priority, asked over a pipe a line at a time): built here, it and pypinyin's dictionaries took
about 117 MB, of which some 60-70 MB stayed resident after the index was dropped (the interpreter
keeps the arenas its small objects were spread over), and it took the interpreter's lock for 1.6 s
while the keyboard was on screen. The child is started when a keyboard is shown and ends with the
session (:func:`release`, kiosk.session_memory); a question and its answer take well under a
millisecond. Where the child cannot run, the index is built here as before.

How letters are read: the typed letters are split into syllables in every way the syllable list
allows (``xian`` is 先 or 西安), the last one may be unfinished (``zhengw`` already offers 政务). The
candidates are ranked: words spelling all the letters first, then words and characters spelling the
first syllables (choosing one leaves the rest of the letters to choose from next), most used first.
A few phrases citizens need for 咨询·投诉·举报 (:data:`COMMON_PHRASES`) rank above everything else.
``v`` stands for ``ü`` (lv → 绿), as on every pinyin keyboard.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import select
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol

from kiosk import session_memory

log = logging.getLogger(__name__)

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


class Lookup(Protocol):
    def candidates(self, letters: str, limit: int = 60) -> list[Candidate]: ...


CHILD_NICE = 10  # the child builds its index below the screen's priority
CHILD_READY = "ready"
ANSWER_TIMEOUT = 2.0  # seconds; the child answers in well under a millisecond


class ChildIndex:
    """The index in a child process (see the module's WHY); one question at a time."""

    def __init__(self) -> None:
        self._io = threading.Lock()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.pinyin_input"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            encoding="utf-8",
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()  # the child says so once its index is built
        if line.strip() != CHILD_READY:
            self.close()
            raise OSError(f"the pinyin child did not start (exit {self._proc.poll()})")

    def candidates(self, letters: str, limit: int = 60) -> list[Candidate]:
        letters = normalise(letters)
        if not letters:
            return []
        with self._io:
            stdin, stdout = self._proc.stdin, self._proc.stdout
            assert stdin is not None and stdout is not None
            stdin.write(json.dumps([letters, limit]) + "\n")
            stdin.flush()
            # one line answers each question, so nothing is ever left in the pipe's buffer: waiting
            # on the descriptor is exact. A child that stopped answering never holds the screen
            ready, _, _ = select.select([stdout], [], [], ANSWER_TIMEOUT)
            line = stdout.readline() if ready else ""
        if not line:
            raise OSError("the pinyin child ended")
        return [Candidate(str(text), int(consumed)) for text, consumed in json.loads(line)]

    def close(self) -> None:
        """End the child: its stdin closed, it leaves its loop and exits; killed if it does not."""
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
            self._proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self._proc.kill()
            self._proc.wait()


def _serve() -> None:
    """The child: build the index, say so, then answer ``[letters, limit]`` lines until stdin ends."""
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICE)
    built = PinyinIndex.build()
    print(CHILD_READY, flush=True)
    for line in sys.stdin:
        letters, limit = json.loads(line)
        found = built.candidates(str(letters), int(limit))
        print(json.dumps([[c.text, c.consumed] for c in found]), flush=True)


_lock = threading.Lock()
_index: Lookup | None = None


def index() -> Lookup:
    """The shared index, started on first use (thread-safe: a warm-up thread and the UI may race):
    in a child process, else built here."""
    global _index
    with _lock:
        if _index is None:
            try:
                _index = ChildIndex()
            except OSError as exc:
                log.warning("pinyin: index built in this process (%s)", exc)
                _index = PinyinIndex.build()
        return _index


def warm_up() -> None:
    """Start the index in a daemon thread so the first letter typed finds it ready."""
    if _index is None:
        threading.Thread(target=index, name="pinyin-index", daemon=True).start()


def candidates(letters: str, limit: int = 60) -> list[Candidate]:
    found = index()
    try:
        return found.candidates(letters, limit)
    except (OSError, ValueError) as exc:  # the child died: no candidates now, a new child soon
        log.warning("pinyin: %s; starting the index again", exc)
        _drop(found)
        warm_up()
        return []


def _drop(which: Lookup | None = None) -> bool:
    """Forget the index (``which``, if given, only if it is still the one in use) and end its child."""
    global _index
    with _lock:
        held = _index
        if held is None or (which is not None and held is not which):
            return False
        _index = None
    if isinstance(held, ChildIndex):
        held.close()
    return True


def release() -> bool:
    """The session ended: the index and its child go (kiosk.session_memory)."""
    return _drop()


session_memory.register("pinyin-index", release)


def ready() -> bool:
    """Whether the index is built (the keyboard shows 正在准备 until then instead of blocking)."""
    return _index is not None


class Composer:
    """The letters being typed and the page of candidates shown for them (no Kivy: the widget in
    screens/pinyin_keyboard.py only draws this). Methods return the text to insert, if any."""

    def __init__(self, per_page: int = 5, lookup: Lookup | None = None) -> None:
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
            found = self._lookup.candidates(self.letters) if self._lookup else candidates(self.letters)
            self._cache = (self.letters, found)
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


if __name__ == "__main__":
    _serve()
