"""The ``v1`` part of ``make demo``: a day of calls put in S3, then what ``hume_v1_calls_to_s3`` made."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from local_stack import Stack
from v1_media import write_recordings

V1_DAG_ID = "hume_v1_calls_to_s3"
#: Requests capped at 0.5 MB (about 15 s of audio) so the demo's 40 s call is split as a 2-hour one would be.
DEMO_MAX_REQUEST_BYTES = 500_000
TOP = 3


def stage_recordings(s3: Any, bucket: str, folder: Path) -> tuple[str, str]:
    """Write today's calls and upload them under ``calls/<today>/``; return the day and the logical date
    of the run whose data interval is today (a manual run at the end of the day)."""
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    day = today.strftime("%Y-%m-%d")
    paths = write_recordings(folder)
    for path in paths:
        s3.upload_file(str(path), bucket, f"calls/{day}/{path.name}")
    kinds = ", ".join(path.suffix.lstrip(".").upper() for path in paths)
    print(f"Uploaded {len(paths)} recordings to s3://{bucket}/calls/{day}/ ({kinds}; WAV at 44.1 kHz stereo)")
    print(
        f"Requests capped at {DEMO_MAX_REQUEST_BYTES:,} bytes: the 40 s call is split, as a long one would be"
    )
    return day, (today + timedelta(days=1)).isoformat()


def v1_env(env: dict[str, str], stack: Stack) -> dict[str, str]:
    """The Airflow environment of the ``v1`` DAG (against Hume: its ``v1`` host, api.cloud.hume.ai)."""
    env = {**env, "HUME_V1_MAX_REQUEST_BYTES": str(DEMO_MAX_REQUEST_BYTES)}
    if not stack.emulated:
        conn = {
            "conn_type": "hume",
            "host": os.environ.get("HUME_V1_API_URL", ""),
            "password": stack.hume_api_key,
        }
        env["AIRFLOW_CONN_HUME_DEFAULT"] = json.dumps(conn)
    return env


def _read_lines(s3: Any, bucket: str, key: str) -> list[dict[str, Any]]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    return [json.loads(line) for line in body.splitlines() if line.strip()]


def top_scores(measurements: list[dict[str, Any]], key: str, count: int = TOP) -> list[tuple[str, float]]:
    """Mean probability per name over all measurements (a name absent from one counts 0), best first."""
    totals: dict[str, float] = defaultdict(float)
    for measurement in measurements:
        for score in measurement.get(key) or []:
            totals[score["name"]] += float(score["probability"])
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:count]
    return [(name, total / max(len(measurements), 1)) for name, total in ranked]


def report_v1(s3: Any, bucket: str, day: str) -> None:
    """Per call: top expressions, top voice attributes, requests and metered seconds; then the totals."""
    calls = _read_lines(s3, bucket, f"hume/v1/{day}/measurements.jsonl")
    runs = {run["run_id"]: run for run in _read_lines(s3, bucket, f"hume/v1/runs/{day}.jsonl")}
    print(f"Measurements: s3://{bucket}/hume/v1/{day}/measurements.jsonl and measurements.parquet")
    for call in calls:
        name = call["source"].rsplit("/", 1)[-1]
        if call.get("status") != "measured":
            print(f"  {name}: failed: {call.get('error')}")
            continue
        chunks = call.get("chunks") or []
        metered = sum(float(runs.get(chunk["run_id"], {}).get("metered_seconds") or 0) for chunk in chunks)
        print(
            f"  {name}: {call['audio_duration_ms'] / 1000:.1f} s of audio, {len(chunks)} request(s), "
            f"{len(call['measurements'])} measurements, {metered:.1f} metered seconds"
        )
        for key, label in (("expressions", "expressions"), ("voice_attributes", "voice attributes")):
            best = top_scores(call["measurements"], key)
            shown = (
                ", ".join(f"{score_name} {mean:.2f}" for score_name, mean in best) or "none past their cutoff"
            )
            print(f"      top {label} (mean over its measurements, 0 where absent): {shown}")
    total = sum(float(run.get("metered_seconds") or 0) for run in runs.values())
    print(f"Runs exported: s3://{bucket}/hume/v1/runs/{day}.jsonl ({len(runs)} runs, {total:.1f} metered s)")
