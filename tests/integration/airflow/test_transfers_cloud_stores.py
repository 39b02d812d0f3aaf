"""GCS and Azure through their fsspec implementations (gcsfs, adlfs), without a cloud account.

Each is pointed at a closed loopback port: a broken body must be discarded before anything is sent (the
file buffers less than a block), with the file opened uncommitted and marked. The whole path through
Airflow's object storage is covered by resolving ``gs://`` and ``abfs://`` paths to the attached filesystems.
Where Azurite (Microsoft's Azure Storage emulator, from npm) is installed, whole and broken bodies go through
adlfs to it; without it that test is skipped, saying how to install it.
gcsfs's default class (``ExtendedGcsFileSystem``) asks GCS for the bucket's layout when a file is opened,
so the test uses ``gcsfs.core.GCSFileSystem``, the class it falls back to for ordinary buckets.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
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


#: Azurite's well-known development account key (public, documented by Microsoft).
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


@pytest.fixture
def azurite(tmp_path: Path) -> Iterator[str]:
    """Azurite's blob service on a free loopback port (``npm install azurite``; ``AZURITE_BLOB`` names the
    ``azurite-blob`` command when it is not on ``PATH``); its connection string. Skipped without it."""
    command = os.environ.get("AZURITE_BLOB") or shutil.which("azurite-blob")
    if not command:
        pytest.skip("Azurite is not installed (npm install azurite; set AZURITE_BLOB to its azurite-blob)")
    args = [command, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location", str(tmp_path), "--silent"]
    process = subprocess.Popen([*args, "--skipApiVersionCheck"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            found = re.search(r"listens on http://127\.0\.0\.1:(\d+)", line)
            if found:
                break
        else:
            pytest.fail("Azurite exited before listening")
        yield (
            f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{found.group(1)}/devstoreaccount1;"
        )
    finally:
        process.kill()  # SIGTERM waits for the client's idle keep-alive connections to close
        process.wait(timeout=10)


def test_azurite_stores_a_whole_marked_blob_and_nothing_of_a_broken_body(azurite: str) -> None:
    import adlfs

    fs = adlfs.AzureBlobFileSystem(connection_string=azurite, skip_instance_cache=True)
    fs.mkdir("hume")
    destination = StorageDestination(fs, "hume/a.zip", "abfs")
    whole = os.urandom(9 * CHUNK_BYTES + 5)
    destination.write_stream(io.BytesIO(whole), destination.location, MARK)
    assert fs.cat_file("hume/a.zip") == whole
    assert destination.earlier_output("hume/a.zip", MARK) == MARK

    for location in ("hume/a.zip", "hume/b.zip"):  # over an earlier blob, and where there was none
        with pytest.raises(ConnectionError):
            destination.write_stream(BrokenBody(BLOCK_BYTES + CHUNK_BYTES), location, MARK)
    fs.invalidate_cache()
    assert fs.cat_file("hume/a.zip") == whole
    assert not fs.exists("hume/b.zip")
