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
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ops.prometheus_tools import alertmanager_bin_dir, alertmanager_command, prometheus_bin_dir

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
RULES = MONITORING / "kiosk-alerts.yml"
RULE_TESTS = MONITORING / "kiosk-alerts.test.yml"
ALERTMANAGER_EXAMPLE = MONITORING / "alertmanager" / "alertmanager.example.yml"
DASHBOARD = MONITORING / "grafana" / "kiosk-fleet.json"
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


def test_example_configs_are_valid(prom_bin: Path, tmp_path: Path) -> None:
    """The files a centre copies: Prometheus' (in /etc/prometheus's layout, the terminal list read
    by file discovery), the agent's, and Alertmanager's with its template."""
    etc = tmp_path / "etc-prometheus"
    (etc / "kiosk-terminals").mkdir(parents=True)
    shutil.copy(MONITORING / "prometheus.example.yml", etc / "prometheus.yml")
    shutil.copy(RULES, etc / RULES.name)
    shutil.copy(MONITORING / "kiosk-terminals.example.yml", etc / "kiosk-terminals" / "hall.yml")
    checked = promtool(prom_bin, "check", "config", "prometheus.yml", cwd=etc)
    assert checked.returncode == 0 and "1 rule files found" in checked.stdout, checked.stdout + checked.stderr
    agent = promtool(prom_bin, "check", "config", "--agent", "prometheus-agent.example.yml", cwd=MONITORING)
    assert agent.returncode == 0, agent.stdout + agent.stderr
    amtool = alertmanager_bin_dir() / "amtool"
    am = subprocess.run(
        [str(amtool), "check-config", str(ALERTMANAGER_EXAMPLE)], capture_output=True, text=True, timeout=60
    )
    assert am.returncode == 0 and "1 templates" in am.stdout, am.stdout + am.stderr


def metric_names() -> set[str]:
    """Every series name the terminal's metrics module can export (counters with _total, histograms'
    _bucket/_count/_sum)."""
    from kiosk.ops.metrics import KioskMetrics

    names: set[str] = set()
    for family in KioskMetrics().registry.collect():
        suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}.get(
            family.type, ("",)
        )
        names |= {family.name + s for s in suffixes}
    return names


