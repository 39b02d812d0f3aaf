"""What the v1 SDK scenario checks with: the report, strict re-validation of raw bodies against the
SDK's models, the recording HTTP client, and small helpers shared by both parts."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import time
import types
import typing
from collections.abc import Callable
from typing import Any

import httpx
import pydantic
from hume_expression_measurement import (
    AsyncExpressionMeasurementClient,
    AuthenticationError,
    ErrorBody,
    ExpressionMeasurementClient,
    ExpressionMeasurementClientEnvironment,
    RunEventsPage,
)
from hume_expression_measurement.core.api_error import ApiError
from hume_expression_measurement.errors import NotFoundError

MIN_BILLED_SECONDS = 10.0
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
APPEAR_SECONDS = 5.0  # "a run can take a moment to appear" (hume-api-v1.md §8)


class Report:
    """What the scenario found: problems fail the test, the rest is information."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.extra_fields: set[str] = set()
        self.omitted_optional: set[str] = set()
        self.not_served: list[str] = []
        self.facts: dict[str, Any] = {}

    def check(self, condition: bool, message: str) -> bool:
        if not condition:
            self.problems.append(message)
        return condition

    def summary(self) -> dict[str, Any]:
        return {
            "problems": self.problems,
            "extra_fields": sorted(self.extra_fields),
            "omitted_optional": sorted(self.omitted_optional),
            "not_served": self.not_served,
            "facts": self.facts,
        }


# --- strict re-validation of raw JSON against the SDK's models --------------------------------------------


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _literals(annotation: Any) -> set[Any] | None:
    """The documented values of an (open) enum annotation, or ``None`` when it is not one."""
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return set(typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        found = [_literals(argument) for argument in typing.get_args(annotation)]
        values = [literal for literal in found if literal is not None]
        return set().union(*values) if values else None
    return None


def _rfc3339(raw: Any) -> bool:
    if not isinstance(raw, str) or "T" not in raw:
        return False
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


#: How a raw JSON value must look for each primitive annotation of the SDK's models.
PRIMITIVES: dict[Any, Callable[[Any], bool]] = {
    int: lambda raw: isinstance(raw, int) and not isinstance(raw, bool),
    float: lambda raw: isinstance(raw, (int, float)) and not isinstance(raw, bool),
    str: lambda raw: isinstance(raw, str),
    bool: lambda raw: isinstance(raw, bool),
    dt.datetime: _rfc3339,
}


def _is_model(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, pydantic.BaseModel)


def audit(raw: Any, annotation: Any, where: str, report: Report) -> None:
    """Walk ``raw`` along ``annotation``: undeclared fields, omitted optionals, values outside an enum."""
    annotation = _unwrap(annotation)
    if raw is None:
        return
    literals = _literals(annotation)
    if literals is not None and not isinstance(raw, (dict, list)):
        report.check(
            raw in literals, f"{where}: {raw!r} is not one of the documented values {sorted(literals)}"
        )
        return
    if annotation in PRIMITIVES:
        report.check(PRIMITIVES[annotation](raw), f"{where}: {raw!r} is not a JSON {annotation.__name__}")
        return
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation)
        report.check(isinstance(raw, list), f"{where}: {raw!r} is not a list")
        for value in raw if isinstance(raw, list) else []:
            audit(value, item, f"{where}[]", report)
        return
    if origin in (typing.Union, types.UnionType):
        candidates = [argument for argument in typing.get_args(annotation) if argument is not type(None)]
        models = [candidate for candidate in candidates if _is_model(_unwrap(candidate))]
        if models:
            audit(raw, _pick_model(raw, models), where, report)
        elif len(candidates) == 1:
            audit(raw, candidates[0], where, report)
        return
    if _is_model(annotation):
        if not report.check(isinstance(raw, dict), f"{where}: expected an object, got {raw!r}"):
            return
        declared = {}
        for name, info in annotation.model_fields.items():
            declared[info.alias or name] = info
        for key in raw.keys() - declared.keys():
            report.extra_fields.add(f"{where}.{key}")
        for key, info in declared.items():
            if key in raw:
                audit(raw[key], info.annotation, f"{where}.{key}", report)
            elif not info.is_required():
                report.omitted_optional.add(f"{where}.{key}")


def _pick_model(raw: Any, models: list[Any]) -> Any:
    for model in models:
        try:
            _unwrap(model).model_validate(raw)
        except pydantic.ValidationError:
            continue
        return model
    return models[0]


def revalidate(raw_text: str, model: type[pydantic.BaseModel], where: str, report: Report) -> Any:
    """``model.model_validate`` on the raw JSON, plus :func:`audit`; ``None`` when it does not validate."""
    try:
        raw = json.loads(raw_text)
    except json.JSONDecodeError:
        report.problems.append(f"{where}: body is not JSON: {raw_text[:200]!r}")
        return None
    try:
        parsed = model.model_validate(raw)
    except pydantic.ValidationError as error:
        report.problems.append(f"{where}: does not validate as {model.__name__}: {error}")
        return None
    audit(raw, model, where, report)
    return parsed


