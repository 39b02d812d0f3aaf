"""Optional extras, checked when an operator is built (so when its DAG is parsed) without importing them.

A DAG that needs an extra which is not installed fails to parse, before any job is submitted, with the
command that installs it. Presence is found with :func:`importlib.util.find_spec`, which imports nothing but
parent packages: parsing a DAG must not load pyarrow or boto3 (``tests/integration/test_import_footprint``).
"""

from __future__ import annotations

import importlib.util

from airflow_provider_hume.client.v1 import rows as v1_rows


def installed(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it.

    A ``None`` in ``sys.modules`` for the module or one of its parents (how tests hide a package) counts as
    missing, as it does for ``import``.
    """
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require_parquet(output_format: str | None) -> None:
    """Raise an ``ImportError`` naming the ``parquet`` extra when ``output_format`` is ``parquet`` and pyarrow
    is not installed."""
    if output_format == "parquet" and not installed("pyarrow"):
        raise ImportError(v1_rows.PARQUET_EXTRA)
