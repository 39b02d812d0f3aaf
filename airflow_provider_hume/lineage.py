"""OpenLineage datasets and facets for the Hume operators (needs the ``openlineage`` extra).

Operators import this module lazily from their ``get_openlineage_facets_on_*`` methods, so the package works
without ``apache-airflow-providers-openlineage``. Dataset naming follows the OpenLineage conventions: a URL
is ``<scheme>://<host[:port]>`` + path, a local file ``file://<hostname>`` + absolute path, an S3 object
``s3://<bucket>`` + key. Query strings (e.g. presigned signatures) and credentials are never reported.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Sequence
from typing import ClassVar, TypeAlias
from urllib.parse import urlsplit

import attr
from airflow.providers.openlineage.extractors import OperatorLineage
from openlineage.client.event_v2 import Dataset
from openlineage.client.facet_v2 import RunFacet

from airflow_provider_hume import __version__
from airflow_provider_hume._s3 import S3Uri

#: The lineage these operators report: plain datasets and run facets.
HumeLineage: TypeAlias = "OperatorLineage[Dataset, RunFacet]"

#: Identifies the run facet's shape (the facet's ``_schemaURL``, a URI): a versioned name, since the
#: package publishes no schema document at a URL of its own.
HUME_FACET_SCHEMA_URL = "urn:airflow-provider-hume:facet:HumeJobRunFacet:1"


@attr.define
class HumeJobRunFacet(RunFacet):
    """The Hume job a task run created: its id, the models it runs and the API host (never the key)."""

    job_id: str
    models: list[str] = attr.field(factory=list)
    base_url: str = ""
    provider_version: str = __version__

    _additional_skip_redact: ClassVar[list[str]] = ["job_id", "models", "base_url", "provider_version"]

    @staticmethod
    def _get_schema() -> str:
        return HUME_FACET_SCHEMA_URL


def url_dataset(url: str) -> Dataset:
    """``https://host:port/path?query`` -> namespace ``https://host:port``, name ``/path``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return Dataset(namespace=f"{parts.scheme.lower()}://{netloc}", name=parts.path or "/")


def file_dataset(path: str | os.PathLike[str]) -> Dataset:
    """A local file on this worker."""
    return Dataset(namespace=f"file://{socket.gethostname()}", name=os.path.abspath(os.fspath(path)))


def s3_dataset(bucket: str, key: str) -> Dataset:
    return Dataset(namespace=f"s3://{bucket}", name=key)


def s3_uri_dataset(uri: str) -> Dataset:
    """``s3://bucket/key`` -> namespace ``s3://bucket``, name ``key``."""
    location = S3Uri.parse(uri, "uri")
    return s3_dataset(location.bucket, location.key)


def api_host(base_url: str) -> str:
    """``host[:port]`` of a base URL, without scheme, credentials or path."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    return f"{host}:{parts.port}" if parts.port is not None else host


def submit_lineage(
    *,
    inputs: Iterable[Dataset],
    job_id: str | None,
    models: Sequence[str],
    base_url: str,
) -> HumeLineage:
    """The lineage of a submit: its media inputs and, once known, a ``hume_job`` run facet."""
    run_facets: dict[str, RunFacet] = {}
    if job_id:
        run_facets["hume_job"] = HumeJobRunFacet(
            job_id=job_id, models=list(models), base_url=api_host(base_url)
        )
    return OperatorLineage(inputs=list(inputs), run_facets=run_facets)


def s3_outputs_lineage(uris: Iterable[str]) -> HumeLineage:
    """The lineage of a transfer: the S3 objects it wrote."""
    return OperatorLineage(outputs=[s3_uri_dataset(uri) for uri in uris])


def storage_uri_dataset(uri: str) -> Dataset:
    """An object by its URI: ``file:///path`` as a file on this worker, ``scheme://bucket/key`` as namespace
    ``scheme://bucket``, name ``key`` (``s3://`` as :func:`s3_dataset`)."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme == "file":
        return file_dataset(parts.path)
    # Airflow reads ``scheme://conn_id@bucket/key``: the part before ``@`` names a connection, not a place.
    authority = parts.netloc.rpartition("@")[2]
    return Dataset(namespace=f"{scheme}://{authority}", name=parts.path.lstrip("/"))


def storage_outputs_lineage(uris: Iterable[str]) -> HumeLineage:
    """The lineage of a transfer: the objects it wrote, named by their URIs."""
    return OperatorLineage(outputs=[storage_uri_dataset(uri) for uri in uris])
