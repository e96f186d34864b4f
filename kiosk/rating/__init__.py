"""好差评 ratings that survive a backend outage, and the citizen's help tickets.

``RatingOutbox`` keeps each rating in a small JSON-lines file in the state directory until the
backend has it; ``HelpTickets`` gives staff-call numbers that are unique per terminal per day.
"""

from kiosk.rating.outbox import PendingRating, RatingOutbox, safe_comment
from kiosk.rating.tickets import HelpTickets

__all__ = ["HelpTickets", "PendingRating", "RatingOutbox", "safe_comment"]
