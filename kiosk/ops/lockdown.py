"""What ``kiosk install`` writes to lock the terminal down beyond its own unit.

* **USB**: a USBGuard policy (``/etc/usbguard/rules.conf``) that allows hubs and the terminal's own
  devices only — the receipt printer, the QR camera, the card reader and the touch screen, by USB
  id — so a keyboard, a storage stick or a rogue card reader plugged into a free port stays
  unauthorised (the kernel binds no driver to it). USBGuard's defaults (``ImplicitPolicyTarget=block``,
  ``PresentDevicePolicy=apply-policy``) apply the list to devices present at boot too. A technician
  who needs a keyboard for a while allows it over SSH: ``usbguard list-devices``, then
  ``usbguard allow-device N`` (not kept across a reboot).
* **Ctrl+Alt+Del**: ``ctrl-alt-del.target`` is masked, and ``CtrlAltDelBurstAction=none`` stops
  systemd from rebooting when the keys are pressed seven times in two seconds.

Why USBGuard and not udev ``authorized`` rules alone: it is maintained, applies its policy to devices
present at boot as well as hot-plugged ones, logs each block, and lets a technician allow a device
temporarily without editing files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

USB_ID = re.compile(r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$")
# HID with no boot protocol: what touch screens present. Allowed by interface only when the touch
# screen's id was not given, so the terminal stays usable; a keyboard (03:01:01) stays blocked.
HID_NON_BOOT = "03:00:00"


class LockdownError(ValueError):
    """A USB id that is not VID:PID in hex."""


def usb_id(value: str, what: str) -> str:
    """``value`` as lower-case ``vid:pid``, or LockdownError naming the option."""
    if not USB_ID.match(value):
        raise LockdownError(f"{what} must look like VID:PID in hex, e.g. 0416:5011, not {value!r}")
    return value.lower()


def usbguard_rules(devices: Mapping[str, str | None], extra: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """The USBGuard rule file for the terminal's ``devices`` (role → VID:PID or None) and ``extra``
    ids, and warnings for a technician (a role without an id)."""
    lines = [
        "# /etc/usbguard/rules.conf, written by `kiosk install`: only the terminal's own USB devices.",
        "# Everything else stays unauthorised (USBGuard's ImplicitPolicyTarget=block). To allow a",
        "# keyboard for maintenance: usbguard list-devices; usbguard allow-device N (until reboot).",
        "# Regenerate with `kiosk install` and the devices' ids rather than editing this file.",
        "# USB hubs, the terminal's own and the board's",
        "allow with-interface equals { 09:*:* }",
    ]
    warnings: list[str] = []
    for role, value in devices.items():
        if value is None:
            if role == "touch screen":
                lines.append("# touch screens: HID without a boot keyboard/mouse interface (no id given)")
                lines.append(f"allow with-interface equals {{ {HID_NON_BOOT} }}")
                warnings.append(
                    "USB: no --touch-usb given: any HID device without a boot keyboard/mouse interface is "
                    "allowed; give the touch screen's VID:PID (lsusb) to allow it alone"
                )
            else:
                warnings.append(f"USB: no id for the {role}: it will be blocked if it is a USB device")
            continue
        lines.append(f"# {role}")
        lines.append(f"allow id {usb_id(value, role)}")
    for value in extra:
        lines.append("# allowed at install (--allow-usb)")
        lines.append(f"allow id {usb_id(value, '--allow-usb')}")
    return "\n".join(lines) + "\n", warnings


SYSTEM_CONF = """\
# /etc/systemd/system.conf.d/kiosk.conf, written by `kiosk install`: Ctrl+Alt+Del pressed seven
# times within two seconds must not reboot the terminal either (ctrl-alt-del.target is masked).
[Manager]
CtrlAltDelBurstAction=none
"""
MASKED_UNITS = ("ctrl-alt-del.target",)
