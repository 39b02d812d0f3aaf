"""``HumeMeasureImagesOperator`` on a stub ``v1`` client: still images batched, videos with ``face_state``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_hume.operators.measure_images import HumeMeasureImagesOperator
from tests.support import media_samples
from tests.unit.airflow.stubs import context
from tests.unit.airflow.v1.v1_stubs import BUCKET, Script, StubV1Hook, write_jpeg

OUT = f"s3://{BUCKET}/out/faces.jsonl"


def operator(script: Script, sources: Any, **kwargs: Any) -> HumeMeasureImagesOperator:
    task = HumeMeasureImagesOperator(
        task_id="faces", sources=sources, output_uri=OUT, aws_conn_id=None, **kwargs
    )
    task.hook = StubV1Hook(script)
    return task


def lines(s3: Any) -> list[dict[str, Any]]:
    body = s3.get_object(Bucket=BUCKET, Key="out/faces.jsonl")["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines()]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 1.5}, "face.threshold must be"),
        ({"min_size": 0}, "face.min_size must be >= 1"),
        ({"fps": 0}, "fps must be > 0"),
        ({"oversize": "crop"}, "oversize must be 'downscale' or 'reject'"),
    ],
)
def test_bad_arguments_fail_when_the_dag_is_parsed(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HumeMeasureImagesOperator(task_id="f", sources=["a.jpg"], output_uri=OUT, **kwargs)


def test_still_images_share_a_request_and_get_a_line_each(s3: Any, script: Script, tmp_path: Path) -> None:
    images = [str(write_jpeg(tmp_path / f"face{n}.jpg")) for n in range(3)]
    summary = operator(script, images, output_format="jsonl").execute(context())
    assert len(script.runs) == 1, "three small images go in one request"
    written = lines(s3)
    assert [line["source"] for line in written] == images
    assert all(line["kind"] == "image" and line["measurements"][0]["frame_index"] == 0 for line in written)
    assert summary["measured"] == 3
    assert summary["run_count"] == 1, "the images share one run"
    assert summary["metered_seconds"] == 10.0
    rows = s3.get_object(Bucket=BUCKET, Key="out/faces.rows.jsonl")["Body"].read().decode().splitlines()
    assert len(rows) == 3
    assert json.loads(rows[0])["top_expression"] == "joy"


def test_a_video_keeps_its_face_state_across_requests(s3: Any, script: Script, tmp_path: Path) -> None:
    video = str(media_samples.mp4(tmp_path / "clip.mp4", seconds=3, size=(320, 240)))
    summary = operator(script, [video], fps=5, max_request_bytes=100_000, output_format="parquet").execute(
        context()
    )
    (line,) = lines(s3)
    assert line["kind"] == "video"
    assert len(line["batches"]) >= 2
    assert script.face_states[0] is None
    assert script.face_states[1:] == [f"state-{b['run_id']}" for b in line["batches"][:-1]]
    stamps = [frame["timestamp_ms"] for frame in line["measurements"]]
    assert stamps == sorted(stamps)
    assert len(stamps) == 15
    assert [frame["frame_index"] for frame in line["measurements"]] == list(range(15))
    import pyarrow.parquet as pq

    body = s3.get_object(Bucket=BUCKET, Key="out/faces.parquet")["Body"].read()
    table = pq.read_table(io.BytesIO(body))
    assert table.num_rows == 15 == summary["rows"]
    assert (
        str(table.schema.field("expressions").type)
        == "list<element: struct<name: string, probability: double>>"
    )


def test_a_non_image_fails_before_its_request(s3: Any, script: Script, tmp_path: Path) -> None:
    bad = tmp_path / "notes.jpg"
    bad.write_text("not an image")
    good = str(write_jpeg(tmp_path / "ok.jpg"))
    with pytest.raises(AirflowFailException, match=r"1 of 2 file\(s\) failed: .*notes.jpg"):
        operator(script, [str(bad), good]).execute(context())
    assert len(script.runs) == 1
    assert [line["status"] for line in lines(s3)] == ["failed", "measured"]


def test_a_png_is_converted_and_an_oversized_jpeg_rejected_when_asked(
    s3: Any, script: Script, tmp_path: Path
) -> None:
    from PIL import Image

    png = tmp_path / "shot.png"
    Image.new("RGB", (80, 60), (10, 200, 30)).save(png, "PNG")
    huge = tmp_path / "huge.jpg"
    Image.new("RGB", (4000, 2200), (90, 90, 90)).save(huge, "JPEG")
    with pytest.raises(AirflowFailException, match=r"1 of 2 file\(s\) failed: .*huge.jpg"):
        operator(script, [str(png), str(huge)], oversize="reject").execute(context())
    converted, rejected = lines(s3)
    assert converted["status"] == "measured"
    assert rejected["status"] == "failed"
    assert "8,294,400" in rejected["error"] or "pixels" in rejected["error"]
    assert len(script.runs) == 1, "only the converted PNG was sent"
