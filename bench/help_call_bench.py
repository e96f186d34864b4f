"""Help-call benchmark: from the tap on 呼叫工作人员 to the answer the citizen sees (kiosk.notify).

    .venv/bin/python bench/help_call_bench.py [--rounds N]

Prints, with local robots on 127.0.0.1 (tests/support/robots.py) and the real controller:

* tap → accepted: ``Controller.call_staff()`` until the notice may say 已通知工作人员, for a WeCom
  robot and a signed DingTalk robot — median and max ms;
* tap → fallback with the default tries and back-off when the robot refuses every try (errcode),
  and when it never answers (each try waits the full timeout): what a citizen waits at worst.

No pass/fail: figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.audit import AuditLog
from kiosk.controller import Controller, Devices
from tests.support.robots import running_robot
from tests.support.ui import FakeClock, make_config


async def one_call(tmp: Path, notify: dict[str, Any]) -> tuple[float, str]:
    c = Controller(
        make_config({"notify": notify}), Devices(), None, AuditLog(tmp / "audit.jsonl"), FakeClock()
    )
    start = time.perf_counter()
    c.call_staff()
    call = c.help_call
    assert call is not None
    while call.phase == "calling":
        await asyncio.sleep(0.001)
    return (time.perf_counter() - start) * 1000, call.phase


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for kind, secret in (("wecom", ""), ("dingtalk", "SECbench")):
            with running_robot(kind, secret=secret) as robot:
                notify = {"wecom_url" if kind == "wecom" else "dingtalk_url": robot.url}
                if secret:
                    notify["dingtalk_secret"] = secret
                ms = [asyncio.run(one_call(tmp, notify))[0] for _ in range(args.rounds)]
            print(f"tap → accepted ({kind}): median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms")
        with running_robot("wecom", script=[("errcode", 93000)] * 10) as robot:
            wait, phase = asyncio.run(one_call(tmp, {"wecom_url": robot.url}))
        print(f"tap → fallback, robot refuses every try (defaults): {wait / 1000:.2f} s ({phase})")
        with running_robot("wecom", script=[("hang", 5.0)] * 3) as robot:
            wait, phase = asyncio.run(one_call(tmp, {"wecom_url": robot.url}))
        print(f"tap → fallback, robot never answers (defaults): {wait / 1000:.2f} s ({phase})")


if __name__ == "__main__":
    main()
