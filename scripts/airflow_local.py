"""
``make airflow``: a full local Airflow with the provider, the Hume emulator and an S3 server.

Ctrl-C stops everything.

The example DAGs are loaded (and unpaused), the ``hume_default`` and ``aws_default`` connections point at the
emulator and the S3 server (stored in the metadata database, so the UI lists them, and its Test button is
enabled), and the bucket ``hume-demo`` exists. With ``HUME_API_KEY`` (and optionally ``HUME_API_URL``) set,
Hume calls go to that endpoint instead of the emulator. The emulator's console URL and key are printed: the
tasks' **Hume Job** links open there once the key has been entered on the console's page.
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

from airflow_provider_hume.links.job import EMULATOR_CONSOLE_PATH

#: The connection form's Test button, enabled on this local stack only (README: "A full local Airflow").
LOCAL_ENV = {"AIRFLOW__CORE__TEST_CONNECTION": "Enabled"}


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
        with airflow_services(stack, Path(tmp), extra_env=LOCAL_ENV, store_connections=True) as airflow:
            where = "the Hume emulator" if stack.emulated else "the Hume API"
            print(f"\nAirflow UI:   {airflow.url}")
            print(f"Login:        {airflow.username} / {airflow.password}")
            print(f"Hume:         {stack.hume_url} ({where})")
            if stack.emulated:
                print(f"Console:      {stack.hume_url}{EMULATOR_CONSOLE_PATH}/ (the tasks' Hume Job links)")
                print(f"Console key:  {stack.hume_api_key} (enter it once on the console's page)")
            print(f"S3:           {stack.s3_endpoint} (bucket {BUCKET})")
            print(f"Logs:         {tmp}")
            print("Press Ctrl-C to stop everything.", flush=True)
            stop.wait()
    print("Stopped every process.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
