"""Thin observing wrappers around the backend client and the printer.

They pass every call through unchanged and only time it (backend latency histogram, the clock
offset of ``health()``) or note what it returned (the printer's paper state) for the metrics.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any

from kiosk.ops.metrics import KioskMetrics


class ObservedBackend:
    def __init__(
        self, inner: Any, metrics: KioskMetrics, on_health: Callable[[dict[str, Any]], None]
    ) -> None:
        self._inner = inner
        self._metrics = metrics
        self._on_health = on_health

    @property
    def inner(self) -> Any:
        return self._inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name == "aclose" or not inspect.iscoroutinefunction(attr):
            return attr

        @functools.wraps(attr)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            outcome = "error"
            try:
                result = await attr(*args, **kwargs)
                outcome = "ok"
            except Exception as exc:
                kind = getattr(getattr(exc, "kind", None), "value", "error")
                outcome = kind if isinstance(kind, str) else "error"
                raise
            finally:
                self._metrics.backend_latency.labels(op=name, outcome=_outcome(outcome)).observe(
                    time.perf_counter() - t0
                )
            if name == "health" and isinstance(result, dict):
                self._on_health(result)
            return result

        return timed


def _outcome(value: str) -> str:
    from kiosk.backend.errors import BackendErrorKind

    return value if value in ("ok", "error") or value in {k.value for k in BackendErrorKind} else "other"


class ObservedPrinter:
    def __init__(self, inner: Any, metrics: KioskMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    @property
    def inner(self) -> Any:
        return self._inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def paper_width_dots(self) -> int:
        return int(self._inner.paper_width_dots)

    def status(self) -> Any:
        try:
            status = self._inner.status()
        except Exception:
            self._metrics.set_paper("unknown")
            raise
        self._metrics.set_paper(str(getattr(status, "paper", "unknown")))
        return status

    def print_image(self, image: Any) -> None:
        self._inner.print_image(image)
