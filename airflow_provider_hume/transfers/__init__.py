"""Transfers from Hume to object storage: S3 by bucket and key, or any store by ``ObjectStoragePath``/URI."""

from airflow_provider_hume.transfers.hume_to_s3 import HumeArtifactsToS3Operator, HumePredictionsToS3Operator
from airflow_provider_hume.transfers.hume_to_storage import (
    HumeArtifactsToStorageOperator,
    HumePredictionsToStorageOperator,
)

__all__ = [
    "HumeArtifactsToS3Operator",
    "HumeArtifactsToStorageOperator",
    "HumePredictionsToS3Operator",
    "HumePredictionsToStorageOperator",
]
