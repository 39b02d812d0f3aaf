"""``S3InputResolver``: listing within Hume's limit, missing objects, presigned URLs and streamed parts.

The resolver gets a real ``S3Hook`` (credentials from the environment, so nothing is looked up), and its
boto client, which the hook caches, answers through botocore's ``Stubber``: no request leaves the process.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from botocore.stub import Stubber

from airflow_provider_hume._s3 import S3Uri
from airflow_provider_hume.client import HumeValidationError
from airflow_provider_hume.operators._s3_inputs import S3InputResolver, S3Object
from tests.unit.airflow.conftest import Logs

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAUNITTEST",
    "AWS_SECRET_ACCESS_KEY": "unit-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
}


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> S3InputResolver:
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    return S3InputResolver(None, caller="T")


@pytest.fixture
def s3(resolver: S3InputResolver) -> Iterator[Stubber]:
    with Stubber(resolver.hook.get_conn()) as stub:
        yield stub
        stub.assert_no_pending_responses()


def listing(stub: Stubber, prefix: str, keys: dict[str, int], token: str | None = None) -> None:
    """Queue one page of ``list_objects_v2`` for ``s3://b/<prefix>``; ``token`` marks more pages."""
    page: dict[str, Any] = {
        "Contents": [{"Key": k, "Size": s} for k, s in keys.items()],
        "IsTruncated": bool(token),
    }
    if token:
        page["NextContinuationToken"] = token
    stub.add_response("list_objects_v2", page, {"Bucket": "b", "Prefix": prefix})


def test_expand_heads_keys_and_lists_prefixes_skipping_folder_markers(
    resolver: S3InputResolver, s3: Stubber
) -> None:
    s3.add_response("head_object", {"ContentLength": 5}, {"Bucket": "b", "Key": "a.wav"})
    listing(s3, "in/", {"in/": 0, "in/b.wav": 3, "in/c.mp4": 7})
    objects = resolver.expand([S3Uri("b", "a.wav"), S3Uri("b", "in/")], 100, "urls")
    assert objects == [S3Object("b", "a.wav", 5), S3Object("b", "in/b.wav", 3), S3Object("b", "in/c.mp4", 7)]
    assert [obj.uri for obj in objects] == ["s3://b/a.wav", "s3://b/in/b.wav", "s3://b/in/c.mp4"]


def test_a_missing_key_says_it_does_not_exist(resolver: S3InputResolver, s3: Stubber) -> None:
    s3.add_client_error("head_object", service_error_code="404", http_status_code=404)
    with pytest.raises(HumeValidationError, match=r"^s3://b/gone.wav does not exist$"):
        resolver.expand([S3Uri("b", "gone.wav")], 100, "urls")


def test_other_s3_errors_are_not_disguised(resolver: S3InputResolver, s3: Stubber) -> None:
    s3.add_client_error("head_object", service_error_code="403", http_status_code=403)
    with pytest.raises(ClientError):
        resolver.expand([S3Uri("b", "secret.wav")], 100, "urls")


def test_an_empty_prefix_fails(resolver: S3InputResolver, s3: Stubber) -> None:
    listing(s3, "empty/", {"empty/": 0})
    with pytest.raises(HumeValidationError, match=r"^s3://b/empty/ holds no objects$"):
        resolver.expand([S3Uri("b", "empty/")], 100, "files")


def test_a_huge_prefix_fails_on_its_first_page_without_listing_the_rest(
    resolver: S3InputResolver, s3: Stubber
) -> None:
    s3.add_response("head_object", {"ContentLength": 1}, {"Bucket": "b", "Key": "one.wav"})
    listing(s3, "all/", {f"all/{n}.wav": 1 for n in range(3)}, token="more")  # page 2 is never queued
    with pytest.raises(HumeValidationError) as error:
        resolver.expand([S3Uri("b", "one.wav"), S3Uri("b", "all/")], 3, "urls")
    assert str(error.value) == (
        "urls: s3://b/all/ holds more objects than the 2 Hume still accepts in this job "
        "(Hume takes at most 100 inputs per job); use a narrower prefix"
    )


def test_pages_are_followed_while_within_the_limit(resolver: S3InputResolver, s3: Stubber) -> None:
    listing(s3, "p/", {"p/a.wav": 1}, token="t1")
    s3.add_response(
        "list_objects_v2",
        {"Contents": [{"Key": "p/b.wav", "Size": 2}], "IsTruncated": False},
        {"Bucket": "b", "Prefix": "p/", "ContinuationToken": "t1"},
    )
    assert [obj.key for obj in resolver.expand([S3Uri("b", "p/")], 2, "urls")] == ["p/a.wav", "p/b.wav"]


def test_too_many_single_keys_name_the_field(resolver: S3InputResolver, s3: Stubber) -> None:
    for key in ("a.wav", "b.wav"):
        s3.add_response("head_object", {"ContentLength": 1}, {"Bucket": "b", "Key": key})
    with pytest.raises(HumeValidationError, match=r"^files: the s3:// entries name more than 1 objects$"):
        resolver.expand([S3Uri("b", "a.wav"), S3Uri("b", "b.wav")], 1, "files")


def test_presign_signs_locally_and_logs_no_signature(resolver: S3InputResolver, logs: Logs) -> None:
    url = resolver.presign(S3Object("b", "in/a.wav", 5), 900)
    parts = urlsplit(url)
    assert (parts.scheme, parts.path.endswith("/in/a.wav")) == ("https", True)
    assert "Signature=" in url or "X-Amz-Signature=" in url
    assert "Hume input s3://b/in/a.wav: presigned GET URL valid for 900s" in logs.text
    assert "Signature" not in logs.text
    assert "unit-secret" not in url


def body(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


def test_an_upload_source_streams_a_fresh_get_per_attempt(resolver: S3InputResolver, s3: Stubber) -> None:
    for _ in range(2):
        s3.add_response(
            "get_object", {"ContentLength": 3, "Body": body(b"abc")}, {"Bucket": "b", "Key": "in/call.wav"}
        )
    source = resolver.upload_source(S3Object("b", "in/call.wav", 3))
    assert (source.name, source.size) == ("call.wav", 3)
    assert source.open().read() == b"abc"
    assert source.open().read() == b"abc"


def test_an_object_that_changed_size_is_not_sent(resolver: S3InputResolver, s3: Stubber) -> None:
    s3.add_response(
        "get_object", {"ContentLength": 4, "Body": body(b"abcd")}, {"Bucket": "b", "Key": "a.wav"}
    )
    source = resolver.upload_source(S3Object("b", "a.wav", 3))
    with pytest.raises(OSError, match=r"s3://b/a\.wav changed size while the job was being submitted"):
        source.open()
