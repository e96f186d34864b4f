"""Checks of the card reader, the camera and the receipt printer, through the app's own adapters.

``owned`` says whether the diagnostics built the device themselves (``kiosk diag``: start it,
exercise it, stop it) or borrow the running app's device (the on-screen page: read its health and
state, never restart what the app is using). Blocking: the runner calls these in worker threads.
"""

from __future__ import annotations

import queue
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np

from kiosk.diagnostics.model import CheckResult, Status

TEST_QR_TEXT = "KIOSK-DIAG:摄像头自检"
BLUR_WARNING = 60.0  # variance of the Laplacian below this: blurred or out of focus
CARD_TYPES = {
    "resident": "居民身份证",
    "hmt_permit": "港澳台居民居住证",
    "foreign_2017": "外国人永久居留身份证（2017版）",
    "foreign_2023": "外国人永久居留身份证（2023版）",
    "social_security": "社会保障卡",
}


HEALTH_WORDS = {"ok": "正常", "degraded": "不稳定", "down": "不可用", "unknown": "未知"}


def _from_health(name: str, title: str, health: str, value: str, hint: str) -> CheckResult:
    status: Status = {"ok": "ok", "down": "failure"}.get(health, "warning")  # type: ignore[assignment]
    state = HEALTH_WORDS.get(health, health)
    return CheckResult(name, title, status, f"{value}：{state}", "" if status == "ok" else hint)


# ---------------------------------------------------------------------------------------- card


def check_card(
    cfg: Any, reader: Any, owned: bool, wait_seconds: float = 2.0, demo_card: bool = False
) -> CheckResult:
    title = "身份证读卡器"
    details: dict[str, Any] = {"kind": cfg.kind}
    reader_name = ""
    if cfg.kind == "pcsc":
        from drivers.card.pcsc_reader import PcscError, list_pcsc_readers

        try:
            readers = list_pcsc_readers()
        except PcscError as exc:
            return CheckResult(
                "card",
                title,
                "failure",
                f"PC/SC 服务无响应：{exc}",
                "启动读卡服务：systemctl restart pcscd",
                details,
            )
        details["readers"] = readers
        if not readers:
            return CheckResult(
                "card",
                title,
                "failure",
                "pcscd 正常，但没有读卡器",
                "检查读卡器 USB 连接，或重新插拔读卡器",
                details,
            )
        psam_slot = cfg.psam.reader.lower() if cfg.profile == "ssse" else ""
        wanted = [
            r
            for r in readers
            if cfg.reader_name_contains.lower() in r.lower() and not (psam_slot and psam_slot in r.lower())
        ]
        if not wanted:
            return CheckResult(
                "card",
                title,
                "failure",
                f"没有名称含“{cfg.reader_name_contains}”的读卡器（现有：{'、'.join(readers)}）",
                "修正 devices.card_reader.reader_name_contains，或接上配置的读卡器",
                details,
            )
        reader_name = wanted[0]
        if cfg.profile == "ssse":
            psam_problem = _check_psam(cfg, details, owned)
            if psam_problem is not None:
                return psam_problem
    if reader is None:
        return CheckResult(
            "card", title, "failure", "读卡器未能创建", "检查 devices.card_reader 配置和日志", details
        )
    if not owned:
        result = _from_health(
            "card", title, reader.health(), reader_name or cfg.kind, "检查读卡器连接，必要时重启终端"
        )
    else:
        result = _exercise_reader(reader, reader_name, details, wait_seconds, demo_card)
    if "psam" in details:  # the ssse profile: say that its PSAM was found, whatever else the check says
        psam = f"社保卡 PSAM 就绪（{details['psam']['reader']}）"
        result = replace(result, value=f"{result.value}；{psam}", details={**result.details, **details})
    return result


def _check_psam(cfg: Any, details: dict[str, Any], owned: bool) -> CheckResult | None:
    """The PSAM that authenticates social security cards: present in its slot, and (when the
    diagnostics own the devices) answering the selection of its application. None when it is fine."""
    from drivers.card.errors import PsamError
    from drivers.card.pcsc_reader import PcscError, probe_psam
    from kiosk.wiring.card import psam_profile

    try:
        details["psam"] = {"reader": probe_psam(psam_profile(cfg.psam), select=owned), "present": True}
    except (PsamError, PcscError) as exc:
        details["psam"] = {"reader": cfg.psam.reader, "present": False, "error": str(exc)}
        return CheckResult(
            "card",
            "身份证读卡器",
            "failure",
            f"社保卡 PSAM 未就绪：{exc}",
            "将 PSAM 卡插入读卡器的 SAM 卡座，并核对 devices.card_reader.psam.reader；未就绪时社保卡不能使用",
            details,
        )
    return None


