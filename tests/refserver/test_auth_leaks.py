"""The reference server tells nobody which terminal ids exist, and every 405 says what is allowed.

Issue 19 item 10: "unknown terminal" and "bad signature" were different answers (and an unknown
terminal was refused before any hashing, so faster), so terminal ids could be enumerated; 405
answers lacked ``Allow``.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.backend.signing import new_nonce, sign_headers
from refserver import auth
from refserver.app import DEMO_IDENTIFIER, IdentifierConvertor
from refserver.auth import AuthProblem, Guard
from refserver.store import Store
from tests.refserver.inprocess import TERMINAL
from tests.support.refserver import SM3_TERMINAL, THROTTLED_TERMINAL, RefServer

QUERY = "/v1/certificates/query"
UNKNOWN = "LJ-ZZ-NOBODY"
ELDER = {"holder_code": "450206195803120088", "holder_type": "111", "evidence": {"kind": "id_card"}}
BODY = json.dumps({**ELDER, "use_cause": "x"}).encode()


def headers_for(
    terminal_id: str, secret: str, body: bytes = BODY, timestamp: int | None = None
) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return sign_headers("POST", QUERY, body, terminal_id, secret, ts, new_nonce())


def post(server: RefServer, headers: dict[str, str], body: bytes = BODY) -> httpx.Response:
    headers = {**headers, "Content-Type": "application/json"}
    return httpx.post(server.url + QUERY, content=body, headers=headers, trust_env=False)


def seen(r: httpx.Response) -> tuple[int, bytes, dict[str, str]]:
    """Everything a caller sees of an answer except its Date."""
    return r.status_code, r.content, {k: v for k, v in r.headers.items() if k != "date"}


def test_unknown_terminal_and_bad_signature_get_the_same_answer(server: RefServer) -> None:
    demo, secret = server.embedded.terminal_id, server.embedded.secret
    sm3_secret = str(SM3_TERMINAL["secret"])
    answers = {
        "unknown terminal": post(server, headers_for(UNKNOWN, secret)),
        "wrong secret": post(server, headers_for(demo, "not-the-secret")),
        "body changed after signing": post(server, headers_for(demo, secret, b"{}")),
        # the registry says HMAC-SM3 for this terminal; it signs (correctly) with HMAC-SHA256
        "method not the registry's": post(server, headers_for(str(SM3_TERMINAL["id"]), sm3_secret)),
    }
    first = seen(answers["unknown terminal"])
    assert first[0] == 401 and json.loads(first[1])["error"]["code"] == "AUTH_FAILED"
    for name, answer in answers.items():
        assert seen(answer) == first, name


def _spoil(headers: dict[str, str], defect: str) -> dict[str, str]:
    spoilt = dict(headers)
    if defect == "no signature":
        del spoilt["X-Signature"]
    elif defect == "short nonce":
        spoilt["X-Nonce"] = "abcd"
    elif defect == "timestamp not a number":
        spoilt["X-Timestamp"] = "soon"
    elif defect == "unsupported method":
        spoilt["X-Signature-Method"] = "HMAC-MD5"
    elif defect == "signature not hex":
        spoilt["X-Signature"] = "z" * 64
    return spoilt


@pytest.mark.parametrize(
    "defect",
    [
        "no signature",
        "short nonce",
        "timestamp not a number",
        "unsupported method",
        "signature not hex",
        "timestamp an hour off",
    ],
)
def test_header_defects_do_not_tell_whether_the_terminal_exists(server: RefServer, defect: str) -> None:
    secret = server.embedded.secret
    hour_ago = int(time.time()) - 3600 if defect == "timestamp an hour off" else None
    known = post(server, _spoil(headers_for(server.embedded.terminal_id, secret, timestamp=hour_ago), defect))
    unknown = post(server, _spoil(headers_for(UNKNOWN, secret, timestamp=hour_ago), defect))
    assert known.status_code == 401
    assert seen(known) == seen(unknown)
    expected = "AUTH_FAILED" if hour_ago is None else "CLOCK_SKEW"
    assert known.json()["error"]["code"] == expected


def test_an_unknown_terminal_costs_the_same_hmac_as_a_bad_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing assertion: the server computes one HMAC over the same signing text (its body hash
    included) for an unknown terminal as for a known one with a wrong secret, and refuses both at
    the same step with the same problem."""
    store = Store(tmp_path / "guard.db")
    store.put_terminal(TERMINAL)
    guard = Guard(store)
    macs: list[tuple[bytes, str]] = []
    real = auth.mac_hex

    def counting(key: bytes, text: bytes, algorithm: str) -> str:
        macs.append((text, algorithm))
        return real(key, text, algorithm)

    monkeypatch.setattr(auth, "mac_hex", counting)
    ts, nonce = int(time.time()), new_nonce()
    problems = []
    for terminal_id in (TERMINAL.id, UNKNOWN):
        signed = sign_headers("POST", QUERY, BODY, terminal_id, "wrong", ts, nonce)
        headers = {k.lower(): v for k, v in signed.items()}
        with pytest.raises(AuthProblem) as refused:
            guard.check("POST", QUERY, headers, BODY)
        problems.append((refused.value.status, refused.value.code, refused.value.message))
    store.close()
    assert problems[0] == problems[1] == (401, "AUTH_FAILED", auth.REFUSED_MESSAGE)
    assert len(macs) == 2 and macs[0] == macs[1]
    assert auth.HASHES["hmac-sha256"](BODY).hexdigest().encode() in macs[0][0]


