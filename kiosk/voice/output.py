"""Is there anything to hear the voice prompts through? A sound server or a sound card.

WHY its own probe: without one, SDL's mixer opens nothing and every prompt is silently dropped
(kiosk.app.voice_player logs it once). A citizen who relies on the voice cannot tell; staff and
technicians must, so the admin page and the diagnostics show this answer. No Kivy, no audio
library: it reads what the system publishes (/proc/asound, the sound servers' sockets).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC_CARDS = Path("/proc/asound/cards")
SERVER_SOCKETS = ("pulse/native", "pipewire-0")


@dataclass(frozen=True)
class AudioOutput:
    available: bool
    detail: str  # plain Chinese, for staff


def _cards(proc_cards: Path) -> list[str]:
    """Card names from /proc/asound/cards (' 0 [PCH ]: HDA-Intel - HDA Intel PCH' → 'HDA Intel PCH')."""
    try:
        text = proc_cards.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    names = []
    for line in text.splitlines():
        head, sep, tail = line.partition("]:")
        if sep and head.strip()[:1].isdigit():
            names.append(tail.split(" - ", 1)[-1].strip() or tail.strip())
    return names


def probe_audio_output(proc_cards: Path = PROC_CARDS, runtime_dir: str | None = None) -> AudioOutput:
    runtime = runtime_dir if runtime_dir is not None else os.environ.get("XDG_RUNTIME_DIR", "")
    for name in SERVER_SOCKETS if runtime else ():
        if (Path(runtime) / name).exists():
            return AudioOutput(True, "声音服务（" + name.split("/")[0] + "）")
    cards = _cards(proc_cards)
    if cards:
        return AudioOutput(True, "声卡：" + "、".join(cards))
    return AudioOutput(False, "未发现声卡或声音服务")
