"""A body that does not arrive whole: the transfers store nothing, say so, and let the retryable error out."""

from __future__ import annotations

import contextlib
import io
from contextlib import AbstractContextManager
from typing import Any, BinaryIO

import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_hume.client import HumeConnectionError
from airflow_provider_hume.client.body_framing import Verification
from airflow_provider_hume.client.verify import JsonCheck, VerifiedBody
from airflow_provider_hume.client.zip_check import ZipCheck
from airflow_provider_hume.transfers.hume_to_s3 import HumeArtifactsToS3Operator, HumePredictionsToS3Operator
from tests.unit.airflow.conftest import Logs
from tests.unit.airflow.stubs import API_KEY, FakeClock, Script
from tests.unit.airflow.transfers.conftest import JOB, PREDICTIONS, BodyClient, FakeS3Hook, read_through

ZIP_START = b"PK\x03\x04" + b"\x14\x00" + b"\x00" * 24 + b"partial"


class CutBodyClient(BodyClient):
    """Serves bodies cut short, through the client's own check (as ``open_predictions`` does)."""

    def open_predictions(
        self, job_id: str, *, verify: Verification = "unframed"
    ) -> AbstractContextManager[BinaryIO]:
        self.opened.append(("predictions", job_id))
        cut = PREDICTIONS[: int(len(PREDICTIONS) * 0.6)]
        body = VerifiedBody(io.BytesIO(cut), JsonCheck(), body=f"predictions of Hume job {job_id}")
        return contextlib.nullcontext(io.BufferedReader(body))

    def open_artifacts(
        self, job_id: str, *, verify: Verification = "unframed"
    ) -> AbstractContextManager[BinaryIO]:
        self.opened.append(("artifacts", job_id))
        body = VerifiedBody(io.BytesIO(ZIP_START), ZipCheck(), body=f"artifacts of Hume job {job_id}")
        return contextlib.nullcontext(io.BufferedReader(body))


def transfer(cls: type[Any], s3: FakeS3Hook, **kwargs: Any) -> Any:
    kwargs = {"job_id": JOB, "s3_bucket": "out", "s3_key": "jobs/p.json", "replace": True, **kwargs}
    op = cls(task_id="copy", **kwargs)
    op.s3_hook = lambda: s3
    return op


@pytest.mark.parametrize(
    ("cls", "output_format", "body_name"),
    [
        (HumePredictionsToS3Operator, "json", "predictions"),
        (HumePredictionsToS3Operator, "csv", "predictions"),
        (HumePredictionsToS3Operator, "jsonl", "predictions"),
        (HumeArtifactsToS3Operator, None, "artifacts"),
    ],
)
def test_a_cut_body_stores_nothing_and_fails_the_try_with_a_retryable_error(
    hume_connection: str, logs: Logs, cls: type[Any], output_format: str | None, body_name: str
) -> None:
    s3 = FakeS3Hook(("out", "jobs/p.json"))  # an object from an earlier run, which must stay as it is
    extra = {"output_format": output_format} if output_format else {}
    op = transfer(cls, s3, hume_conn_id=hume_connection, **extra)
    read_through(op, CutBodyClient(Script(), FakeClock()))
    with pytest.raises(HumeConnectionError) as info:
        op.execute({})
    assert not isinstance(info.value, AirflowFailException)
    assert info.value.message.startswith(f"The {body_name} of Hume job {JOB} did not arrive whole: ")
    assert s3.objects == {("out", "jobs/p.json"): b"old"}
    assert (
        f"Nothing was written to s3://out/jobs/p.json (an object already there is untouched): {info.value}"
        in logs.at("error")
    )
    assert API_KEY not in logs.text
    assert op.output_uris == []
