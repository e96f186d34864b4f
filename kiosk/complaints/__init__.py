"""咨询·投诉·举报 at the terminal (the centre's duty (七): it runs the district's 政务服务咨询投诉举报平台).

``Entry`` (model.py) is what a citizen hands in; ``seal`` (sealing.py) encrypts it to the platform's
SM2 key; ``ComplaintOutbox`` keeps it sealed until the platform has it; ``ComplaintDesk`` (desk.py)
ties these to the screen, the slip printer and the status query. The backend side is
refserver/complaints.py.
"""

from kiosk.complaints.desk import ComplaintDesk, Handed, Printing, Status
from kiosk.complaints.model import INTERMEDIARY, OTHER_MATTER, Entry, Identity, InvalidEntry, Kind

__all__ = [
    "INTERMEDIARY",
    "OTHER_MATTER",
    "ComplaintDesk",
    "Entry",
    "Handed",
    "Identity",
    "InvalidEntry",
    "Kind",
    "Printing",
    "Status",
]
