"""Every backend error kind has a plain-Chinese sentence for the citizen."""

from __future__ import annotations

import re

import pytest

from kiosk.backend.errors import BackendErrorKind
from kiosk.backend.messages import message_for

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("kind", list(BackendErrorKind))
def test_every_kind_has_chinese(kind: BackendErrorKind) -> None:
    text = message_for(kind)
    assert len(CJK.findall(text)) >= 6
    assert kind.value not in text and "HTTP" not in text
    assert message_for(kind.value) == text


def test_known_wording() -> None:
    assert message_for(BackendErrorKind.TOKEN_EXPIRED) == "亮证码已过期，请在手机上刷新后重新出示。"
    assert message_for(BackendErrorKind.TOKEN_USED) == "该亮证码已使用过，请在手机上刷新后重新出示。"
    assert "稍后再试" in message_for("no-such-kind")
