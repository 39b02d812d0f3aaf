"""What official providers do, done here too: templated connection ids, read only once rendered, and the
extras an operator needs checked when it is built (so when its DAG is parsed, before any job is submitted)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import BaseOperator

import airflow_provider_hume
from airflow_provider_hume._s3 import MISSING_AMAZON_PROVIDER, S3_HOOK_MODULE
from airflow_provider_hume.client.v1.rows import PARQUET_EXTRA
from airflow_provider_hume.operators.batch import HumeBatchSubmitOperator
from airflow_provider_hume.operators.measure_audio import HumeMeasureAudioOperator
from airflow_provider_hume.operators.measure_images import HumeMeasureImagesOperator
from airflow_provider_hume.operators.runs_export import HumeRunsToS3Operator
from airflow_provider_hume.operators.stream import HumeStreamOperator
from airflow_provider_hume.sensors.job import HumeJobSensor
from airflow_provider_hume.transfers import HumeArtifactsToS3Operator, HumePredictionsToS3Operator

CONN_IDS = {"hume_conn_id", "aws_conn_id"}
OUT = "s3://bucket/out/calls.jsonl"


def _operator_classes() -> list[type[BaseOperator]]:
    """Every public operator and sensor class the package defines."""
    root = Path(airflow_provider_hume.__file__).parent
    found: dict[str, type[BaseOperator]] = {}
    for part in ("operators", "sensors", "transfers"):
        for info in pkgutil.iter_modules([str(root / part)], f"airflow_provider_hume.{part}."):
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseOperator)
                    and value.__module__ == module.__name__
                    and not name.startswith("_")
                ):
                    found[name] = value
    return sorted(found.values(), key=lambda cls: cls.__name__)


def _conn_parameters(cls: type[BaseOperator]) -> set[str]:
    """The connection ids any ``__init__`` along the class's MRO takes."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is not None:
            names |= set(inspect.signature(init).parameters) & CONN_IDS
    return names


OPERATORS = _operator_classes()


def test_every_operator_is_found() -> None:
    assert {cls.__name__ for cls in OPERATORS} >= {
        "HumeBatchSubmitOperator",
        "HumeStreamOperator",
        "HumeRunsToS3Operator",
        "HumeMeasureAudioOperator",
        "HumeMeasureImagesOperator",
        "HumeJobSensor",
        "HumePredictionsToS3Operator",
        "HumeArtifactsToS3Operator",
    }


@pytest.mark.parametrize("cls", OPERATORS, ids=lambda cls: cls.__name__)
def test_every_connection_id_is_templated(cls: type[BaseOperator]) -> None:
    taken = _conn_parameters(cls)
    assert "hume_conn_id" in taken
    assert taken <= set(cls.template_fields)


