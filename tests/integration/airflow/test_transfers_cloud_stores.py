"""GCS and Azure through their fsspec implementations (gcsfs, adlfs), without a cloud account.

Each is pointed at a closed loopback port: a broken body must be discarded before anything is sent (the
file buffers less than a block), with the file opened uncommitted and marked. The whole path through
Airflow's object storage is covered by resolving ``gs://`` and ``abfs://`` paths to the attached filesystems.
gcsfs's default class (``ExtendedGcsFileSystem``) asks GCS for the bucket's layout when a file is opened,
so the test uses ``gcsfs.core.GCSFileSystem``, the class it falls back to for ordinary buckets.
"""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_hume.transfers.hume_to_storage import resolve_destination
from airflow_provider_hume.transfers.output_marks import OutputMark
from airflow_provider_hume.transfers.storage import BLOCK_BYTES, CHUNK_BYTES, StorageDestination
from tests.support.transfer_bodies import BrokenBody

JOB = "job-7"
MARK = OutputMark(JOB, "artifacts", "zip")


def gcs() -> Any:
    from gcsfs.core import GCSFileSystem

    return GCSFileSystem(token="anon", endpoint_url="http://127.0.0.1:9", skip_instance_cache=True)


def azure() -> Any:
    import adlfs

    nowhere = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
        "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;"
    )
    return adlfs.AzureBlobFileSystem(connection_string=nowhere, skip_instance_cache=True)


@pytest.mark.parametrize(
    ("make_fs", "style", "metadata"),
    [
        (gcs, "gcs", MARK.metadata()),
        (azure, "azure", {"hume_job_id": JOB, "hume_body": "artifacts", "hume_format": "zip"}),
    ],
    ids=["gcsfs", "adlfs"],
)
def test_gcs_and_azure_open_an_uncommitted_marked_file_and_discard_a_broken_body(
    make_fs: Any, style: str, metadata: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fs = make_fs()
    destination = StorageDestination(fs, "bucket/hume/a.zip", style)
    assert destination.metadata_style == style
    opened: list[Any] = []
    real_open = fs.open

    def recording_open(path: str, mode: str, **options: Any) -> Any:
        sink = real_open(path, mode, **options)
        opened.append((path, mode, options, sink))
        return sink

    monkeypatch.setattr(fs, "makedirs", lambda *args, **kwargs: None)
    monkeypatch.setattr(fs, "open", recording_open)
    with pytest.raises(ConnectionError):
        destination.write_stream(BrokenBody(CHUNK_BYTES), destination.location, MARK)

    ((path, mode, options, sink),) = opened
    assert (path, mode) == ("bucket/hume/a.zip", "wb")
    assert options == {"autocommit": False, "block_size": BLOCK_BYTES, "metadata": metadata}
    assert type(sink).__module__.split(".")[0] == style.replace("gcs", "gcsfs").replace("azure", "adlfs")
    assert sink.closed, "closed without the final flush that would commit what arrived"
    assert sink.buffer.tell() == CHUNK_BYTES, "nothing was sent: the mebibyte that arrived stayed buffered"


def test_azure_marks_are_read_back_with_their_identifier_names(monkeypatch: pytest.MonkeyPatch) -> None:
    fs = azure()
    destination = StorageDestination(fs, "bucket/a.zip", "abfs")
    found = {"hume_job_id": JOB, "hume_body": "artifacts", "hume_format": "zip", "is_directory": "false"}
    monkeypatch.setattr(fs, "info", lambda path: {"name": path, "metadata": found})
    assert destination.read_mark("bucket/a.zip") == MARK
    assert destination.uri("bucket/a.zip") == "abfs://bucket/a.zip"


@pytest.mark.parametrize(
    ("make_fs", "uri", "location"),
    [
        (gcs, "gs://bucket/hume/p.json", "bucket/hume/p.json"),
        (gcs, "gs://hume_test_store@bucket/p.json", "bucket/p.json"),
        (azure, "abfs://container/p/", "container/p/"),
    ],
    ids=["gs", "gs-connection-in-uri", "abfs"],
)
def test_object_storage_paths_resolve_to_the_attached_implementation(
    make_fs: Any, uri: str, location: str
) -> None:
    from airflow.sdk.io import attach
    from airflow.sdk.io.store import _STORE_CACHE

    fs = make_fs()
    scheme = uri.partition("://")[0]
    _STORE_CACHE.pop(f"{scheme}-hume_test_store", None)
    attach(scheme, conn_id="hume_test_store", fs=fs)
    try:
        destination = resolve_destination(uri, "hume_test_store", caller="test")
    finally:
        _STORE_CACHE.pop(f"{scheme}-hume_test_store")
    assert isinstance(destination, StorageDestination)
    assert destination.fs is fs
    assert destination.location == location
    assert destination.uri(location) == f"{scheme}://{location}"
