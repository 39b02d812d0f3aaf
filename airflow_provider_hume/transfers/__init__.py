"""Transfers from Hume to object storage."""

from airflow_provider_hume.transfers.hume_to_s3 import HumeArtifactsToS3Operator, HumePredictionsToS3Operator

__all__ = ["HumeArtifactsToS3Operator", "HumePredictionsToS3Operator"]