BUILT: dict[str, Any] = {
    "submit": lambda **conns: HumeBatchSubmitOperator(task_id="t", text=["hi"], **conns),
    "sensor": lambda **conns: HumeJobSensor(task_id="t", job_id="j", hume_conn_id=conns["hume_conn_id"]),
    "stream": lambda **conns: HumeStreamOperator(task_id="t", texts=["hi"], **conns),
    "runs": lambda **conns: HumeRunsToS3Operator(task_id="t", output_uri=OUT, **conns),
    "audio": lambda **conns: HumeMeasureAudioOperator(
        task_id="t", sources=["a.wav"], output_uri=OUT, **conns
    ),
    "images": lambda **conns: HumeMeasureImagesOperator(
        task_id="t", sources=["a.png"], output_uri=OUT, **conns
    ),
    "predictions": lambda **conns: HumePredictionsToS3Operator(
        task_id="t", job_id="j", s3_bucket="b", s3_key="k", **conns
    ),
    "artifacts": lambda **conns: HumeArtifactsToS3Operator(
        task_id="t", job_id="j", s3_bucket="b", s3_key="k", **conns
    ),
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_jinja_connection_ids_render_before_the_hook_reads_them(name: str) -> None:
    op = BUILT[name](hume_conn_id="hume_{{ params.team }}", aws_conn_id="aws_{{ params.team }}")
    op.render_template_fields({"params": {"team": "research"}})  # type: ignore[arg-type]
    assert op.hume_conn_id == "hume_research"
    assert op.hook.hume_conn_id == "hume_research"
    if hasattr(op, "aws_conn_id"):
        assert op.aws_conn_id == "aws_research"


S3_OPERATORS: dict[str, Any] = {
    "runs": lambda: HumeRunsToS3Operator(task_id="t", output_uri=OUT),
    "audio": lambda: HumeMeasureAudioOperator(task_id="t", sources=["a.wav"], output_uri=OUT),
    "images": lambda: HumeMeasureImagesOperator(task_id="t", sources=["a.png"], output_uri=OUT),
    "predictions": lambda: HumePredictionsToS3Operator(task_id="t", job_id="j", s3_bucket="b", s3_key="k"),
    "artifacts": lambda: HumeArtifactsToS3Operator(task_id="t", job_id="j", s3_bucket="b", s3_key="k"),
    "stream output": lambda: HumeStreamOperator(task_id="t", texts=["hi"], output_s3_key="s3://b/out.jsonl"),
    "stream input": lambda: HumeStreamOperator(task_id="t", files={"call": "s3://b/call.wav"}),
    "submit url": lambda: HumeBatchSubmitOperator(task_id="t", urls=["s3://b/calls/"]),
    "submit file": lambda: HumeBatchSubmitOperator(task_id="t", files="s3://b/call.wav"),
}
NO_S3_OPERATORS: dict[str, Any] = {
    "stream": lambda: HumeStreamOperator(task_id="t", texts=["hi"], files=["{{ params.path }}"]),
    "submit": lambda: HumeBatchSubmitOperator(task_id="t", urls=["https://m.example/a.mp4"], files="{{ x }}"),
    "sensor": lambda: HumeJobSensor(task_id="t", job_id="j"),
}


@pytest.mark.parametrize("name", sorted(S3_OPERATORS))
def test_without_the_amazon_provider_an_operator_using_s3_cannot_be_built(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    S3_OPERATORS[name]()
    monkeypatch.setitem(sys.modules, S3_HOOK_MODULE, None)
    with pytest.raises(ImportError) as error:
        S3_OPERATORS[name]()
    assert str(error.value) == MISSING_AMAZON_PROVIDER


@pytest.mark.parametrize("name", sorted(NO_S3_OPERATORS))
def test_operators_not_told_of_s3_are_built_without_the_amazon_provider(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, S3_HOOK_MODULE, None)
    NO_S3_OPERATORS[name]()


PARQUET_OPERATORS: dict[str, Any] = {
    "predictions": lambda: HumePredictionsToS3Operator(
        task_id="t", job_id="j", s3_bucket="b", s3_key="k", output_format="parquet"
    ),
    "runs": lambda: HumeRunsToS3Operator(task_id="t", output_uri=OUT, output_format="parquet"),
    "audio": lambda: HumeMeasureAudioOperator(
        task_id="t", sources=["a.wav"], output_uri=OUT, output_format="parquet"
    ),
    "images": lambda: HumeMeasureImagesOperator(
        task_id="t", sources=["a.png"], output_uri=OUT, output_format="parquet"
    ),
}


@pytest.mark.parametrize("name", sorted(PARQUET_OPERATORS))
def test_parquet_without_pyarrow_fails_when_the_operator_is_built(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    PARQUET_OPERATORS[name]()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError) as error:
        PARQUET_OPERATORS[name]()
    assert str(error.value) == PARQUET_EXTRA
    assert "pip install 'airflow-provider-hume[parquet]'" in str(error.value)


def test_installed_finds_a_module_without_importing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_provider_hume._extras import installed

    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    assert installed("colorsys")
    assert "colorsys" not in sys.modules
    assert not installed("no_such_package_for_hume")
    assert not installed("no_such_package_for_hume.sub")
    monkeypatch.setitem(sys.modules, "colorsys", None)
    assert not installed("colorsys")
    monkeypatch.delitem(sys.modules, "wsgiref.simple_server", raising=False)
    monkeypatch.setitem(sys.modules, "wsgiref", None)  # a hidden parent hides its modules
    assert not installed("wsgiref.simple_server")
