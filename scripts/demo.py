"""
``make demo``: run the example DAGs ``hume_batch_to_s3`` (``v0``) and ``hume_v1_calls_to_s3`` (``v1``) end to
end on this machine.

Starts the Hume emulator (or uses ``HUME_API_KEY`` with ``HUME_API_URL`` for ``v0`` and ``HUME_V1_API_URL``
for ``v1``) and moto's S3 server on loopback, runs ``airflow dags test`` in a throwaway ``AIRFLOW_HOME``, then
prints what landed in S3: for ``v0`` the job id, every key written and the top three emotions per source; for
``v1`` the top expressions and voice attributes of each call and its metered seconds. The terminal gets step
headers and results only: Airflow's output goes to one log file (the emulator's and the S3 server's logs
beside it), whose path is printed first and which is kept after the run; on a failure its tail is printed.
Every process it started is stopped on exit, failure or Ctrl-C.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from local_stack import BIN, Stack, local_stack
from v1_demo import V1_DAG_ID, report_v1, stage_recordings, v1_env

REPO = Path(__file__).resolve().parent.parent
DAG_ID = "hume_batch_to_s3"
BUCKET = "hume-demo"
#: Lines of the Airflow log printed when a step fails.
TAIL_LINES = 40


class StepFailed(RuntimeError):
    """A step of the demo failed; its message says which and why."""


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _airflow(args: list[str], env: dict[str, str], log_path: Path) -> None:
    """Run an ``airflow`` command in its own process group, its output appended to ``log_path``; stop the
    group if we are interrupted."""
    command = f"airflow {' '.join(args)}"
    with log_path.open("ab") as log:
        log.write(f"\n$ {command}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            [str(BIN / "airflow"), *args],
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            code = proc.wait()
        except BaseException:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            raise
    if code != 0:
        raise StepFailed(f"{command} failed with exit code {code}")


@contextmanager
def step(title: str) -> Iterator[None]:
    """Print the step's header, and how long it took once it is done."""
    print(f"\n== {title} ==", flush=True)
    started = time.monotonic()
    yield
    print(f"(done in {time.monotonic() - started:.0f} s)", flush=True)


def print_tail(log_path: Path, lines: int = TAIL_LINES) -> None:
    """The last ``lines`` lines of the log, and where the whole log is."""
    if log_path.exists():
        tail = log_path.read_text(errors="replace").splitlines()[-lines:]
        print(f"\nThe last {len(tail)} lines of the Airflow log:", file=sys.stderr)
        print("\n".join(f"  {line}" for line in tail), file=sys.stderr)
    print(f"The whole log: {log_path}", file=sys.stderr)


def _emotion_scores(predictions: list[dict[str, Any]]) -> Iterator[tuple[str, str, float]]:
    """Yield (source label, emotion, score) for every emotion score in a predictions body."""
    for result in predictions:
        source = result.get("source", {})
        label = source.get("url") or source.get("filename") or source.get("type", "?")
        for prediction in (result.get("results") or {}).get("predictions", []):
            for model in prediction.get("models", {}).values():
                for group in (model or {}).get("grouped_predictions", []):
                    for item in group.get("predictions", []):
                        for emotion in item.get("emotions", []):
                            yield label, emotion["name"], float(emotion["score"])


def top_emotions(predictions: list[dict[str, Any]], count: int = 3) -> dict[str, list[tuple[str, float]]]:
    """Mean score per emotion for each source, best ``count`` first."""
    totals: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for label, name, score in _emotion_scores(predictions):
        totals[label][name].append(score)
    return {
        label: sorted(((n, sum(s) / len(s)) for n, s in scores.items()), key=lambda p: -p[1])[:count]
        for label, scores in totals.items()
    }


def report(stack: Stack, started: float) -> None:
    s3 = stack.s3_client()
    objects = s3.list_objects_v2(Bucket=BUCKET, Prefix="hume/").get("Contents", [])
    written = [o for o in objects if o["LastModified"].timestamp() >= started - 5]
    if not written:
        raise StepFailed("The DAG wrote nothing to S3.")
    job_id = written[0]["Key"].split("/")[1]
    print(f"Hume job id: {job_id}")
    print("S3 objects written:")
    for obj in written:
        print(f"  s3://{BUCKET}/{obj['Key']}  ({obj['Size']} bytes)")
    body = s3.get_object(Bucket=BUCKET, Key=f"hume/{job_id}/predictions.json")["Body"]
    predictions = json.load(body)
    print("Top three emotions per source (mean score over all predictions):")
    for label, best in top_emotions(predictions).items():
        print(f"  {label}: " + ", ".join(f"{name} {score:.3f}" for name, score in best))


def run(work: Path, logs: Path, started: float) -> None:
    """Every step, against a stack whose logs go to ``logs``."""
    airflow_log = logs / "airflow.log"
    with local_stack(logs) as stack:
        where = "the embedded Hume emulator" if stack.emulated else "the Hume API"
        print(f"Hume endpoint: {stack.hume_url} ({where}); S3 server: {stack.s3_endpoint}")
        stack.s3_client().create_bucket(Bucket=BUCKET)
        env = {
            **os.environ,
            **stack.airflow_env(BUCKET),
            "AIRFLOW_HOME": str(work / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        }
        with step("Preparing a throwaway Airflow metadata database"):
            _airflow(["db", "migrate"], env, airflow_log)
        with step(f"v0: {DAG_ID} (batch job, predictions and artifacts to S3)"):
            _airflow(["dags", "test", DAG_ID], env, airflow_log)
            report(stack, started)
        with step(f"v1: {V1_DAG_ID} (the day's calls measured, the day's runs exported)"):
            day, logical_date = stage_recordings(stack.s3_client(), BUCKET, work / "calls")
            _airflow(["dags", "test", V1_DAG_ID, logical_date], v1_env(env, stack), airflow_log)
            report_v1(stack.s3_client(), BUCKET, day)


def main() -> int:
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    started = time.time()
    logs = Path(tempfile.mkdtemp(prefix="hume-demo-logs-"))
    airflow_log = logs / "airflow.log"
    print(f"Airflow log (kept after the run): {airflow_log}")
    with tempfile.TemporaryDirectory(prefix="hume-demo-") as tmp:
        try:
            run(Path(tmp), logs, started)
        except KeyboardInterrupt:
            print("\nInterrupted: stopped every process the demo started.", file=sys.stderr)
            print(f"The Airflow log: {airflow_log}", file=sys.stderr)
            return 130
        except Exception as err:
            print(f"\nThe demo failed: {err}", file=sys.stderr)
            print_tail(airflow_log)
            return 1
    print(f"\nDone. The Airflow log: {airflow_log} (the emulator's and the S3 server's beside it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
