"""
Transfers as lean as a raw copy: the predictions and artifacts transfers against a raw streamed copy.

For each body (artifacts, padded with the emulator's ``artifacts_pad_bytes``; predictions as ``json``,
padded with ``predictions_pad_bytes``) at 16 MiB and 1 GiB, each copy runs in a fresh child process,
interleaved with its baselines in every round: the operator's ``execute()`` (``HumeArtifactsToS3Operator`` /
``HumePredictionsToS3Operator``, ``replace=False``, connections from ``AIRFLOW_CONN_*`` variables, no task
runner, ``load_examples`` off; only ``execute()`` is timed, which includes what it imports and sets up, such
as the Amazon provider and the boto3 client; the emulator sends these bodies chunked, so the default
``verify_body="unframed"`` checks the format of their first 64 KiB), at 1 GiB the same with
``verify_body="always"`` (the whole format checked: what that costs, no target), the raw streamed copy
(``requests`` stream into boto3's ``upload_fileobj`` with its default config; timed from creating the
client, after its imports) and, at 16 MiB, the same copy as a plain boto3 script (timed whole: importing
boto3 and requests, creating the client, copying). Peak RSS is the child's ``resource.getrusage`` maximum;
throughput is the body's size over the timed seconds. The emulator and moto's S3 server
(``scripts/local_stack.py``) run in processes of their own on loopback. Medians of ``--rounds``; the fixed
cost printed is the 16 MiB time less 16 MiB at the 1 GiB rate.
Run: ``.venv/bin/python benchmarks/transfers.py --rounds 3`` (about two minutes a round).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "scripts"))
from _figures import at_least, at_most, figure
from local_stack import Stack, local_stack

MIB = 1024 * 1024
BUCKET = "hume-transfers-bench"
BODIES = ("artifacts", "predictions")
SMALL = 16 * MIB
PAD_FAULT = {"artifacts": "artifacts_pad_bytes", "predictions": "predictions_pad_bytes"}
METHODS = {
    "operator": "the operator's execute()",
    "always": "execute(), verify_body='always'",
    "raw": "raw streamed copy",
    "script": "plain boto3 script",
}


# ---- children ----------------------------------------------------------------------------------------------


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child_operator(body: str, job_id: str, key: str, verify_body: str = "unframed") -> dict[str, float]:
    from airflow_provider_hume.transfers import HumeArtifactsToS3Operator, HumePredictionsToS3Operator

    cls = HumeArtifactsToS3Operator if body == "artifacts" else HumePredictionsToS3Operator
    operator = cls(
        task_id="copy", job_id=job_id, s3_bucket=BUCKET, s3_key=key, replace=False, verify_body=verify_body
    )
    started, cpu = time.monotonic(), _cpu_seconds()
    operator.execute({})
    return {"seconds": time.monotonic() - started, "cpu_s": _cpu_seconds() - cpu}


def _raw_copy(body: str, job_id: str, key: str, since: tuple[float, float] | None) -> dict[str, float]:
    """``requests`` stream into ``upload_fileobj`` (default config), timed from ``since`` (wall and CPU
    seconds) or, without it, from after the imports."""
    import boto3
    import requests

    started, cpu = since or (time.monotonic(), _cpu_seconds())
    hume = json.loads(os.environ["AIRFLOW_CONN_HUME_DEFAULT"])
    aws = json.loads(os.environ["AIRFLOW_CONN_AWS_DEFAULT"])
    s3 = boto3.client(
        "s3",
        endpoint_url=aws["extra"]["endpoint_url"],
        aws_access_key_id=aws["login"],
        aws_secret_access_key=aws["password"],
        region_name=aws["extra"]["region_name"],
    )
    url = f"{hume['host']}/v0/batch/jobs/{job_id}/{body}"
    with requests.get(url, headers={"X-Hume-Api-Key": hume["password"]}, stream=True, timeout=60) as response:
        response.raise_for_status()
        response.raw.decode_content = True
        s3.upload_fileobj(response.raw, BUCKET, key)
    return {"seconds": time.monotonic() - started, "cpu_s": _cpu_seconds() - cpu}


def _child_always(body: str, job_id: str, key: str) -> dict[str, float]:
    return _child_operator(body, job_id, key, verify_body="always")


def _child_raw(body: str, job_id: str, key: str) -> dict[str, float]:
    return _raw_copy(body, job_id, key, since=None)


def _child_script(body: str, job_id: str, key: str) -> dict[str, float]:
    return _raw_copy(body, job_id, key, since=(time.monotonic(), _cpu_seconds()))


CHILDREN: dict[str, Callable[[str, str, str], dict[str, float]]] = {
    "operator": _child_operator,
    "always": _child_always,
    "raw": _child_raw,
    "script": _child_script,
}


def _child(method: str, body: str, job_id: str, key: str) -> None:
    figures = CHILDREN[method](body, job_id, key)
    figures["peak_rss_mib"] = _peak_rss_mib()
    print(json.dumps(figures))


# ---- parent ------------------------------------------------------------------------------------------------


def _run_child(env: dict[str, str], *args: str) -> dict[str, float]:
    """Run ``--child ARGS`` in a fresh interpreter; its JSON figures (its output shown if it fails)."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False, env=env
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-8000:])
        raise SystemExit(f"child {args} exited with {done.returncode}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _completed_job(stack: Stack) -> str:
    from airflow_provider_hume.client import HumeBatchClient, JobRequest, JobStatus

    with HumeBatchClient(stack.hume_api_key, stack.hume_url) as client:
        job_id = client.submit_job(JobRequest.build(text=["What a wonderful surprise!"]))
        deadline = time.monotonic() + 30
        while client.get_job_details(job_id).status is not JobStatus.COMPLETED:
            if time.monotonic() > deadline:
                raise SystemExit("the emulator's job did not complete")
            time.sleep(0.05)
    return job_id


Runs = dict[tuple[str, int, str], list[dict[str, float]]]


def _round(stack: Stack, env: dict[str, str], job_id: str, sizes: tuple[int, ...], runs: Runs) -> None:
    from airflow_provider_hume.emulator.admin_client import EmulatorAdmin

    s3 = stack.s3_client()
    with EmulatorAdmin(stack.hume_url, stack.hume_api_key) as admin:
        for body in BODIES:
            for size in sizes:
                admin.update_faults(**{PAD_FAULT[body]: size})
                methods = ("operator", "raw", "script") if size == SMALL else ("operator", "always", "raw")
                for method in methods:
                    key = f"{body}/{size}/{method}"
                    figures = _run_child(env, method, body, job_id, key)
                    figures["mib"] = s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] / MIB
                    figures["mib_s"] = figures["mib"] / figures["seconds"]
                    s3.delete_object(Bucket=BUCKET, Key=key)
                    runs.setdefault((body, size, method), []).append(figures)
                    print(
                        f"  {body} {_label(size)} {METHODS[method]}: {figures['mib']:.1f} MiB in "
                        f"{figures['seconds']:.2f} s ({figures['mib_s']:.1f} MiB/s, "
                        f"{figures['cpu_s']:.2f} s of CPU), peak RSS {figures['peak_rss_mib']:.1f} MiB",
                        flush=True,
                    )


