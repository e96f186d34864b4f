"""Run every check (concurrently, each in its own worker thread with a time limit) into a Report."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.diagnostics import backend as backend_checks
from kiosk.diagnostics import devices as device_checks
from kiosk.diagnostics import system
from kiosk.diagnostics.audio import check_audio
from kiosk.diagnostics.bundle import check_bundle
from kiosk.diagnostics.model import CheckResult, Report
from kiosk.voice.output import AudioOutput, probe_audio_output

log = logging.getLogger(__name__)
ORDER = ("config", "disk", "clock", "font", "card", "camera", "printer", "audio", "backend", "bundle")
TITLES = {
    "config": "配置文件",
    "disk": "磁盘空间",
    "clock": "系统时钟",
    "font": "中文字体",
    "card": "身份证读卡器",
    "camera": "摄像头（亮证码）",
    "printer": "凭条打印机",
    "audio": "语音播报",
    "backend": "电子证照后台",
    "bundle": "内容包",
}


@dataclass
class DiagOptions:
    test_page: bool = False  # print the printer's test page
    min_free_bytes: int = 200 * 1024 * 1024
    skew_warning_seconds: float = 30.0
    skew_failure_seconds: float = 120.0
    camera_seconds: float = 1.5
    card_wait_seconds: float = 2.0
    check_timeout: float = 20.0
    wall_clock: Callable[[], float] = time.time
    config_file: Path | None = None
    secrets_file: Path | None = None
    state_dir: Path | None = None
    owned: bool = True  # the diagnostics built the devices (kiosk diag) rather than borrowing the app's
    simulated: bool = False  # demo devices: insert a demo card, show a test QR code to the camera
    # what the voice prompts play through (kiosk.voice.output); the app passes its player's answer
    audio_probe: Callable[[], AudioOutput] = probe_audio_output


def _state_dir(config: Any, options: DiagOptions) -> Path:
    if options.state_dir is not None:
        return options.state_dir
    if config.paths.state_dir:
        return Path(config.paths.state_dir)
    return Path.home() / ".local" / "state" / "kiosk"


async def _timed(name: str, fn: Callable[[], CheckResult], timeout: float) -> CheckResult:
    started = time.perf_counter()
    try:
        result = await asyncio.wait_for(asyncio.to_thread(fn), timeout)
    except TimeoutError:
        result = CheckResult(
            name, TITLES[name], "failure", f"检查超过 {timeout:.0f} 秒无结果", "设备无响应：检查连接后重试"
        )
    except Exception as exc:
        log.exception("diagnostic check failed", extra={"check": name})
        result = CheckResult(
            name, TITLES[name], "failure", f"检查出错：{exc}", "查看终端日志，或联系技术支持"
        )
    return _with_time(result, time.perf_counter() - started)


def _with_time(result: CheckResult, seconds: float) -> CheckResult:
    from dataclasses import replace

    return replace(result, seconds=round(seconds, 3))


async def _backend_and_clock(config: Any, options: DiagOptions) -> list[CheckResult]:
    started = time.perf_counter()
    try:
        result, answer = await asyncio.wait_for(
            backend_checks.check_backend(config, options.wall_clock), options.check_timeout
        )
    except TimeoutError:
        result, answer = (
            CheckResult(
                "backend", TITLES["backend"], "failure", "后台检查超时", "检查网络连接和 backend.url"
            ),
            {},
        )
    except Exception as exc:
        log.exception("backend check failed")
        result, answer = (
            CheckResult("backend", TITLES["backend"], "failure", f"检查出错：{exc}", "检查 backend 配置"),
            {},
        )
    clock = backend_checks.check_clock(
        answer, options.wall_clock, options.skew_warning_seconds, options.skew_failure_seconds
    )
    return [_with_time(result, time.perf_counter() - started), clock]


async def run_diagnostics(config: Any, devices: Any, options: DiagOptions | None = None) -> Report:
    """Every check against ``devices`` (a kiosk.controller.Devices) and the configured backend."""
    o = options or DiagOptions()
    d = config.devices
    limit = o.check_timeout
    jobs = [
        _timed("config", lambda: system.check_config(o.config_file, o.secrets_file), limit),
        _timed("disk", lambda: system.check_disk(_state_dir(config, o), o.min_free_bytes), limit),
        _timed("font", lambda: system.check_font(config.display.font_path), limit),
        _timed("bundle", lambda: check_bundle(config, _state_dir(config, o)), limit),
        _timed("audio", lambda: check_audio(config, o.audio_probe), limit),
        _timed(
            "card",
            lambda: device_checks.check_card(
                d.card_reader, devices.card, o.owned, o.card_wait_seconds, demo_card=o.simulated and o.owned
            ),
            limit,
        ),
        _timed(
            "camera",
            lambda: device_checks.check_camera(d.camera, devices.scanner, o.camera_seconds, o.simulated),
            limit,
        ),
        _timed(
            "printer",
            lambda: device_checks.check_printer(d.printer, devices.printer, config.terminal, o.test_page),
            limit,
        ),
    ]
    device_results, network_results = await asyncio.gather(
        asyncio.gather(*jobs), _backend_and_clock(config, o)
    )
    results = [*device_results, *network_results]
    return Report(
        terminal_id=config.terminal.id,
        created_at=datetime.now().astimezone().isoformat(timespec="seconds"),
        version=_version(),
        simulated=o.simulated,
        checks=tuple(sorted(results, key=lambda c: ORDER.index(c.name))),
    )


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("liujiang-kiosk")
    except Exception:
        return "dev"
