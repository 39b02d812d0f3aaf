"""Apache Airflow provider for Hume's Expression Measurement API (batch and streaming, ``v0``)."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

DEFAULT_BASE_URL = "https://api.hume.ai"


def get_provider_info() -> dict[str, Any]:
    """Describe this provider to Airflow's providers manager (entry point ``apache_airflow_provider``)."""
    return {
        "package-name": "airflow-provider-hume",
        "name": "Hume",
        "description": (
            "Hume Expression Measurement API: batch jobs, job sensor and trigger, S3 transfers, streaming."
        ),
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "Hume",
                "external-doc-url": "https://dev.hume.ai/docs/expression-measurement/overview",
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
            }
        ],
        "extra-links": ["airflow_provider_hume.links.job.HumeJobLink"],
        "connection-types": [
            {
                "hook-class-name": "airflow_provider_hume.hooks.hume.HumeHook",
                "connection-type": "hume",
                "ui-field-behaviour": {
                    "hidden-fields": ["login", "schema", "port", "extra"],
                    "relabeling": {"password": "API Key", "host": "Base URL"},
                    "placeholders": {"host": DEFAULT_BASE_URL, "password": "your Hume API key"},
                },
                "conn-fields": {
                    "timeout": {
                        "label": "Request timeout (seconds)",
                        "schema": {"type": ["number", "null"], "minimum": 1},
                        "description": "Read timeout for each HTTP request (default 60).",
                    },
                    "max_retries": {
                        "label": "Max retries",
                        "schema": {"type": ["integer", "null"], "minimum": 0},
                        "description": "Retries for 429, 5xx and connection errors (default 5).",
                    },
                    "console_url": {
                        "label": "Console URL",
                        "schema": {"type": ["string", "null"]},
                        "description": (
                            "Where the 'Hume Job' link points: '{job_id}' is replaced by the job id, else "
                            "'/jobs/<job_id>' is appended. Default: Hume's platform for api.hume.ai, the "
                            "emulator console for any other base URL."
                        ),
                    },
                },
            }
        ],
    }
