"""Experience tests: the real app offscreen with the real reference server on 127.0.0.1."""

from __future__ import annotations
