"""UI tests: the real app offscreen (fixtures ``ui`` and ``ui_server`` from tests/conftest.py)."""
