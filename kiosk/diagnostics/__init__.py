"""Technician diagnostics: every device, the backend and the terminal itself, checked the way the
app uses them, each with ok / warning / failure, a measured value and a one-line fix in Chinese.

Like pibooth's diagnostic command, ``kiosk diag`` and the on-screen diagnostics page run the same
checks on the same adapters the app builds (kiosk.wiring), so a passing diagnostic means the app's
own code path works. Reports carry no personal data: card reads report the card type only, QR
checks report how many codes were seen, never what they say.
"""

from kiosk.diagnostics.model import CheckResult, Report, Status
from kiosk.diagnostics.runner import DiagOptions, run_diagnostics

__all__ = ["CheckResult", "DiagOptions", "Report", "Status", "run_diagnostics"]
