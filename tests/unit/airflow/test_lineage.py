"""OpenLineage datasets and the ``hume_job`` run facet, built without any network."""

from __future__ import annotations

import json
import socket

from openlineage.client.serde import Serde

from airflow_provider_hume import __version__
from airflow_provider_hume.lineage import (
    HUME_FACET_SCHEMA_URL,
    HumeJobRunFacet,
    api_host,
    file_dataset,
    s3_outputs_lineage,
    s3_uri_dataset,
    submit_lineage,
    url_dataset,
)
from airflow_provider_hume.transfers import HumePredictionsToS3Operator


def test_url_dataset_drops_credentials_and_query() -> None:
    dataset = url_dataset("https://user:secret@media.example.com:8443/a/b.mp4?X-Amz-Signature=abc")
    assert (dataset.namespace, dataset.name) == ("https://media.example.com:8443", "/a/b.mp4")
    assert url_dataset("http://example.com").name == "/"


def test_file_and_s3_datasets() -> None:
    local = file_dataset("/data/call.wav")
    assert (local.namespace, local.name) == (f"file://{socket.gethostname()}", "/data/call.wav")
    s3 = s3_uri_dataset("s3://bucket/media/call.wav")
    assert (s3.namespace, s3.name) == ("s3://bucket", "media/call.wav")


def test_submit_lineage_run_facet_shape() -> None:
    lineage = submit_lineage(
        inputs=[url_dataset("http://127.0.0.1:9000/a.wav")],
        job_id="job-1",
        models=["face", "prosody"],
        base_url="http://user:key@127.0.0.1:8000/proxy",
    )
    facet = lineage.run_facets["hume_job"]
    assert isinstance(facet, HumeJobRunFacet)
    payload = json.loads(Serde.to_json(facet))
    assert payload["job_id"] == "job-1"
    assert payload["models"] == ["face", "prosody"]
    assert payload["base_url"] == "127.0.0.1:8000"
    assert payload["provider_version"] == __version__
    assert payload["_schemaURL"] == HUME_FACET_SCHEMA_URL
    assert "key" not in json.dumps(payload).replace("provider_version", "")


def test_no_run_facet_before_a_job_exists() -> None:
    assert submit_lineage(inputs=[], job_id=None, models=[], base_url="https://api.hume.ai").run_facets == {}
    assert api_host("https://api.hume.ai") == "api.hume.ai"


def test_transfer_outputs_default_to_the_configured_key() -> None:
    op = HumePredictionsToS3Operator(task_id="t", job_id="j", s3_bucket="b", s3_key="k/p.json", replace=True)
    outputs = op.get_openlineage_facets_on_complete(None).outputs
    assert [(d.namespace, d.name) for d in outputs] == [("s3://b", "k/p.json")]
    several = s3_outputs_lineage(["s3://b/p.face.csv", "s3://b/p.language.csv"]).outputs
    assert [d.name for d in several] == ["p.face.csv", "p.language.csv"]
