"""亮证码 patterns: templates with one ``{token}`` placeholder, from ``devices.camera.lz_patterns``.

WHY templates rather than regular expressions in the configuration: whoever edits the terminal's
configuration should not be able to write a pattern that accepts more than intended. A template is
matched literally (scheme and host case-insensitively, as URLs are — ASCII case only, so that no
look-alike such as the Kelvin sign folds into a letter of the host), and the token is always the
same strict alphabet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

TOKEN_ALPHABET = r"[A-Za-z0-9_\-]"
TOKEN_MIN = 8
TOKEN_MAX = 256
_URL_HEAD = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LzPattern:
    template: str
    regex: re.Pattern[str]
    head_insensitive: bool  # URL templates: scheme and host are compared case-insensitively

    def match(self, text: str) -> str | None:
        """The token when ``text`` has this pattern's shape, else None."""
        candidate = text
        if self.head_insensitive:
            head = _URL_HEAD.match(text)
            if head and head.group(0).isascii():  # str.lower() maps K (Kelvin sign) to k, İ to i̇…
                candidate = head.group(0).lower() + text[head.end() :]
        m = self.regex.fullmatch(candidate)
        return m.group("token") if m else None


def _compile(template: str) -> LzPattern:
    if template.count("{token}") != 1:
        raise ValueError(f"pattern {template!r} needs exactly one {{token}}")
    prefix, suffix = template.split("{token}")
    head = _URL_HEAD.match(prefix)
    insensitive = head is not None
    if head:
        prefix = head.group(0).lower() + prefix[head.end() :]
    token = f"(?P<token>{TOKEN_ALPHABET}{{{TOKEN_MIN},{TOKEN_MAX}}})"
    return LzPattern(template, re.compile(re.escape(prefix) + token + re.escape(suffix)), insensitive)


@lru_cache(maxsize=16)
def _compile_all(templates: tuple[str, ...]) -> tuple[LzPattern, ...]:
    return tuple(_compile(t) for t in templates)


def compile_patterns(templates: Sequence[str]) -> tuple[LzPattern, ...]:
    """Compiled patterns (cached: the controller classifies with the same list every time)."""
    return _compile_all(tuple(templates))
