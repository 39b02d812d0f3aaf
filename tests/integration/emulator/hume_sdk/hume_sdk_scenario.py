"""Drive the emulator with Hume's own Python SDK (run by ``test_hume_sdk.py`` in a throwaway virtualenv).

``python hume_sdk_scenario.py BASE_URL API_KEY MEDIA_URL UPLOAD_PATH`` uses the Fern-generated
``client.expression_measurement.batch`` (its pydantic models parse every body) and, when the release still
ships it (``hume[legacy]`` 0.7.x), the seed-era ``hume.legacy.HumeBatchClient``; it prints one JSON summary
line. Any exception fails the run.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from hume import HumeClient
from hume.expression_measurement.batch import (
    Face,
    InferenceBaseRequest,
    Language,
    Models,
    Ner,
    Prosody,
    Transcription,
)
from hume.expression_measurement.batch.client_with_utils import BatchClientWithUtils


def wait(batch: Any, job_id: str) -> Any:
    deadline = time.monotonic() + 30
    while True:
        details = batch.get_job_details(job_id)
        if details.state.status in ("COMPLETED", "FAILED"):
            return details
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} did not end")
        time.sleep(0.1)


def fern(base_url: str, api_key: str, media_url: str, upload: str) -> dict[str, Any]:
    client = HumeClient(api_key=api_key, base_url=base_url)
    batch = client.expression_measurement.batch
    models = Models(
        face=Face(identify_faces=True, prob_threshold=0.5, facs={}, descriptions={}),
        burst={},
        prosody=Prosody(granularity="sentence", identify_speakers=True),
        language=Language(granularity="word", sentiment={}, toxicity={}),
        ner=Ner(identify_speakers=False),
    )
    job_id = batch.start_inference_job(
        models=models,
        transcription=Transcription(language="en", confidence_threshold=0.2),
        urls=[f"{media_url}/tone.wav", f"{media_url}/face.png"],
        text=["Alice flew to Paris. She loved it!"],
        notify=False,
    )
    details = wait(batch, job_id)
    predictions = batch.get_job_predictions(job_id)
    artifacts = b"".join(batch.get_job_artifacts(job_id))
    listed = batch.list_jobs(limit=10, status=["COMPLETED"], sort_by="created", direction="desc")
    # hume 0.7 leaves the upload helper unwired (hume-python-sdk#424): wire it by hand there.
    uploads = (
        batch
        if isinstance(batch, BatchClientWithUtils)
        else BatchClientWithUtils(client_wrapper=client._client_wrapper)
    )
    with open(upload, "rb") as handle:
        request = InferenceBaseRequest(models=Models(prosody=Prosody(granularity="word")))
        upload_id = uploads.start_inference_job_from_local_file(file=[handle], json=request)
    upload_predictions = batch.get_job_predictions(wait(batch, upload_id).job_id)
    return {
        "status": details.state.status,
        "num_predictions": details.state.num_predictions,
        "sources": [result.source.type for result in predictions],
        "models": [
            sorted(entry.models.dict(exclude_none=True))
            for result in predictions
            for entry in result.results.predictions
        ],
        "artifacts_zip": artifacts[:2] == b"PK",
        "listed": job_id in [job.job_id for job in listed],
        "upload_file": upload_predictions[0].results.predictions[0].file,
    }


def legacy(base_url: str, api_key: str, media_url: str, upload: str) -> dict[str, Any] | None:
    try:
        from hume.legacy import HumeBatchClient, TranscriptionConfig
        from hume.legacy.models.config import (
            BurstConfig,
            FaceConfig,
            LanguageConfig,
            NerConfig,
            ProsodyConfig,
        )
    except ImportError:
        return None
    client = HumeBatchClient(api_key, _api_http_base_url=base_url)
    configs = [FaceConfig(identify_faces=True), BurstConfig(), ProsodyConfig(), LanguageConfig(), NerConfig()]
    job = client.submit_job(
        [f"{media_url}/tone.wav"],
        configs,
        transcription_config=TranscriptionConfig(language="en"),
        files=[upload],
        text=["Hello from Lisbon."],
    )
    details = job.await_complete(timeout=30)
    predictions = job.get_predictions()
    return {
        "status": details.state.status.value,
        "configs": sorted(str(model.value) for model in details.configs),
        "sources": [result["source"]["type"] for result in predictions],
        "run_time_ms": details.get_run_time_ms() is not None,
    }


if __name__ == "__main__":
    arguments = sys.argv[1:5]
    sys.stdout.write(json.dumps({"fern": fern(*arguments), "legacy": legacy(*arguments)}) + "\n")
