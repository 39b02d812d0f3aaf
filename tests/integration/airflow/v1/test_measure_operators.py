"""The ``v1`` measuring operators in DAGs against the emulator and moto's S3 server: outputs, failures,
retries that pay nothing twice, answers lost after Hume billed the upload, and the key kept out of sight."""

from __future__ import annotations

import io
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from airflow.sdk import DAG

from airflow_provider_hume.operators.measure_audio import HumeMeasureAudioOperator
from airflow_provider_hume.operators.measure_images import HumeMeasureImagesOperator
from tests.integration.airflow.v1.conftest import START, emulator_runs
from tests.support import media_samples
from tests.support.airflow_versions import needs_task_state_store
from tests.support.fault_proxy import FaultProxy, status_after_upstream
from tests.support.key_search import text_of, traces_of

AUDIO_UPLOAD = r"/v1/expression/audio/file"
#: ~9 s of audio per request: a 20 s recording takes three.
SMALL_REQUESTS = 350_000


def _dag_id(name: str) -> str:
    return f"{name}_{uuid.uuid4().hex[:8]}"


def _lines(s3: Any, bucket: str, key: str) -> list[dict[str, Any]]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines()]


@pytest.fixture
def recordings(tmp_path: Path) -> list[str]:
    """An MP3 (mono 44.1 kHz), an M4A (stereo AAC) and a 20 s WAV at 44.1 kHz stereo."""
    return [
        str(media_samples.mp3(tmp_path / "a.mp3", 5.0)),
        str(media_samples.m4a(tmp_path / "b.m4a", 6.0)),
        str(media_samples.wav(tmp_path / "c.wav", 20.0, rate=44100, channels=2)),
    ]


def test_mixed_formats_give_lines_and_a_csv_table(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, recordings: list[str], since: datetime
) -> None:
    key = f"v1/{uuid.uuid4().hex}/calls.jsonl"
    with DAG(_dag_id("v1_mixed"), schedule=None, start_date=START) as dag:
        HumeMeasureAudioOperator(
            task_id="measure",
            sources=recordings,
            output_uri=f"s3://{bucket}/{key}",
            output_format="csv",
            max_request_bytes=SMALL_REQUESTS,
        )
    outcome = run_dag(dag)
    assert outcome["dag_state"] == "success", outcome
    summary = outcome["measure"]["xcom"]["return_value"]
    lines = _lines(s3, bucket, key)
    assert [line["source"] for line in lines] == recordings
    assert [len(line["chunks"]) for line in lines] == [1, 1, 3]
    assert all(line["converted"] for line in lines), "none was 16 kHz mono: all were converted"
    runs = emulator_runs(emulator, since, "audio")
    assert sorted(summary["run_ids"]) == sorted(run["run_id"] for run in runs), "one run per request, no more"
    assert summary["metered_seconds"] == pytest.approx(sum(run["metered_seconds"] for run in runs))
    table = s3.get_object(Bucket=bucket, Key=key.replace(".jsonl", ".csv"))["Body"].read().decode()
    header, *rows = table.splitlines()
    assert header.split(",")[:3] == ["source", "run_id", "measurement_id"]
    assert len(rows) == summary["rows"] == sum(len(line["measurements"]) for line in lines)


@pytest.mark.parametrize("on_error", ["skip", "fail"])
def test_an_undecodable_file_is_refused_before_its_request(
    emulator: Any,
    s3: Any,
    bucket: str,
    run_dag: Any,
    recordings: list[str],
    tmp_path: Path,
    since: datetime,
    on_error: str,
    capfd: Any,
) -> None:
    broken = str(media_samples.random_bytes(tmp_path / "broken.mp3"))
    key = f"v1/{uuid.uuid4().hex}/calls.jsonl"
    with DAG(_dag_id(f"v1_on_error_{on_error}"), schedule=None, start_date=START) as dag:
        HumeMeasureAudioOperator(
            task_id="measure",
            sources=[broken, recordings[0]],
            output_uri=f"s3://{bucket}/{key}",
            on_error=on_error,
            retries=1,
            retry_delay=0,
        )
    outcome = run_dag(dag)
    failed, measured = _lines(s3, bucket, key)
    assert failed["status"] == "failed"
    assert "broken.mp3" in failed["error"]
    assert measured["status"] == "measured"
    assert len(emulator_runs(emulator, since, "audio")) == 1, "no request for the broken file"
    if on_error == "skip":
        assert outcome["measure"]["state"] == "success"
        assert outcome["measure"]["xcom"]["return_value"]["failed"] == 1
    else:
        assert outcome["measure"]["state"] == "failed"
        assert outcome["measure"]["try_number"] == 1, "bad media is not retried"
        assert "1 of 2 file(s) failed" in capfd.readouterr().out


