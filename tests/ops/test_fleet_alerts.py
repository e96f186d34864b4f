"""The fleet's alert rules (deploy/monitoring): promtool's rule tests, and a real Prometheus on 127.0.0.1
scraping three running terminals, one of which runs out of paper and one of which is killed.

promtool and prometheus come from Debian's package, unpacked into a cache without installing it
(tests/ops/prometheus_tools.py says why). The fleet test's Prometheus runs the shipped rules with
every duration divided by 60 (``for: 10m`` becomes 10 s, ``[5m]`` 5 s), scraping and evaluating every
second: the rules a centre deploys, on a clock a test can wait for.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ops.prometheus_tools import prometheus_bin_dir

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
RULES = MONITORING / "kiosk-alerts.yml"
RULE_TESTS = MONITORING / "kiosk-alerts.test.yml"
FLEET = ("LJ-FLEET-01", "LJ-FLEET-02", "LJ-FLEET-03")


@pytest.fixture(scope="module")
def prom_bin() -> Path:
    return prometheus_bin_dir()


def promtool(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "promtool"), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def alert_names(rules_text: str) -> list[str]:
    return re.findall(r"^\s*- alert: (\w+)$", rules_text, flags=re.M)


# ---------------------------------------------------------------------------------------- promtool
def test_rules_are_valid_and_pass_their_promtool_tests(prom_bin: Path) -> None:
    checked = promtool(prom_bin, "check", "rules", RULES.name, cwd=MONITORING)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = promtool(prom_bin, "test", "rules", RULE_TESTS.name, cwd=MONITORING)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    # every alert the rules define is exercised by the rule tests
    tests_text = RULE_TESTS.read_text(encoding="utf-8")
    for name in alert_names(RULES.read_text(encoding="utf-8")):
        assert f"alertname: {name}" in tests_text, f"{name} has no promtool test"


def test_the_rule_tests_catch_an_alert_without_its_delay(prom_bin: Path, tmp_path: Path) -> None:
    """Each rule's ``for:`` matters to a centre (a card pulled mid-read must not page anyone): drop
    one and the rule tests fail on that alert."""
    rules_text = RULES.read_text(encoding="utf-8")
    names = alert_names(rules_text)
    assert len(names) >= 9
    (tmp_path / RULE_TESTS.name).write_text(RULE_TESTS.read_text(encoding="utf-8"), encoding="utf-8")
    for name in names:
        weakened, count = re.subn(
            rf"(- alert: {name}\n(?:(?!\s*- alert:).*\n)*?)\s*for: \w+\n", r"\1", rules_text
        )
        assert count == 1, name
        (tmp_path / RULES.name).write_text(weakened, encoding="utf-8")
        tested = promtool(prom_bin, "test", "rules", RULE_TESTS.name, cwd=tmp_path)
        assert tested.returncode != 0, f"the rule tests pass with {name} firing at once"
        assert f"alertname: {name}," in tested.stdout + tested.stderr


# ---------------------------------------------------------------------------------------- the fleet
def faster(rules_text: str) -> str:
    """The shipped rules on a clock 60 times faster: minutes become seconds, hours minutes."""
    unit = {"m": "s", "h": "m"}

    def scale(match: re.Match[str]) -> str:
        return f"{match[1]}{match[2]}{unit[match[3]]}{match[4]}"

    text = re.sub(r"(for: )(\d+)([mh])(\s)", scale, rules_text)
    return re.sub(r"(\[)(\d+)([mh])(\])", scale, text)


def test_faster_copy_rewrites_every_duration() -> None:
    shipped = RULES.read_text(encoding="utf-8")
    text = faster(shipped)
    assert "for: 10m" in shipped and "[5m]" in shipped and "[6h]" in shipped
    assert not re.search(r"for: \d+[mh]\b|\[\d+h\]", text)
    assert "for: 10s" in text and "[5s]" in text and "[6m]" in text and "[5m]" not in text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Terminal:
    id: str
    process: subprocess.Popen[str]
    target: str = ""

    @property
    def label(self) -> str:  # the `terminal` label Prometheus attaches to its series
        return self.id.lower().replace("-", "_")

    def command(self, line: str) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "ok"


@dataclass
class Fleet:
    terminals: list[Terminal] = field(default_factory=list)
    processes: list[subprocess.Popen[Any]] = field(default_factory=list)

    def stop(self) -> None:
        for p in self.processes:
            if p.poll() is None:
                if p.stdin is not None:
                    p.stdin.close()  # a terminal stops when its input closes
                else:
                    p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    from kiosk.wiring.backend import start_embedded_refserver

    extra = [{"id": t, "secret": secrets.token_hex(32), "allowed_types": []} for t in FLEET[1:]]
    server = start_embedded_refserver(tmp_path / "refserver", FLEET[0], extra_terminals=extra)
    secret_of = {FLEET[0]: server.secret} | {e["id"]: e["secret"] for e in extra}
    running = Fleet()
    try:
        for terminal_id in FLEET:
            state = tmp_path / terminal_id
            state.mkdir()
            spec = {
                "overrides": {
                    "terminal": {"id": terminal_id},
                    "paths": {"state_dir": str(state)},
                    "ops": {"metrics_port": 0, "watchdog": False},
                    "backend": {
                        "url": server.url,
                        "terminal_secret": secret_of[terminal_id],
                        "issuer_keys": server.issuer_keys,
                    },
                },
                "state_dir": str(state),
                "health_interval": 1.0,
            }
            (state / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
            with open(state / "terminal.log", "w") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "tests.ops.fleet_terminal", str(state / "spec.json")],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                )
            running.processes.append(process)
            running.terminals.append(Terminal(terminal_id, process))
        for t in running.terminals:  # each says its metrics URL once its first health check is done
            assert t.process.stdout is not None
            line = t.process.stdout.readline()
            assert line, f"{t.id} did not start: see {tmp_path / t.id / 'terminal.log'}"
            t.target = json.loads(line)["metrics_url"].removeprefix("http://").removesuffix("/metrics")
        yield running
    finally:
        running.stop()
        server.stop()


@pytest.fixture
def prometheus(prom_bin: Path, fleet: Fleet, tmp_path: Path) -> Iterator[str]:
    work = tmp_path / "prometheus"
    work.mkdir()
    (work / "kiosk-alerts.yml").write_text(faster(RULES.read_text(encoding="utf-8")), encoding="utf-8")
    targets = [
        {"targets": [t.target], "labels": {"terminal": t.label, "site": "fleet-test"}}
        for t in fleet.terminals
    ]
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": ["kiosk-alerts.yml"],
        "scrape_configs": [{"job_name": "kiosk", "static_configs": targets}],
    }
    (work / "prometheus.yml").write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    port = free_port()
    with open(work / "prometheus.log", "w") as log:
        process = subprocess.Popen(
            [
                str(prom_bin / "prometheus"),
                f"--config.file={work / 'prometheus.yml'}",
                f"--storage.tsdb.path={work / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            cwd=work,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    fleet.processes.append(process)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, f"prometheus exited: see {work / 'prometheus.log'}"
        try:
            if httpx.get(url + "/-/ready", timeout=1, trust_env=False).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "prometheus not ready in 30 s"
        time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def api(url: str, path: str, **params: str) -> Any:
    answer = httpx.get(url + path, params=params, timeout=5, trust_env=False).json()
    assert answer["status"] == "success", answer
    return answer["data"]


def wait_for(what: str, predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out: {what}"
        time.sleep(0.25)


def test_fleet_alerts_fire_for_the_faulty_terminals_only(fleet: Fleet, prometheus: str) -> None:
    healthy, no_paper, killed = fleet.terminals
    t0 = time.monotonic()

    def up() -> dict[str, float]:
        return {
            r["metric"]["terminal"]: float(r["value"][1])
            for r in api(prometheus, "/api/v1/query", query="up")["result"]
        }

    wait_for("all three terminals scraped", lambda: set(up().values()) == {1.0} and len(up()) == 3, 30)
    time.sleep(3)  # a few evaluations over a healthy fleet
    assert api(prometheus, "/api/v1/alerts")["alerts"] == [], "alerts over a healthy fleet"

    no_paper.command("paper out")
    killed.process.kill()
    killed.process.wait(timeout=5)
    faulted = time.monotonic()

    expected = {
        ("KioskPaperOut", no_paper.label, ""),
        ("KioskDeviceDown", no_paper.label, "printer"),  # the printer is down while it has no paper
        ("KioskTerminalDown", killed.label, ""),
    }
    seen: set[tuple[str, str, str, str]] = set()  # (alert, terminal, device, state) at any poll
    fired_after: dict[tuple[str, str, str], float] = {}  # seconds from the faults to "firing"

    def firing() -> set[tuple[str, str, str]]:
        now: set[tuple[str, str, str]] = set()
        for a in api(prometheus, "/api/v1/alerts")["alerts"]:
            labels = a["labels"]
            key = (labels["alertname"], labels.get("terminal", ""), labels.get("device", ""))
            seen.add((*key, a["state"]))
            if a["state"] == "firing":
                now.add(key)
                fired_after.setdefault(key, round(time.monotonic() - faulted, 1))
        return now

    wait_for(f"alerts {sorted(expected)}", lambda: expected <= firing(), 60)
    time.sleep(3)  # evaluations after the last alert fired: nothing else joins, nothing resolves
    assert firing() == expected
    assert set(fired_after) == expected, f"fired: {fired_after}"
    assert not [s for s in seen if s[1] == healthy.label], f"the healthy terminal alerted: {seen}"
    print(f"fleet: scraped after {faulted - t0:.1f} s; alerts fired after (s): {fired_after}")
