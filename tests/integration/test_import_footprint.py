"""What parsing a DAG file loads beyond ``airflow.sdk``: never an HTTP, websocket, media or AWS library.

The dag-processor imports every DAG file again and again; a DAG file imports operators, sensors, transfers
(and through them hooks, triggers and links). None of those imports may load an HTTP or websocket library,
Arrow, Pillow, PyAV or boto: they load when a client is built or a task runs. The assertion is on
``sys.modules``, not on time (``benchmarks/import_cost.py`` measures the time).

One fresh interpreter imports ``airflow.sdk`` once, then forks a child per module or DAG file, so each import
starts from exactly ``airflow.sdk`` and nothing else.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

import airflow_provider_hume

ROOT = Path(__file__).resolve().parents[2]
DAGS = sorted((ROOT / "dags").glob("*.py"))
#: Top-level packages a parse must not load, and what they are.
HEAVY = {
    "aiohttp": "asyncio HTTP",
    "requests": "HTTP",
    "requests_toolbelt": "multipart bodies",
    "urllib3": "HTTP",
    "websockets": "websockets",
    "pyarrow": "Parquet",
    "PIL": "Pillow",
    "av": "PyAV",
    "boto3": "AWS",
    "botocore": "AWS",
    "s3transfer": "AWS",
}
#: Every module of the Airflow layer, plus the client packages it imports names from.
LAYER = ("hooks", "operators", "sensors", "triggers", "transfers", "links")
MODULES = sorted(
    [
        *(f"airflow_provider_hume.{part}" for part in LAYER),
        *(
            info.name
            for part in LAYER
            for info in pkgutil.iter_modules(
                [str(Path(airflow_provider_hume.__file__).parent / part)], f"airflow_provider_hume.{part}."
            )
        ),
        "airflow_provider_hume",
        "airflow_provider_hume._compat",
        "airflow_provider_hume._s3",
        "airflow_provider_hume._source_errors",
        "airflow_provider_hume.client",
        "airflow_provider_hume.client.v1",
        "airflow_provider_hume.client.v1.media",
        "airflow_provider_hume.client.v1.realtime",
    ]
)

CHILD = """
import importlib, json, os, runpy, sys
import airflow.sdk

heavy = set(json.loads(sys.argv[1]))
baseline = set(sys.modules)
results = {}
for target in json.loads(sys.argv[2]):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            if target.endswith(".py"):
                runpy.run_path(target, run_name="hume_dag_parse")
            else:
                importlib.import_module(target)
            new = set(sys.modules) - baseline
            tops = {name.split(".")[0] for name in new}
            answer = {"heavy": sorted(tops & heavy), "new": len(new)}
        except BaseException as err:
            answer = {"error": repr(err)}
        with os.fdopen(write_end, "w") as out:
            json.dump(answer, out)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as answer_in:
        results[target] = json.loads(answer_in.read() or '{"error": "the child said nothing"}')
    os.waitpid(pid, 0)
print(json.dumps(results))
"""


@cache
def footprints() -> dict[str, dict[str, object]]:
    """For each module and DAG file: the heavy modules its import loaded beyond ``airflow.sdk``."""
    targets = [*MODULES, *(str(path) for path in DAGS), "airflow_provider_hume.client.batch"]
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(sorted(HEAVY)), json.dumps(targets)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=300,
    )
    answers: dict[str, dict[str, object]] = json.loads(result.stdout.strip().splitlines()[-1])
    return answers


def test_the_layer_is_found() -> None:
    assert "airflow_provider_hume.operators.batch" in MODULES
    assert "airflow_provider_hume.transfers.hume_to_s3" in MODULES
    assert "airflow_provider_hume.links.job" in MODULES
    assert len(MODULES) >= 25
    assert len(DAGS) >= 3


def test_the_check_sees_a_heavy_import() -> None:
    """The batch client module does load ``requests``: the check would notice if an operator imported it."""
    answer = footprints()["airflow_provider_hume.client.batch"]
    assert "requests" in answer["heavy"], answer  # type: ignore[operator]


@pytest.mark.parametrize("module", MODULES)
def test_importing_loads_no_heavy_library(module: str) -> None:
    answer = footprints()[module]
    assert "error" not in answer, answer
    assert answer["heavy"] == [], f"{module} loads {answer['heavy']} at import"


@pytest.mark.parametrize("dag_file", DAGS, ids=lambda path: path.name)
def test_parsing_an_example_dag_loads_no_heavy_library(dag_file: Path) -> None:
    answer = footprints()[str(dag_file)]
    assert "error" not in answer, answer
    assert answer["heavy"] == [], f"{dag_file.name} loads {answer['heavy']} when parsed"
