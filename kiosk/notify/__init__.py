"""Help calls that reach people: the notifier port, its channel adapters and the help desk.

``HelpDesk`` (desk.py) holds the logic the controller routes to; ``channels.py`` has the WeCom,
DingTalk and generic JSON webhook adapters behind the ``Channel`` port (port.py).
"""

from kiosk.notify.channels import DingTalkRobot, JsonWebhook, WeComRobot, dingtalk_sign, make_channel
from kiosk.notify.desk import HelpCall, HelpDesk, channels_from
from kiosk.notify.port import Channel, NotAccepted, Notice

__all__ = [
    "Channel",
    "DingTalkRobot",
    "HelpCall",
    "HelpDesk",
    "JsonWebhook",
    "NotAccepted",
    "Notice",
    "WeComRobot",
    "channels_from",
    "dingtalk_sign",
    "make_channel",
]
