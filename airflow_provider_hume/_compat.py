"""Airflow names that joined ``airflow.sdk`` in Airflow 3.2, taken from wherever the running Airflow has them.

``conf`` and the task exceptions are in ``airflow.sdk`` from Airflow 3.2 (Task SDK 1.2) on; Airflow 3.1 has
them in ``airflow.configuration`` and ``airflow.exceptions``. Every module of the provider imports them from
here, never from either home directly. Type checkers see the ``airflow.sdk`` names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow.sdk import conf
    from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSensorTimeout
else:
    try:
        from airflow.sdk import conf
    except ImportError:  # Airflow 3.1
        from airflow.configuration import conf

    try:
        from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSensorTimeout
    except ImportError:  # Airflow 3.1
        from airflow.exceptions import AirflowException, AirflowFailException, AirflowSensorTimeout

__all__ = ["AirflowException", "AirflowFailException", "AirflowSensorTimeout", "conf"]
