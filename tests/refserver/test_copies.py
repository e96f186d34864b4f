"""加注件 (annotated copies) survive whatever text a caller sends: found by the schemathesis suite,
a copy whose use cause held U+001C failed with a 500 (Pillow's raqm layout refuses paragraph
separators)."""

from __future__ import annotations

import json
import time
from datetime import date, datetime

import httpx
import pytest

from kiosk.backend.signing import new_nonce, sign_headers
from refserver.app import DEMO_IDENTIFIER
from refserver.copies import render_copy
from tests.support.refserver import RefServer

SEPARATORS = ["\r", "\x1c", "\x1d", "\x1e", "\x85", "\u2029"]
RECORD = {
    "name": "居民身份证\x1c",
    "face": [{"label": "姓名", "value": "韦桂兰\u2029"}],
    "number": "450206195803120088",
    "issuer": "柳州市公安局柳江分局",
    "identifier": DEMO_IDENTIFIER,
}


@pytest.mark.parametrize("separator", SEPARATORS, ids=[hex(ord(c)) for c in SEPARATORS])
def test_a_copy_is_drawn_whatever_characters_its_text_holds(separator: str) -> None:
    png = render_copy(RECORD, f"办理{separator}户籍", date(2026, 12, 31), datetime(2026, 12, 6, 9, 30))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("use_cause", ["办理\x1c户籍", "第一行\n第二行", "\x00", "办理\u2028户籍"])
def test_the_server_refuses_a_use_cause_that_is_not_one_line_of_text(
    server: RefServer, use_cause: str
) -> None:
    path = f"/v1/certificates/{DEMO_IDENTIFIER}/copies"
    body = json.dumps({"use_cause": use_cause, "valid_days": 30}).encode()
    headers = sign_headers(
        "POST", path, body, server.embedded.terminal_id, server.embedded.secret, int(time.time()), new_nonce()
    )
    headers["Content-Type"] = "application/json"
    r = httpx.post(server.url + path, content=body, headers=headers, trust_env=False, timeout=30)
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_REQUEST"
    assert "use_cause" in r.json()["error"]["message"]