def test_rules_and_dashboard_only_use_metrics_the_terminal_exports() -> None:
    board = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert board["uid"] == "kiosk-fleet" and "id" not in board  # provisioning-ready: no database id
    exprs = [target["expr"] for p in board["panels"] for target in p.get("targets", [])]
    assert len(exprs) >= 20
    for panel in board["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
    used = set(re.findall(r"\bkiosk_[a-z_]+", "\n".join(exprs) + RULES.read_text(encoding="utf-8")))
    missing = used - metric_names()
    assert not missing, f"not exported by kiosk/ops/metrics.py: {missing}"


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


def start_daemon(cmd: list[str], work: Path, ready_url: str, fleet: Fleet) -> subprocess.Popen[bytes]:
    """Start a Prometheus or Alertmanager and wait until it says it is ready (its log in ``work``)."""
    with open(work / "daemon.log", "w") as log:
        process = subprocess.Popen(
            cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    fleet.processes.append(process)  # stopped with the fleet, whatever happens
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, f"{cmd[0]} exited: see {work / 'daemon.log'}"
        try:
            if httpx.get(ready_url, timeout=1, trust_env=False).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{cmd[0]} not ready in 30 s"
        time.sleep(0.2)


class Robots:
    """The centre's message endpoints on 127.0.0.1, answering as the real ones do: WeCom's API for a
    self-built application (gettoken, then message/send, errcode 0) and the DingTalk bridge
    (prometheus-webhook-dingtalk), which takes Alertmanager's webhook JSON."""

    def __init__(self) -> None:
        self.wecom: list[dict[str, Any]] = []
        self.bridge: list[dict[str, Any]] = []
        robots = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.startswith("/cgi-bin/gettoken?") and "corpsecret=" in self.path:
                    self._answer({"errcode": 0, "errmsg": "ok", "access_token": "T0K", "expires_in": 7200})
                else:
                    self._answer({"errcode": 40001, "errmsg": "invalid credential"})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/cgi-bin/message/send?access_token=T0K":
                    robots.wecom.append(body)
                    self._answer({"errcode": 0, "errmsg": "ok"})
                elif self.path == "/dingtalk/hall/send":
                    robots.bridge.append(body)
                    self._answer({})
                else:
                    self._answer({"errcode": 42001, "errmsg": "access_token expired"})

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def alertmanager_example_for_test(robots_url: str) -> str:
    """The shipped example with its FILL IN values pointing at the test's robots, and its waits in
    seconds (group_wait 30 s → 1 s …) for a test's clock."""
    text = ALERTMANAGER_EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("https://qyapi.weixin.qq.com/cgi-bin/", robots_url + "/cgi-bin/")
    text = text.replace("http://127.0.0.1:8060/dingtalk/hall/send", robots_url + "/dingtalk/hall/send")
    text = re.sub(r'"FILL-IN-[a-z-]+"', '"1000002"', text)
    return re.sub(r"(group_wait|group_interval|repeat_interval): \w+", r"\1: 1s", text)


@pytest.fixture
def robots() -> Iterator[Robots]:
    robots = Robots()
    try:
        yield robots
    finally:
        robots.close()


@pytest.fixture
def alertmanager(fleet: Fleet, robots: Robots, tmp_path: Path) -> Iterator[str]:
    work = tmp_path / "alertmanager"
    work.mkdir()
    (work / "alertmanager.yml").write_text(alertmanager_example_for_test(robots.url), encoding="utf-8")
    shutil.copy(ALERTMANAGER_EXAMPLE.parent / "kiosk.tmpl", work / "kiosk.tmpl")
    port = free_port()
    args = [
        f"--config.file={work / 'alertmanager.yml'}",
        f"--storage.path={work / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",  # one Alertmanager, no gossip port
    ]
    cmd = alertmanager_command(args, work / "mnt")
    process = start_daemon(cmd, work, f"http://127.0.0.1:{port}/-/ready", fleet)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def prometheus(prom_bin: Path, fleet: Fleet, alertmanager: str, tmp_path: Path) -> Iterator[str]:
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
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]},
        "scrape_configs": [{"job_name": "kiosk", "static_configs": targets}],
    }
    (work / "prometheus.yml").write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    port = free_port()
    cmd = [
        str(prom_bin / "prometheus"),
        f"--config.file={work / 'prometheus.yml'}",
        f"--storage.tsdb.path={work / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    process = start_daemon(cmd, work, f"http://127.0.0.1:{port}/-/ready", fleet)
    try:
        yield f"http://127.0.0.1:{port}"
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


def test_fleet_alerts_fire_for_the_faulty_terminals_only(
    fleet: Fleet, prometheus: str, robots: Robots
) -> None:
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
    no_paper.command("help")  # and a citizen there calls staff, whom nobody marks handled
    killed.process.kill()
    killed.process.wait(timeout=5)
    faulted = time.monotonic()

    expected = {
        ("KioskPaperOut", no_paper.label, ""),
        ("KioskDeviceDown", no_paper.label, "printer"),  # the printer is down while it has no paper
        ("KioskHelpCallOpen", no_paper.label, ""),
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

    # the dashboard's overview counts the same faults
    overview = {p["title"]: p["targets"][0]["expr"] for p in dashboard()["panels"] if p["type"] == "stat"}
    assert instant(prometheus, overview["在线终端 Terminals up"]) == 2
    assert instant(prometheus, overview["离线终端 Terminals down"]) == 1
    assert instant(prometheus, overview["缺纸 Paper out"]) == 1
    assert instant(prometheus, overview["待处理呼叫 Help calls open"]) == 1
    assert instant(prometheus, overview["告警 Alerts firing"]) == 4
    for panel in dashboard()["panels"]:  # every panel's query is PromQL this Prometheus runs
        for target in panel.get("targets", []):
            query = target["expr"].replace("$site", ".*").replace("$terminal", ".*")
            api(prometheus, "/api/v1/query", query=query)

    # Alertmanager (the shipped example) routes them: the critical ones (a terminal down, a help call
    # unanswered) to the WeCom application and the hall's robot, paper out to the hall's robot only,
    # the printer's DeviceDown held back by KioskPaperOut (an inhibit rule); the WeCom message is the
    # rules' Chinese summary
    def to_bridge() -> set[tuple[str, str]]:
        return {
            (a["labels"]["alertname"], a["labels"]["terminal"]) for m in robots.bridge for a in m["alerts"]
        }

    def wecom_text() -> str:
        return "\n".join(m["markdown"]["content"] for m in robots.wecom)

    down = f"自助终端 {killed.label}（fleet-test）无法连接，已超过 2 分钟"
    help_open = f"自助终端 {no_paper.label}（fleet-test）有群众呼叫工作人员，5 分钟内无人处理"
    want = {
        ("KioskTerminalDown", killed.label),
        ("KioskPaperOut", no_paper.label),
        ("KioskHelpCallOpen", no_paper.label),
    }
    wait_for("the hall's robot told", lambda: want <= to_bridge(), 20)
    wait_for("the WeCom application told", lambda: down in wecom_text() and help_open in wecom_text(), 20)
    delivered = round(time.monotonic() - faulted, 1)
    time.sleep(2)  # a few group intervals: nothing else arrives
    assert to_bridge() == want
    assert all(m["msgtype"] == "markdown" and m["toparty"] == "1000002" for m in robots.wecom)
    assert "缺纸" not in wecom_text() and healthy.label not in wecom_text()
    print(
        f"fleet: scraped after {faulted - t0:.1f} s; alerts fired after (s): {fired_after}; "
        f"robots told after {delivered} s"
    )


def dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD.read_text(encoding="utf-8")))


def instant(prometheus: str, expr: str) -> float:
    """The value of a dashboard query over all sites and terminals (a single series)."""
    query = expr.replace("$site", ".*").replace("$terminal", ".*")
    result = api(prometheus, "/api/v1/query", query=query)["result"]
    assert len(result) == 1, (expr, result)
    return float(result[0]["value"][1])
