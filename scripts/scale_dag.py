"""The scale-out DAG: N mapped chains submit -> wait for the job -> predictions to S3, one per text.

The chains are a mapped task group, so each chain moves on as soon as its own job is done (``wait[i]`` needs
only ``submit[i]``), and with the ``upstream`` weight rule the scheduler advances the chains under way before
it starts new ones (with the default rule every submit runs before the first sensor). The sensor defers to
the triggerer, or with ``deferrable=False`` pokes from the worker slot it holds: the benchmark compares both.
"""

from __future__ import annotations

from pathlib import Path

from airflow_stack import BUCKET

#: Where chain ``i`` of run ``r`` lands its predictions: ``scale/{r}/{i}/predictions.json``.
KEY_PREFIX = "scale"
#: Jobs as Hume runs them: queued a few seconds, then running tens of seconds (the emulator's are all alike),
#: long enough that a sensor started late on a busy machine still finds its job unfinished and defers.
EMULATOR_FLAGS = ("--queue-seconds", "5", "--run-seconds", "40")
POKE_INTERVAL = 5
SENSOR_TIMEOUT = 900
DAG_SOURCE = """
from datetime import datetime

from airflow.sdk import DAG, task_group

from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.sensors.job import HumeJobSensor
from airflow_provider_hume.transfers import HumePredictionsToS3Operator

TEXTS = [[f"Message {{number}}: the parcel came late, support sorted it out."] for number in range({chains})]

with DAG(
    "{dag_id}",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={{"weight_rule": "upstream"}},
):

    @task_group
    def chain(text):
        submit = HumeBatchSubmitOperator(task_id="submit", text=text, models={{"language": {{}}}})
        wait = HumeJobSensor(
            task_id="wait",
            job_id=submit.output,
            deferrable={deferrable},
            poke_interval={poke_interval},
            timeout={timeout},
        )
        transfer = HumePredictionsToS3Operator(
            task_id="transfer",
            job_id=submit.output,
            s3_bucket="{bucket}",
            s3_key="{prefix}/{{{{ run_id }}}}/{{{{ ti.map_index }}}}/predictions.json",
            replace=True,
        )
        submit >> wait >> transfer

    chain.expand(text=TEXTS)
"""


def write_scale_dag(folder: Path, chains: int, *, deferrable: bool) -> str:
    """Write the DAG of ``chains`` chains into ``folder``; return its id."""
    name = "hume_scale_deferrable" if deferrable else "hume_scale_poke"
    source = DAG_SOURCE.format(
        dag_id=name,
        chains=chains,
        deferrable=deferrable,
        poke_interval=POKE_INTERVAL,
        timeout=SENSOR_TIMEOUT,
        bucket=BUCKET,
        prefix=KEY_PREFIX,
    )
    (folder / f"{name}.py").write_text(source)
    return name
