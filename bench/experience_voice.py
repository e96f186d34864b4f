"""Voice and rating figures: espeak-ng synthesis time per prompt (cold cache), prepare time with a
warm cache, prompt lengths, and the 好差评 outbox's add and delivery times against the real
reference server. Prints figures only (no pass/fail).

    .venv/bin/python bench/experience_voice.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.rating import PendingRating, RatingOutbox
from kiosk.voice import PROMPTS, VoiceLibrary


def voice_figures(workdir: Path) -> None:
    library = VoiceLibrary(workdir / "voice")
    if not library.espeak:
        print("espeak-ng not installed: voice figures skipped")
        return
    start = time.perf_counter()
    ready = library.prepare()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    VoiceLibrary(workdir / "voice").prepare()
    warm = time.perf_counter() - start
    lengths = []
    for key in PROMPTS:
        for lang in ("zh_CN", "en"):
            path = library.path(key, lang)
            if path is not None:
                with wave.open(str(path)) as w:
                    lengths.append(w.getnframes() / w.getframerate())
    print(
        f"voice: {ready} prompts synthesised in {cold:.2f} s cold ({cold / max(ready, 1) * 1000:.0f} ms each)"
    )
    print(f"voice: warm-cache prepare {warm * 1000:.1f} ms")
    print(f"voice: prompt length median {statistics.median(lengths):.1f} s, max {max(lengths):.1f} s")


async def rating_figures(workdir: Path) -> None:
    from kiosk.wiring.backend import start_embedded_refserver

    server = start_embedded_refserver(workdir / "server")
    backend = server.client()
    try:

        async def send(item: PendingRating) -> None:
            await backend.submit_evaluation(item.service_ref, item.score, item.reasons, item.comment)

        outbox = RatingOutbox(workdir / "state", send)
        n = 200
        start = time.perf_counter()
        for i in range(n):
            outbox.add(f"{i:016x}", 5 - i % 3, ("其他",) if i % 3 == 2 else (), None)
        added = time.perf_counter() - start
        start = time.perf_counter()
        await outbox.flush()
        sent = time.perf_counter() - start
        print(f"rating outbox: add {added / n * 1000:.2f} ms each ({n} queued)")
        print(f"rating outbox: resend {n} to the reference server in {sent:.2f} s ({n / sent:.0f}/s)")
    finally:
        await backend.aclose()
        server.stop()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-exp-") as tmp:
        voice_figures(Path(tmp))
        asyncio.run(rating_figures(Path(tmp)))


if __name__ == "__main__":
    main()
