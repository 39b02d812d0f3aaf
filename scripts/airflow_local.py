"""
``make airflow``: a full local Airflow with the provider, the Hume emulator and an S3 server.

Ctrl-C stops everything.

The example DAGs are loaded (and unpaused), the ``hume_default`` and ``aws_default`` connections point at the
emulator and the S3 server, and the bucket ``hume-demo`` exists. With ``HUME_API_KEY`` (and optionally
``HUME_API_URL``) set, Hume calls go to that endpoint instead of the emulator.
"""

from __future__ import annotations

import signal
import sys
import tempfile
import threading
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).parent))
from airflow_stack import BUCKET, airflow_services
from local_stack import S3_ACCESS_KEY, S3_REGION, S3_SECRET_KEY, local_stack


def main() -> int:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with tempfile.TemporaryDirectory(prefix="hume-airflow-") as tmp, local_stack(Path(tmp)) as stack:
        boto3.client(
            "s3",
            endpoint_url=stack.s3_endpoint,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            region_name=S3_REGION,
        ).create_bucket(Bucket=BUCKET)
        print("Starting Airflow (api-server, scheduler, dag-processor, triggerer) ...", flush=True)
        with airflow_services(stack, Path(tmp)) as airflow:
            where = "the Hume emulator" if stack.emulated else "the Hume API"
            print(f"\nAirflow UI:   {airflow.url}")
            print(f"Login:        {airflow.username} / {airflow.password}")
            print(f"Hume:         {stack.hume_url} ({where})")
            print(f"S3:           {stack.s3_endpoint} (bucket {BUCKET})")
            print(f"Logs:         {tmp}")
            print("Press Ctrl-C to stop everything.", flush=True)
            stop.wait()
    print("Stopped every process.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