# --- clients and helpers shared by both parts ------------------------------------------------------------


class Recorder:
    """An httpx response hook keeping every raw body the SDK received, newest last."""

    def __init__(self) -> None:
        self.responses: list[tuple[str, str, int, str]] = []

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        request = response.request
        path = UUID.sub("{run_id}", request.url.path)
        self.responses.append((request.method, path, response.status_code, response.text))

    def last(self) -> tuple[str, str, int, str]:
        return self.responses[-1]


def http_client(base_url: str, api_key: str, recorder: Recorder) -> ExpressionMeasurementClient:
    ws_url = "ws" + base_url.removeprefix("http")
    return ExpressionMeasurementClient(
        api_key=api_key,
        environment=ExpressionMeasurementClientEnvironment(base=base_url, production=ws_url),
        httpx_client=httpx.Client(timeout=30, event_hooks={"response": [recorder]}),
        max_retries=0,
    )


def revalidate_last(recorder: Recorder, model: type[pydantic.BaseModel], report: Report) -> Any:
    method, path, status, text = recorder.last()
    return revalidate(text, model, f"{method} {path} ({status}) {model.__name__}", report)


def check_scores(scores: list[Any], where: str, report: Report) -> None:
    probabilities = [score.probability for score in scores]
    report.check(all(0 <= p <= 1 for p in probabilities), f"{where}: probability outside 0..1")
    report.check(probabilities == sorted(probabilities, reverse=True), f"{where}: not sorted by probability")
    report.check(all(round(p, 4) == p for p in probabilities), f"{where}: probability not rounded to 4 dp")
    names = [score.name for score in scores]
    report.check(len(names) == len(set(names)), f"{where}: a name appears twice")
    report.check(all(name == name.lower() for name in names), f"{where}: a name is not lowercase")


def expect_error(
    call: Callable[[], Any],
    error_type: type[ApiError],
    code: str | None,
    recorder: Recorder,
    where: str,
    report: Report,
) -> None:
    """``call`` must raise ``error_type`` whose body parses, with ``code`` (``None``: the 401 body)."""
    try:
        call()
    except ApiError as error:
        if not report.check(
            isinstance(error, error_type),
            f"{where}: expected {error_type.__name__}, got {type(error).__name__} "
            f"{error.status_code} {str(error.body)[:300]}",
        ):
            return
        model = AuthenticationError if code is None else ErrorBody
        body = revalidate_last(recorder, model, report)
        if body is None:
            return
        if code is not None:
            report.check(body.code == code, f"{where}: code {body.code!r}, expected {code!r}")
            report.check(body.type == "error", f"{where}: type {body.type!r}")
            report.check(bool(body.request_id), f"{where}: no request_id")
        else:
            raw = json.loads(recorder.last()[3])
            report.check(
                "type" not in raw and "code" not in raw, f"{where}: the 401 body has type/code: {raw}"
            )
            report.check(bool(raw.get("request_id")), f"{where}: a rejected API key's 401 has no request_id")
        return
    except Exception as error:
        report.problems.append(
            f"{where}: expected {error_type.__name__}, got {type(error).__name__}: {str(error)[:300]}"
        )
        return
    report.problems.append(f"{where}: expected {error_type.__name__}, the call succeeded")


def wait_for_run(client: ExpressionMeasurementClient, run_id: str) -> Any:
    deadline = time.monotonic() + APPEAR_SECONDS
    while True:
        try:
            return client.runs.get(run_id)
        except NotFoundError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def guarded(report: Report, name: str, step: Callable[[], Any]) -> None:
    """Run ``step``; an exception it raises is a problem, and the scenario goes on with the next step."""
    try:
        step()
    except Exception as error:
        report.problems.append(f"{name}: {type(error).__name__}: {str(error)[:600]}")


def async_client(base_url: str, api_key: str) -> AsyncExpressionMeasurementClient:
    ws_url = "ws" + base_url.removeprefix("http")
    return AsyncExpressionMeasurementClient(
        api_key=api_key, environment=ExpressionMeasurementClientEnvironment(base=base_url, production=ws_url)
    )


def every_event(
    client: ExpressionMeasurementClient, recorder: Recorder, run_id: str, report: Report, page_size: int = 1
) -> list[Any]:
    """A run's events, ``page_size`` a page, following ``next_cursor`` (hume-api-v1.md §8)."""
    events: list[Any] = []
    cursor = None
    for _ in range(500):
        page = client.runs.list_events(run_id, page_size=page_size, cursor=cursor)
        revalidate_last(recorder, RunEventsPage, report)
        report.check(
            len(page.events) <= page_size, f"list_events {run_id}: {len(page.events)} events on a page"
        )
        events += page.events
        cursor = page.next_cursor
        if cursor is None:
            return events
    report.problems.append(f"list_events {run_id}: still a next_cursor after 500 pages")
    return events