def _label(size: int) -> str:
    return f"{size // MIB} MiB" if size < 1024 * MIB else f"{size / (1024 * MIB):g} GiB"


def _median(runs: Runs, body: str, size: int, method: str, name: str) -> float:
    return statistics.median(figures[name] for figures in runs[(body, size, method)])


def _report(runs: Runs, large: int) -> None:
    big = _label(large)
    for body in BODIES:
        rss = {m: _median(runs, body, large, m, "peak_rss_mib") for m in ("operator", "raw")}
        small_rss = _median(runs, body, SMALL, "operator", "peak_rss_mib")
        speed = {m: _median(runs, body, large, m, "mib_s") for m in ("operator", "raw")}
        small_speed = {m: _median(runs, body, SMALL, m, "mib_s") for m in ("operator", "script")}
        small_seconds = _median(runs, body, SMALL, "operator", "seconds")
        small_mib = _median(runs, body, SMALL, "operator", "mib")
        figure(
            f"{body}: peak RSS at {big}",
            rss["operator"],
            "MiB",
            baseline=rss["raw"],
            baseline_name=f"raw streamed copy at {big}",
            target=at_most(1.1, of="ratio"),
        )
        figure(
            f"{body}: peak RSS growth 16 MiB->{big}",
            rss["operator"] - small_rss,
            "MiB",
            target=at_most(64),
        )
        figure(
            f"{body}: throughput at {big}",
            speed["operator"],
            "MiB/s",
            baseline=speed["raw"],
            baseline_name="raw streamed copy",
            target=at_least(0.9, of="ratio"),
        )
        always = _median(runs, body, large, "always", "mib_s")
        figure(
            f"{body}: throughput at {big}, verify_body='always'",
            always,
            "MiB/s",
            baseline=speed["raw"],
            baseline_name="raw streamed copy",
        )
        figure(
            f"{body}: throughput at 16 MiB",
            small_speed["operator"],
            "MiB/s",
            baseline=small_speed["script"],
            baseline_name="plain boto3 script",
            target=at_least(0.7, of="ratio"),
        )
        fixed = small_seconds - small_mib / speed["operator"]
        script_seconds = _median(runs, body, SMALL, "script", "seconds")
        script_fixed = script_seconds - _median(runs, body, SMALL, "script", "mib") / speed["raw"]
        print(
            f"{body}: fixed cost (16 MiB time less 16 MiB at the {big} rate): execute() {fixed:.2f} s, "
            f"plain boto3 script {script_fixed:.2f} s (with its imports and client)"
        )
        figure(f"{body}: fixed cost of execute()", fixed, "s")


def main(args: argparse.Namespace) -> None:
    started = time.monotonic()
    large = args.large_mib * MIB
    sizes = (SMALL, large)
    with tempfile.TemporaryDirectory(prefix="hume-transfers-bench-") as tmp:
        work = Path(tmp)
        flags = ("--queue-seconds", "0", "--run-seconds", "0")
        with local_stack(work, emulator_flags=flags) as stack:
            if not stack.emulated:
                raise SystemExit("this benchmark pads bodies with the emulator: unset HUME_API_KEY")
            env = {
                **os.environ,
                **stack.airflow_env(BUCKET),
                "AIRFLOW_HOME": str(work / "airflow"),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",  # as in production: no example plugins to load
            }
            stack.s3_client().create_bucket(Bucket=BUCKET)
            job_id = _completed_job(stack)
            runs: Runs = {}
            for index in range(args.rounds):
                print(f"round {index + 1} of {args.rounds}:", flush=True)
                _round(stack, env, job_id, sizes, runs)
            _report(runs, large)
    print(f"(whole run {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds; figures are their medians")
    parser.add_argument("--large-mib", type=int, default=1024, help="the large body in MiB (default 1 GiB)")
    cli = parser.parse_args()
    if cli.child:
        _child(*cli.child)
    else:
        main(cli)
