"""OFD (GB/T 33190) electronic certificate files: open, draw, print and verify their seals.

The certificate as issued is an OFD file carrying the issuer's electronic seal (GB/T 38540,
GM/T 0031). This package reads it with caps on every size (it comes from outside), draws a page
for the screen (Pillow) or for A4 (vector PDF), and checks every signature: the digests of the
signed files, the signer's and the seal maker's SM2 signatures, the trust anchors and the validity
times. It imports nothing from Kivy or the screens.
"""

from kiosk.ofd.document import OfdDocument, SignatureInfo, open_ofd
from kiosk.ofd.errors import DEFAULT_LIMITS, OfdError, OfdLimits
from kiosk.ofd.pdf import render_pdf
from kiosk.ofd.render import render_page
from kiosk.ofd.verify import SignatureReport, SignatureStatus, verify_signatures

__all__ = [
    "DEFAULT_LIMITS",
    "OfdDocument",
    "OfdError",
    "OfdLimits",
    "SignatureInfo",
    "SignatureReport",
    "SignatureStatus",
    "open_ofd",
    "render_page",
    "render_pdf",
    "verify_signatures",
]