def _exercise_reader(
    reader: Any, reader_name: str, details: dict[str, Any], wait_seconds: float, demo_card: bool
) -> CheckResult:
    title = "身份证读卡器"
    events: queue.Queue[Any] = queue.Queue()
    reader.start(events.put)
    added = card = False
    read: str | None = None
    try:
        if demo_card and hasattr(reader, "insert"):
            reader.insert(0)
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            try:
                event = events.get(timeout=0.1)
            except queue.Empty:
                if added and not card:
                    deadline = min(deadline, time.monotonic() + 0.5)  # idle reader: no card is coming
                continue
            kind = getattr(event, "kind", "")
            reader_name = reader_name or str(getattr(event, "reader", ""))
            if kind == "reader_added":
                added = True
            elif kind == "card_inserted":
                card = True
                deadline = time.monotonic() + 5.0  # give a card read its time
            elif kind == "identity":
                identity = getattr(event, "identity", None)
                card_type = str(getattr(identity, "card_type", ""))
                read = "读卡成功（" + CARD_TYPES.get(card_type, card_type) + "）"
                break
            elif kind == "error":
                read = "读卡失败（" + str(getattr(event, "error", "")) + "）"
                break
        health = reader.health()
    finally:
        reader.stop()
    details.update(reader=reader_name, card_present=card, health=health)
    if not added or health == "down":
        return CheckResult(
            "card",
            title,
            "failure",
            f"读卡器未就绪（{HEALTH_WORDS.get(health, health)}）",
            "检查读卡器 USB 连接，或重新插拔读卡器",
            details,
        )
    value = f"{reader_name or '读卡器'} 就绪；" + (read or ("有卡未读出" if card else "未放卡"))
    if read and read.startswith("读卡失败"):
        return CheckResult(
            "card", title, "warning", value, "换一张卡再试；仍失败请清洁读卡区或更换读卡器", details
        )
    return CheckResult("card", title, "ok", value, "", details)


# ---------------------------------------------------------------------------------------- camera


def focus_measure(bgr: np.ndarray) -> float:
    """Variance of the Laplacian of the grey image: high when sharp, low when blurred."""
    grey = (
        bgr.astype(np.float32) @ np.array([0.114, 0.587, 0.299], dtype=np.float32) if bgr.ndim == 3 else bgr
    )
    g = grey.astype(np.float32)
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(lap.var())


def check_camera(cfg: Any, scanner: Any, seconds: float = 1.5, show_test_code: bool = False) -> CheckResult:
    title = "摄像头（亮证码）"
    details: dict[str, Any] = {"kind": cfg.kind}
    hint_lost = "检查摄像头 USB 连接；文件源请检查 devices.camera.source_path"
    if scanner is None or getattr(scanner, "source", None) is None:
        if scanner is None:
            return CheckResult("camera", title, "failure", "摄像头未能创建", hint_lost, details)
        return _from_health("camera", title, scanner.health(), cfg.kind, hint_lost)
    source = scanner.source
    started_here = not source.running
    if started_here:
        source.start()
    try:
        if show_test_code and hasattr(scanner, "show"):
            scanner.show(TEST_QR_TEXT)
        first = source.wait_frame(0, timeout=4.0)
        if first is None:
            state = source.state()
            reason = state.last_error or state.status
            details["error"] = reason
            return CheckResult("camera", title, "failure", f"没有画面：{reason}", hint_lost, details)
        last, frame = first
        t0 = time.monotonic()
        count = 0
        while time.monotonic() - t0 < seconds:
            got = source.wait_frame(last, 1.0)
            if got is None:
                break
            last, frame = got
            count += 1
        elapsed = time.monotonic() - t0
        fps = count / elapsed if elapsed > 0 else 0.0
        focus = focus_measure(frame)
        codes = len(scanner.decoder.decode(frame)) if hasattr(scanner, "decoder") else 0
    finally:
        if show_test_code and hasattr(scanner, "clear"):
            scanner.clear()
        if started_here:
            source.stop()
    h, w = frame.shape[:2]
    details.update(width=w, height=h, fps=round(fps, 1), focus=round(focus, 1), qr_codes=codes)
    value = f"{w}×{h}，{fps:.1f} 帧/秒，清晰度 {focus:.0f}，画面中二维码 {codes} 个"
    if fps < 5:
        return CheckResult("camera", title, "warning", value, "帧率过低：检查 USB 带宽或降低分辨率", details)
    if focus < BLUR_WARNING:
        return CheckResult("camera", title, "warning", value, "画面模糊：擦拭镜头或调整对焦距离", details)
    return CheckResult("camera", title, "ok", value, "", details)


