"""
Analyse short texts with Hume's streaming API in parallel mapped tasks, and land the results in S3.

The lines of ``data/stream_texts.txt`` are cut into batches; one ``HumeStreamOperator`` task per batch
streams them over parallel websockets and writes one JSON Lines file per batch (one line per text, with the
id ``line-<n>``, n being its line number). A last task reads the files back and logs the top emotions.
Runs unchanged against the Hume emulator or any server speaking Hume's ``v0`` API: the endpoint and key
come from the ``hume_default`` connection, S3 from ``aws_default``, and the bucket from the Airflow
Variable ``hume_s3_bucket`` (default ``hume-demo``).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_hume.operators.stream import HumeStreamOperator

DATA = Path(__file__).parent / "data"
BUCKET = "{{ var.value.get('hume_s3_bucket', 'hume-demo') }}"
BATCH_SIZE = 10

log = logging.getLogger(__name__)

with DAG(
    dag_id="hume_stream_texts",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["hume", "example", "streaming"],
    doc_md=__doc__,
):

    @task
    def batches() -> list[dict[str, str]]:
        """The texts in batches of ``BATCH_SIZE``, each a dict of id -> text."""
        lines = (DATA / "stream_texts.txt").read_text(encoding="utf-8").splitlines()
        texts = {f"line-{number}": line for number, line in enumerate(lines, 1) if line.strip()}
        ids = list(texts)
        return [{key: texts[key] for key in ids[i : i + BATCH_SIZE]} for i in range(0, len(ids), BATCH_SIZE)]

    streamed = HumeStreamOperator.partial(
        task_id="stream",
        models={"language": {"granularity": "sentence", "sentiment": {}}},
        max_connections=4,
        output_s3_bucket=BUCKET,
        output_s3_key="hume/stream/{{ run_id }}/batch-{{ ti.map_index }}.jsonl",
        on_error="skip",
    ).expand(texts=batches())

    @task
    def summarize(uris: list[str]) -> dict[str, Any]:
        """Count texts and errors over every batch and log the three strongest emotions on average."""
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        s3 = S3Hook(aws_conn_id="aws_default")
        scores: dict[str, list[float]] = defaultdict(list)
        texts = errors = 0
        for uri in uris:
            bucket, key = S3Hook.parse_s3_url(uri)
            for line in s3.read_key(key, bucket).splitlines():
                record = json.loads(line)
                texts += 1
                errors += record["error"] is not None
                for prediction in ((record["predictions"] or {}).get("language") or {}).get(
                    "predictions", []
                ):
                    for emotion in prediction["emotions"]:
                        scores[emotion["name"]].append(emotion["score"])
        means = {name: sum(values) / len(values) for name, values in scores.items()}
        top = sorted(means, key=means.__getitem__, reverse=True)[:3]
        log.info("%d texts (%d errors); top emotions: %s", texts, errors, ", ".join(top))
        return {"files": list(uris), "texts": texts, "errors": errors, "top_emotions": top}

    summarize(streamed.output)
