"""DEMO TEST MATERIAL — 演示用测试密钥，仅供演示与测试，绝不可用于生产环境。

A fixed SM2 key pair that signs the reference server's fictitious demo certificates, committed on
purpose so that demo mode and the tests are reproducible. It protects nothing: anyone can read it
here. A real deployment's terminals hold the provincial issuers' public keys in their configuration
and never this one.
"""

from __future__ import annotations

DEMO_KEY_ID = "demo-issuer-2026"

# DEMO ONLY — never use for anything real.
DEMO_PRIVATE_KEY_HEX = "5580d6a32197ab382139d8e679d511297fc681e6606ea1e425e420504d4926cf"
DEMO_PUBLIC_KEY_HEX = (
    "04"
    "17273321a6cff443d13ce446b9ebce6209daaa77d0ad46330340fc6d4a2e7a38"
    "2756673671db4e51199062dadc75e4b856a4c40eb910147856ba541ee2722e3e"
)
