"""The rating comment's ready phrases and its length limit.

WHY ready phrases: most citizens who add a comment to a 差评 want to say one of a few things, and
one key per whole phrase is quicker than spelling it in pinyin. The comment box's pinyin keyboard
(screens/pinyin_keyboard.py) shows them as phrase keys.
"""

from __future__ import annotations

PHRASES = (
    "排队时间长",
    "屏幕字太小",
    "看不懂操作提示",
    "读卡太慢",
    "希望增加更多证照",
    "希望有人工协助",
)
MAX_LENGTH = 120
