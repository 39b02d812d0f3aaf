"""Stubs for the end of a wait on a job that completed with failed sources: details that count the errors,
and a client whose ``open_predictions`` serves an in-memory body and counts how often it was opened."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from airflow_provider_hume.client import JobDetails
from airflow_provider_hume.client.body_framing import Verification
from tests.unit.airflow.stubs import JOB_ID, Answer, FakeClock, Script, StubClient, StubHook

GOOD_URL = "http://127.0.0.1:9/clip.wav"
BAD_URL = "http://127.0.0.1:9/missing.mp4?X-Amz-Signature=secret-signature"
BAD_URL_SHOWN = "http://127.0.0.1:9/missing.mp4?..."

#: One source that failed as a whole, one archive member that failed, one good source.
BODY: list[dict[str, Any]] = [
    {"source": {"type": "url", "url": BAD_URL}, "error": f"could not download {BAD_URL}"},
    {
        "source": {"type": "file", "filename": "faces.zip", "md5sum": "0" * 32},
        "results": {
            "predictions": [{"file": "faces/1.png", "models": {"face": {"metadata": None}}}],
            "errors": [{"message": "Failed to parse data as a valid media file.", "file": "faces/notes.bin"}],
        },
    },
    {"source": {"type": "url", "url": GOOD_URL}, "results": {"predictions": [], "errors": []}},
]


def completed(num_errors: int | None, job_id: str = JOB_ID) -> JobDetails:
    """COMPLETED details counting ``num_errors`` (``None``: Hume did not say)."""
    state: dict[str, Any] = {"status": "COMPLETED", "num_predictions": 1}
    if num_errors is not None:
        state["num_errors"] = num_errors
    return JobDetails.from_api({"job_id": job_id, "state": state})


class PredictionsClient(StubClient):
    """The stub client, with ``open_predictions`` serving the script's body from memory."""

    def __init__(self, script: Script, clock: FakeClock, hook: PredictionsHook) -> None:
        super().__init__(script, clock)
        self.hook = hook

    def open_predictions(
        self, job_id: str, *, verify: Verification = "unframed"
    ) -> contextlib.AbstractContextManager[BinaryIO]:
        self.hook.opened.append(job_id)
        return _serve(self.hook.body)


@contextlib.contextmanager
def _serve(body: bytes | Exception) -> Iterator[BinaryIO]:
    if isinstance(body, Exception):
        raise body
    yield io.BytesIO(body)


class PredictionsHook(StubHook):
    """A stub hook whose clients serve ``body`` (bytes, or an error to raise) as the job's predictions."""

    def __init__(
        self,
        answers: Sequence[Answer],
        body: Sequence[dict[str, Any]] | bytes | Exception = tuple(BODY),
        clock: FakeClock | None = None,
    ) -> None:
        super().__init__(Script(answers), clock or FakeClock())
        self.body = body if isinstance(body, (bytes, Exception)) else json.dumps(list(body)).encode()
        self.opened: list[str] = []

    def get_client(self, **overrides: Any) -> PredictionsClient:
        return PredictionsClient(self.script, self.clock, self)
