"""Abuse suite: schemathesis against the reference server's own OpenAPI document.

Every operation gets schema-valid and schema-invalid requests, each signed like a terminal's (a
``requests`` auth hook signs the exact bytes sent), sent to a real ``refserver serve`` on
127.0.0.1. Every answer must be documented (status, content type, headers, body schema), no answer
may be a 5xx, invalid data must be refused and valid data accepted, and a method the path lacks
must get a 405 with ``Allow``.

Bounded and reproducible: a fixed number of examples per operation, derandomized, no example
database. WHY the document comes from ``create_app`` in this process and not from the running
server: schemathesis builds its tests when pytest collects them, before any fixture starts a
server; ``test_the_document_is_the_one_the_server_serves`` proves the two are the same document.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, settings

from kiosk.backend.signing import new_nonce, sign_headers
from refserver.app import IDENTIFIER_PATTERN, create_app
from refserver.auth import (
    METHOD_PATTERN,
    NONCE_PATTERN,
    SIGNATURE_PATTERN,
    TERMINAL_ID_PATTERN,
    TIMESTAMP_PATTERN,
)
from refserver.identifiers import CERT_ROOT, mod37_36_check
from refserver.store import Store
from tests.support.refserver import RefServer

MAX_EXAMPLES = 300  # per operation: ~2,450 requests in about 35 s on 2 cores (1,500: ~9,100 in 2 min)


def _document() -> dict[str, Any]:
    store = Store(":memory:")
    try:
        return create_app(store).openapi()
    finally:
        store.close()


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


class TerminalSigning(requests.auth.AuthBase):
    """Signs a prepared request as a terminal would: the method, the path and query as sent, and
    the body bytes as sent (whatever schemathesis generated, valid or not).

    The document declares the authentication headers, so schemathesis generates them: each one the
    request carries in its documented form is replaced by its real value; one it lacks stays
    missing, and one of the wrong form stays wrong — that is how the suite's negative cases for
    these headers reach the server as such (and must be refused 401).
    """

    def __init__(self, terminal_id: str, secret: str) -> None:
        self.terminal_id = terminal_id
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, bytes):
            raise TypeError("the suite sends whole bodies, never streams")
        ts, nonce = int(time.time()), new_nonce()
        method, target = str(request.method), request.path_url
        real = sign_headers(method, target, body, self.terminal_id, self.secret, ts, nonce)
        for name, value in real.items():
            sent = request.headers.get(name)
            if isinstance(sent, str) and re.search(HEADER_PATTERNS[name], sent):
                request.headers[name] = value
        return request


HEADER_PATTERNS = {
    "X-Terminal-Id": TERMINAL_ID_PATTERN,
    "X-Timestamp": TIMESTAMP_PATTERN,
    "X-Nonce": NONCE_PATTERN,
    "X-Signature": SIGNATURE_PATTERN,
    "X-Signature-Method": METHOD_PATTERN,
}
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)


def with_right_check_character(case: schemathesis.Case) -> None:
    """An identifier that has the documented form gets its right check character.

    The check character (ISO/IEC 7064 MOD 37,36) is beyond what a JSON Schema pattern can say, so
    a generated identifier of the right form has a wrong one 35 times in 36 and would be refused
    400 before the server looks anything up; with the right one the request goes on to the store.
    A wrong check character is tested on its own (tests/backend/test_contract.py).
    """
    params = case.path_parameters or {}
    value = params.get("identifier")
    if isinstance(value, str) and _IDENTIFIER.match(value):
        head, _, _ = value.rpartition(".")  # everything before the check character
        payload = head[len(CERT_ROOT) + 1 :].replace(".", "")
        params["identifier"] = f"{head}.{mod37_36_check(payload)}"


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_every_answer_is_documented_and_none_is_a_server_error(
    case: schemathesis.Case, server: RefServer
) -> None:
    with_right_check_character(case)
    signing = TerminalSigning(server.embedded.terminal_id, server.embedded.secret)
    case.call_and_validate(base_url=server.url, auth=signing)


def test_the_document_is_the_one_the_server_serves(server: RefServer) -> None:
    served = httpx.get(server.url + "/openapi.json", trust_env=False).json()
    assert served == DOCUMENT