# ---------------------------------------------------------------------------------------- printer


PAPER_WORDS = {"ok": "纸量正常", "near_end": "纸将用完", "out": "缺纸", "unknown": "纸量未知"}
KIND_WORDS = {
    "network": "网络打印机",
    "usb": "USB 打印机",
    "serial": "串口打印机",
    "cups": "CUPS 打印机",
    "file": "文件输出",
    "simulated": "模拟打印机",
}


def printer_state_text(kind: str, online: bool | None, cover_open: bool | None, paper: str) -> str:
    """The printer's answer in plain Chinese. An offline printer said nothing about its cover or
    paper: they are not reported then (盖=合 for a printer that did not answer was a guess)."""
    head = KIND_WORDS.get(kind, kind)
    if online is False:
        return f"{head}：离线（纸仓盖和纸量无法读取）"
    if online is None and paper == "unknown":
        return f"{head}：无应答"
    cover = {True: "纸仓盖打开", False: "纸仓盖已合上", None: "纸仓盖状态未知"}[cover_open]
    return f"{head}：在线，{cover}，{PAPER_WORDS.get(paper, paper)}"


def check_printer(cfg: Any, printer: Any, terminal: Any, test_page: bool = False) -> CheckResult:
    """Every fault the printer reports, each with its remedy (a printer can be out of paper with
    its cover open: the technician fixes both in one visit, not one per diagnostic run)."""
    title = "凭条打印机"
    details: dict[str, Any] = {"kind": cfg.kind}
    if printer is None:
        return CheckResult(
            "printer", title, "failure", "打印机未能创建", "检查 devices.printer 配置和日志", details
        )
    status = printer.status()
    details.update(online=status.online, cover_open=status.cover_open, paper=status.paper)
    value = printer_state_text(cfg.kind, status.online, status.cover_open, status.paper)
    failures: list[str] = []
    warnings: list[str] = []
    if status.online is False:
        failures.append("打印机离线：检查电源、数据线或网线")
    elif status.online is None and status.paper == "unknown":
        if getattr(cfg, "check_status", True):
            failures.append(
                "打印机无应答：检查电源和连接；若型号不支持状态查询，设 devices.printer.check_status = false"
            )
        else:
            value = f"{KIND_WORDS.get(cfg.kind, cfg.kind)}：未查询状态"
            warnings.append("建议打印测试页确认")
    else:
        if status.cover_open:
            failures.append("打印机盖未合上：合上纸仓盖")
        if status.paper == "out":
            failures.append("打印机缺纸：装入热敏纸卷")
        elif status.paper == "near_end":
            warnings.append("纸将用完：准备更换纸卷")
    result: CheckResult | None = None
    if failures:
        result = CheckResult("printer", title, "failure", value, "\n".join(failures + warnings), details)
    elif warnings:
        result = CheckResult("printer", title, "warning", value, "\n".join(warnings), details)
    if result is not None and (result.status == "failure" or not test_page):
        return result
    if test_page:
        from kiosk.receipt.contents import diagnostic_page_receipt
        from kiosk.receipt.job import PrintJob

        width = printer.paper_width_dots
        receipt = diagnostic_page_receipt(terminal.name, terminal.id, width, datetime.now(), cfg.kind)
        outcome = PrintJob.prepare(receipt, width).run(printer)
        details["test_page"] = outcome.state.value
        if not outcome.ok:
            return CheckResult(
                "printer", title, "failure", f"测试页失败：{outcome.message}", outcome.message, details
            )
        value += "；测试页已打印"
    if result is not None:
        return CheckResult(result.name, title, result.status, value, result.hint, details)
    return CheckResult("printer", title, "ok", value, "", details)
