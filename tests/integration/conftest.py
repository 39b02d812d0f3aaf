"""Fixtures shared by the integration tests that run Airflow."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A fresh SQLite metadata database in the session's throwaway AIRFLOW_HOME."""
    from airflow.utils import db

    db.resetdb()
