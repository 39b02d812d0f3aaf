"""Airflow as the tests find it: names that moved between 3.x releases, and skips for what a release lacks.

The suite runs on the locked Airflow (``make test``) and on the lowest release ``pyproject.toml`` allows
(``make test-airflow-floor``); a test of something only newer releases have is skipped there, with a reason
that names the release it needs.
"""

from __future__ import annotations

import airflow
import pytest
from packaging.version import Version

try:
    from airflow.sdk.exceptions import AirflowException, TaskDeferred
except ImportError:  # Airflow < 3.2
    from airflow.exceptions import AirflowException, TaskDeferred

try:
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db
except ImportError:  # Airflow < 3.2
    from airflow.models.dagbag import DagBag, sync_bag_to_db

__all__ = [
    "AIRFLOW_VERSION",
    "HAS_TASK_STATE_STORE",
    "AirflowException",
    "DagBag",
    "TaskDeferred",
    "at_least",
    "needs_task_state_store",
    "requires_airflow",
    "sync_bag_to_db",
    "without_task_state_store",
]

AIRFLOW_VERSION = Version(airflow.__version__)


def at_least(release: str) -> bool:
    """Whether the running Airflow is ``release`` or later (pre-releases of it included)."""
    return AIRFLOW_VERSION.release >= Version(release).release


def requires_airflow(release: str, feature: str) -> pytest.MarkDecorator:
    """Skip unless the running Airflow is ``release`` or later; the reason names both versions."""
    return pytest.mark.skipif(
        not at_least(release),
        reason=f"{feature} needs Airflow >= {release} (this is Airflow {airflow.__version__})",
    )


#: Airflow's task state store: a retry re-attaches to what an earlier try started, state survives pokes.
HAS_TASK_STATE_STORE = at_least("3.3")
needs_task_state_store = requires_airflow("3.3", "the task state store")
#: For what the provider does on releases without the store (the floor lane runs these).
without_task_state_store = pytest.mark.skipif(
    HAS_TASK_STATE_STORE,
    reason=f"Airflow {airflow.__version__} has the task state store; this is Airflow < 3.3's behaviour",
)
