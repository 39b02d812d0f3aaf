"""The polled routes answered straight from the middleware stack (issue 12): the same responses and counters
as through the router, and the route matched once while no request fault is in force."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

import pytest
from starlette.routing import Route

from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.app import create_app
from airflow_provider_hume.emulator.http.direct import DirectRoutes

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from tests.unit.emulator.conftest import API_KEY

if TYPE_CHECKING:
    from tests.unit.emulator.conftest import FakeClock

DETAILS = "GET /v0/batch/jobs/{job_id}"


@pytest.fixture
def routed(state: EmulatorState) -> Iterator[TestClient]:
    """A client of the app without :class:`DirectRoutes`: every request goes through the router."""
    app = create_app(state)
    app.user_middleware = [
        entry for entry in app.user_middleware if cast(object, entry.cls) is not DirectRoutes
    ]
    with TestClient(app, headers={"X-Hume-Api-Key": API_KEY}) as test_client:
        yield test_client


def exchange(client: TestClient, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, str], bytes]:
    response = client.request(method, path, **kwargs)
    headers = {
        name: response.headers[name]
        for name in ("content-type", "content-length", "allow")
        if name in response.headers
    }
    return response.status_code, headers, response.content


def test_direct_answers_are_the_router_answers(
    client: TestClient, routed: TestClient, submit: Callable[..., str], clock: FakeClock
) -> None:
    job_ids = [submit(text=[f"job {index}"]) for index in range(3)]
    clock.advance(1.5)
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"/v0/batch/jobs/{job_ids[0]}", {}),
        ("GET", "/v0/batch/jobs/not-a-job", {}),
        ("GET", f"/v0/batch/jobs/{job_ids[0]}", {"headers": {"X-Hume-Api-Key": ""}}),
        ("GET", f"/v0/batch/jobs/{job_ids[0]}", {"headers": {"X-Hume-Api-Key": "nope"}}),
        ("HEAD", f"/v0/batch/jobs/{job_ids[0]}", {}),
        ("GET", "/v0/batch/jobs", {"params": {"limit": 2, "direction": "asc"}}),
        ("GET", "/v0/batch/jobs", {"params": {"limit": "many"}}),
    ]
    for method, path, kwargs in requests:
        assert exchange(client, method, path, **kwargs) == exchange(routed, method, path, **kwargs), path


def test_the_direct_route_is_counted_under_its_template(
    client: TestClient, state: EmulatorState, submit: Callable[..., str]
) -> None:
    job_id = submit(text=["x"])
    assert client.get(f"/v0/batch/jobs/{job_id}").status_code == 200
    assert client.get("/v0/batch/jobs/unknown").status_code == 404
    client.put("/_emulator/faults", json={"latency_ms": 1})  # a fault in force: matched before the decision
    assert client.get(f"/v0/batch/jobs/{job_id}").status_code == 200
    counts = state.request_counts()
    assert counts[(DETAILS, 200)] == 2
    assert counts[(DETAILS, 404)] == 1


def test_the_route_is_matched_once_without_faults(
    client: TestClient, submit: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = submit(text=["x"])
    calls: list[str] = []
    matches = Route.matches

    def counting(self: Route, scope: Any) -> Any:
        calls.append(self.path)
        return matches(self, scope)

    monkeypatch.setattr(Route, "matches", counting)
    assert client.get(f"/v0/batch/jobs/{job_id}").status_code == 200
    assert calls.count("/v0/batch/jobs/{job_id}") == 1
