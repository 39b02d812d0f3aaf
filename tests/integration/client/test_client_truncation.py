"""Predictions and artifacts through a fault-injecting proxy in front of the emulator: a body that does not
arrive whole raises ``HumeConnectionError`` before the stream reports EOF; one passed through is intact."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_hume.client import HumeBatchClient, HumeConnectionError, JobRequest, JobStatus
from airflow_provider_hume.client.body_framing import HEAD_BYTES, Verification
from airflow_provider_hume.emulator.admin_client import EmulatorAdmin
from tests.support import fault_proxy as proxies
from tests.support.fault_proxy import (
    FaultProxy,
    drop_mid_body,
    echo_key,
    end_chunked_early,
    end_early,
    status_after_upstream,
)
from tests.support.transfer_bodies import completed_job, direct_body

fault_proxy = proxies.fault_proxy

KINDS = ("predictions", "artifacts")
PAD_BYTES = 3_000_000


@pytest.fixture(scope="module")
def job_id(emulator: Any) -> str:
    return completed_job(emulator, ["What a wonderful surprise!", "This is awful."])


@pytest.fixture
def client(emulator: Any, fault_proxy: FaultProxy) -> Iterator[HumeBatchClient]:
    with HumeBatchClient(emulator.api_key, fault_proxy.url, sleep=lambda _: None) as hume:
        yield hume


def read(client: HumeBatchClient, job_id: str, kind: str, *, verify: Verification = "unframed") -> bytes:
    opener = client.open_predictions if kind == "predictions" else client.open_artifacts
    with opener(job_id, verify=verify) as stream:
        return stream.read()


@pytest.mark.parametrize("kind", KINDS)
def test_a_body_passed_through_arrives_byte_identical(
    emulator: Any,
    client: HumeBatchClient,
    fault_proxy: FaultProxy,
    job_id: str,
    kind: str,
) -> None:
    assert read(client, job_id, kind) == direct_body(emulator, job_id, kind)
    assert fault_proxy.requests == [("GET", f"/v0/batch/jobs/{job_id}/{kind}")]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fraction", [0.05, 0.6, 0.97])
def test_a_body_without_length_that_ends_early_raises(
    emulator: Any,
    client: HumeBatchClient,
    fault_proxy: FaultProxy,
    job_id: str,
    kind: str,
    fraction: float,
) -> None:
    whole = direct_body(emulator, job_id, kind)
    rule = fault_proxy.inject(
        "GET", rf"/v0/batch/jobs/[^/]+/{kind}", end_early(fraction=fraction, keep_length=False)
    )
    with pytest.raises(HumeConnectionError) as info:
        read(client, job_id, kind)
    cut = int(len(whole) * fraction)
    assert info.value.message.startswith(f"The {kind} of Hume job {job_id} did not arrive whole: ")
    assert f"({cut:,} bytes received, no length announced)" in info.value.message
    assert emulator.api_key not in info.value.message
    assert rule.hits == 1
    assert read(client, job_id, kind) == whole, "the fault hit one request only"


@pytest.mark.parametrize("kind", KINDS)
def test_a_body_shorter_than_its_content_length_raises(
    emulator: Any,
    client: HumeBatchClient,
    fault_proxy: FaultProxy,
    job_id: str,
    kind: str,
) -> None:
    whole = direct_body(emulator, job_id, kind)
    fault_proxy.inject("GET", rf"/v0/batch/jobs/[^/]+/{kind}", end_early(fraction=0.6, keep_length=True))
    with pytest.raises(HumeConnectionError) as info:
        read(client, job_id, kind, verify="never")  # the length alone catches it, whatever the format check
    cut = int(len(whole) * 0.6)
    assert "the connection broke off (ProtocolError: Connection broken: IncompleteRead" in info.value.message
    assert f"({cut:,} of {len(whole):,} bytes received)" in info.value.message


@pytest.mark.parametrize("kind", KINDS)
def test_a_chunked_body_broken_off_before_its_last_chunk_raises(
    client: HumeBatchClient,
    fault_proxy: FaultProxy,
    job_id: str,
    kind: str,
) -> None:
    """HTTP proves a chunked body whole by its last chunk: without it, the read raises whatever the check."""
    broken_off = end_chunked_early(fraction=0.6, last_chunk=False)
    fault_proxy.inject("GET", rf"/v0/batch/jobs/[^/]+/{kind}", broken_off)
    with pytest.raises(HumeConnectionError) as info:
        read(client, job_id, kind, verify="never")
    assert info.value.message.startswith(
        f"The {kind} of Hume job {job_id} did not arrive whole: the connection broke off (ProtocolError: "
        "Connection broken: IncompleteRead"
    )
    assert info.value.message.endswith(" bytes received, no length announced).")


@pytest.mark.parametrize("kind", KINDS)
def test_a_chunked_body_ended_early_on_purpose_needs_the_whole_check(
    emulator: Any,
    client: HumeBatchClient,
    fault_proxy: FaultProxy,
    padded_job: str,
    kind: str,
) -> None:
    """A server that sends the last chunk after a cut: HTTP sees a whole body, so the default check, which
    reads only the head of a framed body, lets it through; ``verify="always"`` refuses it."""
    whole = direct_body(emulator, padded_job, kind)
    cut = len(whole) // 2
    assert cut > HEAD_BYTES
    path = rf"/v0/batch/jobs/[^/]+/{kind}"
    fault_proxy.inject("GET", path, end_chunked_early(cut, last_chunk=True), times=2)
    assert read(client, padded_job, kind) == whole[:cut]
    with pytest.raises(HumeConnectionError) as info:
        read(client, padded_job, kind, verify="always")
    assert info.value.message.startswith(
        f"The {kind} of Hume job {padded_job} did not arrive whole: the body ended early or is damaged: "
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_framed_error_page_sent_with_200_fails_the_head_check(
    emulator: Any,
    client: HumeBatchClient,
    fault_proxy: FaultProxy,
    job_id: str,
    kind: str,
) -> None:
    """An HTML page with a length and a 2xx is not the body asked for: its first bytes say so."""
    fault_proxy.inject("GET", rf"/v0/batch/jobs/[^/]+/{kind}", echo_key(200, json=False))
    with pytest.raises(HumeConnectionError) as info:
        read(client, job_id, kind)
    assert info.value.message.startswith(f"The {kind} of Hume job {job_id} did not arrive whole: ")
    assert emulator.api_key not in info.value.message


@pytest.mark.parametrize("kind", KINDS)
def test_a_connection_reset_mid_body_raises(
    client: HumeBatchClient,
    fault_proxy: FaultProxy,
    job_id: str,
    kind: str,
) -> None:
    fault_proxy.inject("GET", rf"/v0/batch/jobs/[^/]+/{kind}", drop_mid_body(fraction=0.5))
    with pytest.raises(
        HumeConnectionError, match=rf"The {kind} of Hume job {job_id} did not arrive whole: the "
    ):
        read(client, job_id, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_without_the_format_check_a_cut_body_without_length_passes_unnoticed(
    emulator: Any,
    client: HumeBatchClient,
    fault_proxy: FaultProxy,
    job_id: str,
    kind: str,
) -> None:
    """What the check is for: HTTP alone cannot tell a body framed by closing the connection from a cut."""
    whole = direct_body(emulator, job_id, kind)
    fault_proxy.inject("GET", rf"/v0/batch/jobs/[^/]+/{kind}", end_early(fraction=0.6, keep_length=False))
    assert read(client, job_id, kind, verify="never") == whole[: int(len(whole) * 0.6)]


@pytest.fixture
def padded_job(emulator: Any) -> Iterator[str]:
    """A completed job whose artifacts end with a stored ZIP64 ``padding.bin`` of ``PAD_BYTES`` and whose
    predictions end with ``PAD_BYTES`` of padding frames."""
    with (
        EmulatorAdmin(emulator.url, emulator.api_key) as admin,
        admin.faults_injected(artifacts_pad_bytes=PAD_BYTES, predictions_pad_bytes=PAD_BYTES),
    ):
        yield completed_job(emulator, ["What a wonderful surprise!", "This is awful."])


def test_large_streamed_artifacts_are_checked_entry_by_entry(
    emulator: Any,
    client: HumeBatchClient,
    fault_proxy: FaultProxy,
    padded_job: str,
) -> None:
    whole = direct_body(emulator, padded_job, "artifacts")
    assert len(whole) > PAD_BYTES
    with client.open_artifacts(padded_job, verify="always") as stream:
        received = bytearray()
        while chunk := stream.read(1024 * 1024):
            received += chunk
    assert bytes(received) == whole
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        assert archive.testzip() is None

    fault_proxy.inject("GET", r".*/artifacts", end_early(fraction=0.6, keep_length=False))
    with pytest.raises(HumeConnectionError, match=r"inside entry 'padding.bin'"):
        read(client, padded_job, "artifacts")


def test_status_after_upstream_lets_the_server_act_then_answers_another_status(
    emulator: Any,
    client: HumeBatchClient,
    fault_proxy: FaultProxy,
    job_id: str,
) -> None:
    """The proxy's third fault: the emulator answers, the client sees a 502 and retries (the GET is safe)."""
    rule = fault_proxy.inject("GET", r"/v0/batch/jobs/[^/]+", status_after_upstream(502))
    with EmulatorAdmin(emulator.url, emulator.api_key) as admin:
        before = admin.request_count("GET /v0/batch/jobs/{job_id}")
        assert client.get_job_details(job_id).status is JobStatus.COMPLETED
        assert admin.request_count("GET /v0/batch/jobs/{job_id}") == before + 2
    assert rule.hits == 1
    assert fault_proxy.requests == [("GET", f"/v0/batch/jobs/{job_id}")] * 2


def test_the_proxy_relays_request_bodies(client: HumeBatchClient, fault_proxy: FaultProxy) -> None:
    job = client.submit_job(JobRequest.build(text=["Through the proxy"]))
    assert client.get_job_details(job).request["text"] == ["Through the proxy"]
    assert [method for method, _ in fault_proxy.requests] == ["POST", "GET"]