def test_replay_and_rate_are_judged_only_after_the_signature(server: RefServer) -> None:
    # an unknown terminal's request sent twice is refused twice the same way (its nonce is not kept)
    twice = headers_for(UNKNOWN, server.embedded.secret)
    assert seen(post(server, twice)) == seen(post(server, twice))
    # wrong-secret requests do not use up a real terminal's rate (3 a minute)
    throttled = str(THROTTLED_TERMINAL["id"])
    for _ in range(4):
        assert post(server, headers_for(throttled, "wrong")).json()["error"]["code"] == "AUTH_FAILED"
    assert post(server, headers_for(throttled, str(THROTTLED_TERMINAL["secret"]))).status_code == 200


def _concrete(template: str) -> str:
    return template.replace("{identifier}", DEMO_IDENTIFIER)


def test_every_405_carries_allow(server: RefServer) -> None:
    doc = httpx.get(server.url + "/openapi.json", trust_env=False).json()
    paths: dict[str, dict[str, Any]] = doc["paths"]
    # a template's {identifier} stands for the GB/T 36904 form only (so not "query")
    identifier = IdentifierConvertor.regex
    patterns = {t: re.compile("^" + re.escape(t).replace(r"\{identifier\}", identifier) + "$") for t in paths}
    checked = 0
    for template in paths:
        path = _concrete(template)
        # every method some documented operation on this concrete path has
        here = {m.upper() for t, ops in paths.items() if patterns[t].match(path) for m in ops}
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"):
            if method in here:
                continue
            terminal, secret = server.embedded.terminal_id, server.embedded.secret
            headers = sign_headers(method, path, b"", terminal, secret, int(time.time()), new_nonce())
            r = httpx.request(method, server.url + path, headers=headers, trust_env=False)
            assert r.status_code == 405, (method, path)
            allow = {m.strip() for m in r.headers.get("allow", "").split(",") if m.strip()}
            assert allow == here, (method, path, r.headers.get("allow"))
            if method != "HEAD":
                assert r.json()["error"]["code"] == "INVALID_REQUEST"
            checked += 1
    assert checked >= 30


def test_the_query_path_is_not_an_identifier(server: RefServer) -> None:
    """GET /v1/certificates/query is the query resource with the wrong method (405, Allow: POST),
    not a certificate named "query" — and the document says GET /v1/certificates/{identifier} can
    answer 405 (the schemathesis suite found it undocumented)."""
    terminal, secret = server.embedded.terminal_id, server.embedded.secret
    headers = sign_headers("GET", QUERY, b"", terminal, secret, int(time.time()), new_nonce())
    r = httpx.get(server.url + QUERY, headers=headers, trust_env=False)
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    doc = httpx.get(server.url + "/openapi.json", trust_env=False).json()
    assert "405" in doc["paths"]["/v1/certificates/{identifier}"]["get"]["responses"]
