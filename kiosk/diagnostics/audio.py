"""The audio check: can the terminal speak its voice prompts (语音引导)?

WHY: without a sound device or the speech synthesiser the terminal is silent while everything
else works, and a report that said 总体正常 then was wrong for a citizen who needs the voice.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

from kiosk.diagnostics.model import CheckResult
from kiosk.voice.output import AudioOutput, probe_audio_output

TITLE = "语音播报"


def check_audio(
    config: Any,
    probe: Callable[[], AudioOutput] = probe_audio_output,
    espeak: Callable[[], str | None] = lambda: shutil.which("espeak-ng"),
) -> CheckResult:
    voice = config.voice
    volume = round(float(voice.volume) * 100)
    details: dict[str, Any] = {"enabled": bool(voice.enabled), "volume_percent": volume}
    if not voice.enabled:
        return CheckResult(
            "audio",
            TITLE,
            "warning",
            "语音引导已关闭，终端不会播报提示",
            "如需语音引导，在管理页开启",
            details,
        )
    output = probe()
    synth = espeak()
    details.update(output=output.available, synthesiser=bool(synth))
    problems: list[str] = []
    hints: list[str] = []
    if not output.available:
        problems.append(f"{output.detail}，语音提示无法播放")
        hints.append("检查音箱电源和音频线（或 USB 声卡），确认系统识别到声卡：aplay -l")
    if not synth:
        problems.append("语音合成程序 espeak-ng 不可用，提示语音无法生成")
        hints.append("安装 espeak-ng：apt-get install espeak-ng")
    if problems:
        return CheckResult("audio", TITLE, "failure", "；".join(problems), "\n".join(hints), details)
    value = f"{output.detail}；音量 {volume}%"
    if volume == 0:
        return CheckResult("audio", TITLE, "warning", value, "音量为 0：在管理页调高音量", details)
    return CheckResult("audio", TITLE, "ok", value, "", details)
