"""API-key authentication: header and query forms, and the exact Apigee fault bodies (hume-api-v0.md §8)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from starlette.testclient import TestClient

INVALID = {"fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}
MISSING = {
    "fault": {
        "faultstring": "Failed to resolve API Key variable request.header.X-Hume-Api-Key",
        "detail": {"errorcode": "steps.oauth.v2.FailedToResolveAPIKey"},
    }
}


def test_header_key_is_accepted(anonymous: TestClient, api_key: str) -> None:
    response = anonymous.get("/v0/batch/jobs", headers={"X-Hume-Api-Key": api_key})
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("param", ["apikey", "apiKey", "api_key"])
def test_query_key_forms_are_accepted(anonymous: TestClient, api_key: str, param: str) -> None:
    response = anonymous.get("/v0/batch/jobs", params={param: api_key})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "kwargs",
    [
        {"headers": {"X-Hume-Api-Key": "nope"}},
        {"params": {"apikey": "nope"}},
        {"params": {"api_key": "nope"}},
    ],
)
def test_bad_key_gets_invalid_api_key_fault(anonymous: TestClient, kwargs: dict[str, dict[str, str]]) -> None:
    response = anonymous.get("/v0/batch/jobs", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 401
    assert response.json() == INVALID


def test_missing_key_gets_failed_to_resolve_fault(anonymous: TestClient) -> None:
    response = anonymous.get("/v0/batch/jobs/any")
    assert response.status_code == 401
    assert response.json() == MISSING


def test_empty_header_counts_as_missing(anonymous: TestClient) -> None:
    response = anonymous.get("/v0/batch/jobs", headers={"X-Hume-Api-Key": ""})
    assert response.json() == MISSING


def test_every_route_requires_a_key(anonymous: TestClient) -> None:
    job_id = "00000000-0000-4000-8000-000000000000"
    responses = [
        anonymous.post("/v0/batch/jobs", json={"text": ["hi"]}),
        anonymous.get(f"/v0/batch/jobs/{job_id}"),
        anonymous.get(f"/v0/batch/jobs/{job_id}/predictions"),
        anonymous.get(f"/v0/batch/jobs/{job_id}/artifacts"),
    ]
    assert [response.status_code for response in responses] == [401] * 4
    assert all(response.json() == MISSING for response in responses)


def test_auth_is_checked_before_validation(anonymous: TestClient) -> None:
    response = anonymous.post("/v0/batch/jobs", json={"bogus": 1}, headers={"X-Hume-Api-Key": "nope"})
    assert response.status_code == 401


def test_jobs_are_private_to_their_key(client: TestClient, other_key: str) -> None:
    job_id = client.post("/v0/batch/jobs", json={"text": ["hi"]}).json()["job_id"]
    other = {"X-Hume-Api-Key": other_key}
    assert client.get(f"/v0/batch/jobs/{job_id}", headers=other).status_code == 404
    assert client.get("/v0/batch/jobs", headers=other).json() == []
