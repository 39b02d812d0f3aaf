"""Registers the ``hume_sdk`` marker: tests that install Hume's SDK into a throwaway virtualenv."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "hume_sdk: installs Hume's Python SDK with uv into a throwaway virtualenv (network or uv cache)",
    )
