"""AsyncHumeBatchClient behind an HTTP proxy named by the environment, read once when its pool is created.

The scripted loopback server stands in for the proxy: a request for ``http://hume.invalid/...`` reaches it
only through the proxy setting (the name does not resolve), and arrives in absolute form, as a proxy gets it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from airflow_provider_hume.client import AsyncHumeBatchClient, RetryPolicy

DETAILS = {"job_id": "job-1", "state": {"status": "IN_PROGRESS", "created_timestamp_ms": 1}}
UNRESOLVABLE = "http://hume.invalid:8080"


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.parametrize("share_connections", [True, False])
async def test_the_proxy_in_the_environment_when_the_pool_is_created_is_used(
    server: Any, api_key: str, monkeypatch: pytest.MonkeyPatch, share_connections: bool
) -> None:
    monkeypatch.setenv("HTTP_PROXY", server.url)
    server.reply(200, DETAILS)
    server.reply(200, DETAILS)
    async with AsyncHumeBatchClient(api_key, UNRESOLVABLE, share_connections=share_connections) as hume:
        assert (await hume.get_job_details("job-1")).job_id == "job-1"
        monkeypatch.delenv("HTTP_PROXY")  # read once: the pool keeps the proxy it was created with
        assert (await hume.get_job_details("job-1")).job_id == "job-1"
    assert [received.target for received in server.received] == [f"{UNRESOLVABLE}/v0/batch/jobs/job-1"] * 2
    assert server.received[0].headers["X-Hume-Api-Key"] == api_key


async def test_no_proxy_is_honoured(
    server: Any, api_key: str, closed_port_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", closed_port_url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server.reply(200, DETAILS)
    async with AsyncHumeBatchClient(
        api_key, server.url, share_connections=True, retry_policy=RetryPolicy(max_retries=0)
    ) as hume:
        assert (await hume.get_job_details("job-1")).job_id == "job-1"
    assert [received.target for received in server.received] == ["/v0/batch/jobs/job-1"]


async def test_netrc_never_adds_credentials(
    server: Any, api_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password netrc-secret\ndefault login x password y\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    server.reply(200, DETAILS)
    async with AsyncHumeBatchClient(api_key, server.url, share_connections=True) as hume:
        await hume.get_job_details("job-1")
    assert "Authorization" not in server.received[0].headers
