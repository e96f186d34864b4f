"""DEMO ONLY — the public half of the reference server's demo platform key (refserver/complaints.py).

Demo mode seals 咨询·投诉·举报 to it so that the embedded reference server can open them. A real
terminal is configured with its platform's own public key ([complaints] platform_key).
"""

DEMO_PLATFORM_PUBLIC_KEY = (
    "04"
    "6849c241b951fa293fd985672c3d91e724cfa00f238189c4b6ce4f90c46b7943"
    "501913443c0e4903cd22216c415bd2d5c455fced6ef2f3fdbed1b2e8244151ce"
)
