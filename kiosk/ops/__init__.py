"""Unattended 24-hour operation: systemd watchdog, Prometheus metrics, disk and clock self-checks.

``start_ops(controller, app)`` wires it all into a running app (kiosk.app.runner calls it) and
returns an :class:`OpsHandle` to stop it. Nothing here may stop service: a port in use, a missing
systemd socket or a failing check is logged and reported, never raised into the app.
"""

from kiosk.ops.runtime import OpsHandle, start_ops

__all__ = ["OpsHandle", "start_ops"]