class _DiesOnTheSecondFile(HumeMeasureAudioOperator):
    """The first try's worker is lost at the second file, once the first one's request is done."""

    def measure(self, source: Any, path: Any, uploader: Any, workdir: Any, cleanup: Any) -> Any:
        if source.uri.endswith("b.m4a") and self._try_number == 1:
            uploader.close()  # the first file's request completes (and is staged) first
            raise RuntimeError("worker lost")
        return super().measure(source, path, uploader, workdir, cleanup)

    def execute(self, context: Any) -> Any:
        self._try_number = context["ti"].try_number
        return super().execute(context)


def test_a_retried_task_sends_only_the_files_not_measured_yet(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, recordings: list[str], since: datetime, capfd: Any
) -> None:
    key = f"v1/{uuid.uuid4().hex}/calls.jsonl"
    with DAG(_dag_id("v1_retry"), schedule=None, start_date=START) as dag:
        _DiesOnTheSecondFile(
            task_id="measure",
            sources=recordings[:2],
            output_uri=f"s3://{bucket}/{key}",
            max_concurrency=1,
            retries=1,
            retry_delay=0,
        )
    outcome = run_dag(dag)
    assert outcome["measure"]["state"] == "success", outcome
    assert outcome["measure"]["try_number"] == 2
    runs = emulator_runs(emulator, since, "audio")
    assert len(runs) == 2, "each file paid once, over two tries"
    summary = outcome["measure"]["xcom"]["return_value"]
    assert summary["requests_sent"] == 1
    assert summary["measured"] == 2
    assert "by an earlier try, not sent again" in capfd.readouterr().out


def _lost_answer_dag(bucket: str, key: str, sources: list[str], **kwargs: Any) -> DAG:
    with DAG(_dag_id("v1_lost"), schedule=None, start_date=START) as dag:
        HumeMeasureAudioOperator(
            task_id="measure", sources=sources, output_uri=f"s3://{bucket}/{key}", retry_delay=0, **kwargs
        )
    return dag


def test_an_answer_lost_after_billing_names_the_run_and_measures_again(
    via_proxy: FaultProxy,
    emulator: Any,
    s3: Any,
    bucket: str,
    run_dag: Any,
    recordings: list[str],
    since: datetime,
    capfd: Any,
) -> None:
    rule = via_proxy.inject("POST", AUDIO_UPLOAD, status_after_upstream(502))
    key = f"v1/{uuid.uuid4().hex}/calls.jsonl"
    outcome = run_dag(_lost_answer_dag(bucket, key, recordings[:1], retries=1))
    assert rule.hits == 1
    assert outcome["measure"]["state"] == "success"
    assert outcome["measure"]["try_number"] == 1
    runs = emulator_runs(emulator, since, "audio")
    assert len(runs) == 2, "the lost upload was billed, and the file was sent once more"
    summary = outcome["measure"]["xcom"]["return_value"]
    (lost,) = summary["lost_runs"]
    (kept,) = summary["run_ids"]
    assert {lost["run_id"], kept} == {run["run_id"] for run in runs}
    assert f"billed in run {lost['run_id']}" in capfd.readouterr().out
    assert summary["metered_seconds"] == pytest.approx(sum(run["metered_seconds"] for run in runs))
    assert _lines(s3, bucket, key)[0]["chunks"][0]["run_id"] == kept


def test_reupload_lost_false_fails_naming_the_billed_run(
    via_proxy: FaultProxy,
    emulator: Any,
    bucket: str,
    run_dag: Any,
    recordings: list[str],
    since: datetime,
    capfd: Any,
) -> None:
    via_proxy.inject("POST", AUDIO_UPLOAD, status_after_upstream(502))
    key = f"v1/{uuid.uuid4().hex}/calls.jsonl"
    outcome = run_dag(_lost_answer_dag(bucket, key, recordings[:1], retries=2, reupload_lost=False))
    (run,) = emulator_runs(emulator, since, "audio")
    assert outcome["measure"]["state"] == "failed"
    assert outcome["measure"]["try_number"] == 1, "paying again is what the user refused: no retry"
    output = capfd.readouterr().out
    assert f"billed in run {run['run_id']}" in output
    assert "reupload_lost=False" in output


class _LosesTheFirstAnswer(HumeMeasureAudioOperator):
    """The first try's worker dies after Hume answered, before the answer was staged."""

    def _upload(self, client: Any, source: Any, chunk: Any, name: str, count: int) -> Any:
        upload = super()._upload(client, source, chunk, name, count)
        if self._try_number > 1:
            return upload

        def staged(result: Any, started: Any) -> Any:
            raise RuntimeError("worker lost after the upload")

        return type(upload)(upload.intent, upload.send, staged)

    def execute(self, context: Any) -> Any:
        self._try_number = context["ti"].try_number
        return super().execute(context)


