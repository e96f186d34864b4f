"""Local HTTP servers on 127.0.0.1 that answer as the staff channels do (kiosk.notify tests).

``Robot`` plays a WeCom group robot, a DingTalk custom robot or a generic JSON webhook: it records
every request and answers from a script (errcode 0, a refusal errcode, an HTTP status, or a hang
longer than the client's timeout). The DingTalk robot checks 加签 itself, as DingTalk does: the
``timestamp`` within an hour of now and ``sign`` equal to base64(HMAC-SHA256(secret,
"<timestamp>\\n<secret>")); a wrong or missing signature gets errcode 310000, as the real robot answers.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# one scripted answer: ("errcode", n) | ("status", code) | ("hang", seconds)
Answer = tuple[str, float]


@dataclass
class Robot:
    kind: str  # "wecom" | "dingtalk" | "webhook"
    secret: str = ""  # DingTalk 加签 secret the server checks (empty: not signed)
    script: list[Answer] = field(default_factory=list)  # answers in order; then errcode 0 / 200
    received: list[dict[str, Any]] = field(default_factory=list)  # JSON bodies
    queries: list[dict[str, list[str]]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        path = {"wecom": "/cgi-bin/webhook/send?key=test-key", "dingtalk": "/robot/send?access_token=tok"}
        return f"http://127.0.0.1:{self.port}" + path.get(self.kind, "/hooks/help")

    def texts(self) -> list[str]:
        return [
            b.get("text", {}).get("content", "") if self.kind != "webhook" else b["text"]
            for b in self.received
        ]

    def _sign_ok(self, query: dict[str, list[str]]) -> bool:
        if not self.secret:
            return True
        try:
            ts = int(query["timestamp"][0])
            sign = query["sign"][0]  # parse_qs has undone the URL encoding
        except (KeyError, ValueError):
            return False
        if abs(time.time() * 1000 - ts) > 3600_000:
            return False
        want = hmac.new(self.secret.encode(), f"{ts}\n{self.secret}".encode(), hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(want).decode(), sign)


def _handler(robot: Robot) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any] | None) -> None:
            data = json.dumps(body or {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            # the client may have given up waiting (a hang longer than its timeout): as intended
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            query = parse_qs(urlsplit(self.path).query)
            robot.received.append(body)
            robot.queries.append(query)
            what, value = robot.script.pop(0) if robot.script else ("errcode", 0)
            if what == "hang":
                time.sleep(value)
                what, value = "errcode", 0
            if what == "status":
                self._answer(int(value), {"error": "server error"})
            elif robot.kind == "webhook":
                self._answer(200 if value == 0 else 400, {"ok": value == 0})
            elif robot.kind == "dingtalk" and not robot._sign_ok(query):
                self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
            elif value == 0:
                self._answer(200, {"errcode": 0, "errmsg": "ok"})
            else:
                self._answer(200, {"errcode": int(value), "errmsg": "refused"})

    return Handler


@contextmanager
def running_robot(kind: str, secret: str = "", script: list[Answer] | None = None) -> Iterator[Robot]:
    robot = Robot(kind, secret, list(script or []))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(robot))
    server.daemon_threads = True
    robot.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield robot
    finally:
        server.shutdown()
        server.server_close()
