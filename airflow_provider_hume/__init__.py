"""Apache Airflow provider for Hume's Expression Measurement API, ``v0`` (batch, streaming) and ``v1``."""

from __future__ import annotations

from typing import Any

from airflow_provider_hume._connection_form import CONN_FIELDS, DEFAULT_BASE_URL, provider_ui_field_behaviour

__all__ = ["DEFAULT_BASE_URL", "DOCUMENTATION_URL", "__version__", "get_provider_info"]

__version__ = "0.1.0"

#: Where the docs site (``make docs``) is published: Read the Docs builds it from ``.readthedocs.yaml``
#: once the repository is set up there. ``[project.urls]`` and ``mkdocs.yml``'s ``site_url`` say the same.
DOCUMENTATION_URL = "https://airflow-provider-hume.readthedocs.io/en/latest/"
#: The guide pages of the site, for ``how-to-guide``.
HOW_TO_GUIDES = (
    "connection/",
    "batch-submit-operator/",
    "job-sensor/",
    "transfers/",
    "stream-operator/",
    "v1/",
)


def get_provider_info() -> dict[str, Any]:
    """Describe this provider to Airflow's providers manager (entry point ``apache_airflow_provider``)."""
    return {
        "package-name": "airflow-provider-hume",
        "name": "Hume",
        "description": (
            "Hume Expression Measurement API: v0 batch jobs, job sensor and trigger, transfers to S3 and any "
            "object store, streaming; v1 audio and image measurement to S3 and the runs (usage) export."
        ),
        "versions": [__version__],
        "documentation-url": DOCUMENTATION_URL,
        "integrations": [
            {
                "integration-name": "Hume",
                "external-doc-url": "https://dev.hume.ai/docs/expression-measurement/overview",
                "how-to-guide": [DOCUMENTATION_URL + page for page in HOW_TO_GUIDES],
                "logo": DOCUMENTATION_URL + "assets/logo.svg",
                "tags": ["service"],
            }
        ],
        "hooks": [{"integration-name": "Hume", "python-modules": ["airflow_provider_hume.hooks.hume"]}],
        "operators": [
            {
                "integration-name": "Hume",
                "python-modules": [
                    "airflow_provider_hume.operators.batch",
                    "airflow_provider_hume.operators.stream",
                    "airflow_provider_hume.operators.measure_audio",
                    "airflow_provider_hume.operators.measure_images",
                    "airflow_provider_hume.operators.runs_export",
                ],
            }
        ],
        "sensors": [{"integration-name": "Hume", "python-modules": ["airflow_provider_hume.sensors.job"]}],
        "triggers": [{"integration-name": "Hume", "python-modules": ["airflow_provider_hume.triggers.job"]}],
        "transfers": [
            {
                "source-integration-name": "Hume",
                "target-integration-name": "Amazon Simple Storage Service (S3)",
                "python-module": "airflow_provider_hume.transfers.hume_to_s3",
            },
            {
                "source-integration-name": "Hume",
                "target-integration-name": "Common IO",
                "python-module": "airflow_provider_hume.transfers.hume_to_storage",
            },
        ],
        "extra-links": ["airflow_provider_hume.links.job.HumeJobLink"],
        "connection-types": [
            {
                "hook-class-name": "airflow_provider_hume.hooks.hume.HumeHook",
                "connection-type": "hume",
                "hook-name": "Hume",
                "ui-field-behaviour": provider_ui_field_behaviour(),
                "conn-fields": CONN_FIELDS,
            }
        ],
    }