@needs_task_state_store
def test_a_retry_finds_the_run_an_earlier_try_paid_for_from_the_state_store(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, recordings: list[str], since: datetime, capfd: Any
) -> None:
    key = f"v1/{uuid.uuid4().hex}/calls.jsonl"
    with DAG(_dag_id("v1_state_store"), schedule=None, start_date=START) as dag:
        _LosesTheFirstAnswer(
            task_id="measure",
            sources=recordings[:1],
            output_uri=f"s3://{bucket}/{key}",
            retries=1,
            retry_delay=0,
        )
    outcome = run_dag(dag)
    assert outcome["measure"]["state"] == "success"
    assert outcome["measure"]["try_number"] == 2
    first, second = sorted(emulator_runs(emulator, since, "audio"), key=lambda run: run["started_at"])
    output = capfd.readouterr().out
    assert f"billed in run {first['run_id']}" in output
    summary = outcome["measure"]["xcom"]["return_value"]
    assert summary["run_ids"] == [second["run_id"]]
    assert summary["lost_runs"][0]["run_id"] == first["run_id"]


def test_images_and_a_video_with_stable_face_ids_to_parquet(
    emulator: Any, s3: Any, bucket: str, run_dag: Any, tmp_path: Path, since: datetime
) -> None:
    video = media_samples.mp4(tmp_path / "clip.mp4", seconds=4.0, size=(640, 480))
    stills = [media_samples.pattern_frame(n, 320, 240) for n in range(2)]
    images = []
    for n, image in enumerate(stills):
        path = tmp_path / f"still{n}.jpg"
        image.save(path, "JPEG")
        images.append(str(path))
    key = f"v1/{uuid.uuid4().hex}/faces.jsonl"
    with DAG(_dag_id("v1_images"), schedule=None, start_date=START) as dag:
        HumeMeasureImagesOperator(
            task_id="faces",
            sources=[*images, str(video)],
            output_uri=f"s3://{bucket}/{key}",
            output_format="parquet",
            fps=3,
            threshold=0.0,
            min_size=1,
            max_request_bytes=100_000,
        )
    outcome = run_dag(dag)
    assert outcome["faces"]["state"] == "success", outcome
    lines = {line["source"].rsplit("/", 1)[-1]: line for line in _lines(s3, bucket, key)}
    clip = lines["clip.mp4"]
    assert len(clip["batches"]) >= 2
    assert len(clip["measurements"]) == 12
    later = clip["measurements"][clip["batches"][0]["frames"] :]
    later_ids = [face["face_id"] for frame in later for face in frame["faces"] if face["face_id"] is not None]
    assert later_ids, "the emulator finds faces in the pattern frames"
    # Ids restarting at 0 in each request would all stay below the number of faces a request measured.
    assert max(later_ids) >= max(len(later_ids), 1), "face ids continue across requests (face_state carried)"
    runs = emulator_runs(emulator, since, "video")
    assert len(runs) == len(clip["batches"]) + 1, "the two stills share one request"
    summary = outcome["faces"]["xcom"]["return_value"]
    table = pq.read_table(
        io.BytesIO(s3.get_object(Bucket=bucket, Key=key.replace(".jsonl", ".parquet"))["Body"].read())
    )
    assert table.num_rows == summary["rows"]
    assert summary["metered_seconds"] == pytest.approx(sum(run["metered_seconds"] for run in runs))


def test_the_key_stays_out_of_logs_and_xcom(
    emulator: Any, bucket: str, run_dag: Any, recordings: list[str], capfd: Any
) -> None:
    with DAG(_dag_id("v1_key"), schedule=None, start_date=START) as dag:
        HumeMeasureAudioOperator(
            task_id="measure", sources=recordings[:1], output_uri=f"s3://{bucket}/v1/{uuid.uuid4().hex}.jsonl"
        )
    outcome = run_dag(dag)
    captured = capfd.readouterr()
    assert outcome["measure"]["state"] == "success"
    assert traces_of(captured.out + captured.err, [emulator.api_key]).total == 0
    assert traces_of(text_of(outcome), [emulator.api_key]).total == 0
    assert traces_of(text_of(_rendered_fields(dag.dag_id)), [emulator.api_key]).total == 0


def _rendered_fields(dag_id: str) -> list[Any]:
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(RenderedTaskInstanceFields).filter_by(dag_id=dag_id).all()
        assert rows, "the run recorded its rendered fields"
        return [row.rendered_fields for row in rows]
