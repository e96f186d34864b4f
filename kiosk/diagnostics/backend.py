"""Checks of the e-certificate backend and of the clock: DNS, TLS, a signed health call, latency,
and the skew between this terminal's clock and the server's (signed requests are refused when the
clocks disagree)."""

from __future__ import annotations

import asyncio
import math
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from kiosk.diagnostics.model import CheckResult

SLOW_SECONDS = 1.0
LATENCY_SAMPLES = 3
CERT_WARN_DAYS = 30


def _tls_probe(host: str, port: int, settings: Any, timeout: float) -> dict[str, Any]:
    if settings.verify_tls:
        context = (
            ssl.create_default_context(cafile=settings.ca_file)
            if settings.ca_file
            else ssl.create_default_context()
        )
    else:
        context = ssl._create_unverified_context()
    with (
        socket.create_connection((host, port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        cert = tls.getpeercert() or {}
        info: dict[str, Any] = {"tls_version": tls.version(), "verified": settings.verify_tls}
    not_after = cert.get("notAfter")
    if isinstance(not_after, str):
        expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)
        info["cert_days_left"] = (expires - datetime.now(UTC)).days
    return info


SM2_NATIVE = "SM2: 原生 OpenSSL"
SM2_FALLBACK = "SM2: 纯 Python 后备（慢）"
SM2_HINT = "证照验签未用 OpenSSL（每份约 20 ms）：确认系统装有 libssl3（OpenSSL 3.0 及以上）"


def with_sm2_line(result: CheckResult) -> CheckResult:
    """The backend check's result with how this terminal checks issuer signatures: natively, or on
    the slow pure-Python fallback (then at least a warning, so a technician sees why lists load
    slowly; the verdicts are the same)."""
    from kiosk.crypto import sm2

    native = sm2.backend() == sm2.NATIVE
    details = {**result.details, "sm2": sm2.backend()}
    if not native:
        details["sm2_why"] = sm2.why_not_native()
    value = f"{result.value}；{SM2_NATIVE if native else SM2_FALLBACK}"
    if native or result.status == "failure":
        return replace(result, value=value, details=details)
    hint = "\n".join(h for h in (result.hint, SM2_HINT) if h)
    return replace(result, status="warning", value=value, hint=hint, details=details)


async def check_backend(config: Any, wall_clock: Callable[[], float]) -> tuple[CheckResult, dict[str, Any]]:
    """The backend check, and what the clock check needs (the server's clock offset, if any)."""
    result, answer = await _check_backend(config, wall_clock)
    return with_sm2_line(result), answer


async def _check_backend(config: Any, wall_clock: Callable[[], float]) -> tuple[CheckResult, dict[str, Any]]:
    from kiosk.backend.client import HttpBackend
    from kiosk.backend.errors import BackendError

    settings = config.backend
    url = urlsplit(settings.url)
    host = url.hostname or ""
    port = url.port or (443 if url.scheme == "https" else 80)
    details: dict[str, Any] = {"url": settings.url}
    title = "电子证照后台"
    t0 = time.perf_counter()
    try:
        await asyncio.to_thread(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return CheckResult(
            "backend",
            title,
            "failure",
            f"域名 {host} 无法解析：{exc}",
            "检查 DNS 设置或 backend.url",
            details,
        ), {}
    details["dns_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    if url.scheme == "https":
        try:
            details.update(
                await asyncio.to_thread(_tls_probe, host, port, settings, settings.connect_timeout)
            )
        except ssl.SSLError as exc:
            return CheckResult(
                "backend",
                title,
                "failure",
                f"TLS 握手失败：{exc.reason or exc}",
                "证书校验失败：检查 backend.ca_file 与系统时间",
                details,
            ), {}
        except OSError as exc:
            return CheckResult(
                "backend",
                title,
                "failure",
                f"无法连接 {host}:{port}：{exc.strerror or exc}",
                "检查网络连接、防火墙和 backend.url",
                details,
            ), {}
    client = HttpBackend(settings, config.terminal.id, clock=wall_clock)
    started = time.perf_counter()
    try:
        answer = await client.health()
        first_call = time.perf_counter() - started
        # The first call also pays for the connection (and a cold server's first request); the
        # technician asks about the network, so the verdict rests on the median of warm calls.
        samples: list[float] = []
        for _ in range(LATENCY_SAMPLES):
            t1 = time.perf_counter()
            await client.health()
            samples.append(time.perf_counter() - t1)
    except BackendError as exc:
        from kiosk.backend.messages import message_for

        hint = {
            "unavailable": "无法连接后台：检查网络、防火墙和 backend.url",
            "circuit_open": "近期连续失败：检查网络、防火墙和 backend.url",
            "timeout": "后台响应超时：检查网络质量或联系后台运维",
            "auth_failed": "终端认证失败：检查 terminal.id 与 secrets.toml 中的 terminal_secret",
            "clock_skew": "时钟偏差过大：启用 NTP 时间同步（timedatectl set-ntp true）",
            "bad_response": "后台应答异常：确认 backend.url 指向电子证照接口",
        }.get(exc.kind.value, "后台异常：" + message_for(exc.kind))
        details["kind"] = exc.kind.value
        failed = CheckResult("backend", title, "failure", f"健康检查失败（{exc.kind.value}）", hint, details)
        return failed, {"error": exc.kind.value}
    finally:
        await client.aclose()
    latency = sorted(samples)[len(samples) // 2]
    details.update(
        latency_ms=round(latency * 1000, 1),
        first_call_ms=round(first_call * 1000, 1),
        server_version=answer.get("version"),
    )
    tls = f"，{details['tls_version']}" if "tls_version" in details else ""
    value = f"{settings.url} 延迟 {latency * 1000:.0f} ms{tls}，版本 {answer.get('version')}"
    days = details.get("cert_days_left")
    if days is not None and days < CERT_WARN_DAYS:
        return CheckResult(
            "backend",
            title,
            "warning",
            value + f"，证书 {days} 天后到期",
            "联系后台运维更新 TLS 证书",
            details,
        ), answer
    if latency > SLOW_SECONDS:
        return CheckResult("backend", title, "warning", value, "后台响应慢：检查网络质量", details), answer
    return CheckResult("backend", title, "ok", value, "", details), answer


def check_clock(
    health: dict[str, Any], wall_clock: Callable[[], float], warn_seconds: float, fail_seconds: float
) -> CheckResult:
    now = datetime.fromtimestamp(wall_clock()).astimezone()
    stamp = now.isoformat(timespec="seconds")
    hint = "系统时间不准：启用 NTP 时间同步（timedatectl set-ntp true）或手动校时"
    if now.year < 2024:
        return CheckResult("clock", "系统时钟", "failure", f"本机时间 {stamp} 明显错误", hint)
    offset = health.get("clock_offset")
    if offset is None:
        why = "后台应答异常" if health.get("error") == "bad_response" else "后台不可达"
        return CheckResult(
            "clock", "系统时钟", "warning", f"本机时间 {stamp}；{why}，无法对时", "先排除后台连接故障"
        )
    if not isinstance(offset, int | float) or not math.isfinite(offset):
        # a NaN offset compares false with every limit: it must never read as "ok"
        return CheckResult("clock", "系统时钟", "failure", f"本机时间 {stamp}；后台时间无效，无法对时", hint)
    details = {"offset_seconds": round(float(offset), 3)}
    value = f"本机时间 {stamp}，与服务器相差 {offset:+.1f} 秒"
    if abs(offset) >= fail_seconds:
        return CheckResult("clock", "系统时钟", "failure", value, hint, details)
    if abs(offset) >= warn_seconds:
        return CheckResult("clock", "系统时钟", "warning", value, hint, details)
    return CheckResult("clock", "系统时钟", "ok", value, "", details)
