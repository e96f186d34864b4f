"""The certificate as issued (issue 24): its sealed OFD file, fetched, seal-checked and drawn.

The controller only routes to :class:`IssuedFaces` (kiosk.issued.service); the screens read what
it holds through kiosk.views.issued_view, and the list's badges (kiosk.views.sealed_badge) and the
receipts (kiosk.printing, through ``as_printed``) through ``IssuedFaces.seal``: every listed
certificate's seals are checked as its record arrives, not only the opened one's. Drawing and
verification run in the verifier process (kiosk.issued.work); the OFD reader itself is kiosk.ofd.
"""

from kiosk.issued.service import IssuedFace, IssuedFaces

__all__ = ["IssuedFace", "IssuedFaces"]
