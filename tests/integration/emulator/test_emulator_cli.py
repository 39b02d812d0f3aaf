"""The ``hume-emulator`` CLI: startup line, keys from flags/env or generated, clean exit on SIGTERM/SIGINT."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
import requests

from airflow_provider_hume.emulator.cli import main

STARTUP = re.compile(r"^Hume emulator listening on (http://127\.0\.0\.1:(\d+))$")
LINE_TIMEOUT_SECONDS = 30.0
EXIT_TIMEOUT_SECONDS = 15.0


def read_line(stream: IO[str]) -> str:
    """The next line of ``stream``, failing the test if none arrives in time."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=LINE_TIMEOUT_SECONDS).rstrip("\n")
    except queue.Empty:
        pytest.fail("the emulator printed nothing in time")


def start(
    args: list[str], env_keys: str | None = None, command: list[str] | None = None
) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if key != "HUME_EMULATOR_API_KEYS"}
    if env_keys is not None:
        env["HUME_EMULATOR_API_KEYS"] = env_keys
    base = command or [sys.executable, "-m", "airflow_provider_hume.emulator"]
    return subprocess.Popen(
        [*base, "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Started processes; any still running at the end is killed."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def listening_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    match = STARTUP.match(read_line(process.stdout))
    assert match is not None
    assert int(match.group(2)) > 0
    return match.group(1)


def status_with_key(url: str, key: str) -> int:
    return requests.get(f"{url}/v0/batch/jobs", headers={"X-Hume-Api-Key": key}, timeout=10).status_code


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(
    processes: list[subprocess.Popen[str]], stop_signal: signal.Signals
) -> None:
    process = start(["--api-key", "flag-key", "--api-key", "second-key"], env_keys="env-key-1, env-key-2")
    processes.append(process)
    url = listening_url(process)
    for key in ("flag-key", "second-key", "env-key-1", "env-key-2"):
        assert status_with_key(url, key) == 200
    assert status_with_key(url, "other") == 401
    process.send_signal(stop_signal)
    assert process.wait(timeout=EXIT_TIMEOUT_SECONDS) == 0
    assert process.stdout is not None
    assert process.stdout.read() == ""
    assert process.stderr is not None
    assert "flag-key" not in process.stderr.read()


def test_cli_generates_and_prints_a_key_when_none_is_given(processes: list[subprocess.Popen[str]]) -> None:
    process = start(["--queue-seconds", "0", "--run-seconds", "0"])
    processes.append(process)
    url = listening_url(process)
    assert process.stderr is not None
    generated = re.fullmatch(r"Generated API key: ([A-Za-z0-9]{48})", read_line(process.stderr))
    assert generated is not None
    assert status_with_key(url, generated.group(1)) == 200
    process.terminate()
    assert process.wait(timeout=EXIT_TIMEOUT_SECONDS) == 0


def test_console_script(processes: list[subprocess.Popen[str]]) -> None:
    script = Path(sys.executable).with_name("hume-emulator")
    if not script.exists():
        pytest.skip("hume-emulator is not installed next to this interpreter")
    process = start(["--api-key", "k"], command=[str(script)])
    processes.append(process)
    assert status_with_key(listening_url(process), "k") == 200
    process.terminate()
    assert process.wait(timeout=EXIT_TIMEOUT_SECONDS) == 0


def test_cli_refuses_non_loopback_hosts(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--host", "0.0.0.0", "--api-key", "k"])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert "loopback" in captured.err
    assert captured.out == ""


def test_cli_flags_reach_the_server(processes: list[subprocess.Popen[str]]) -> None:
    flags = ["--api-key", "k", "--job-details-shape", "2022", "--error-rate", "1", "--error-statuses", "502",
             "--fault-route", "GET /v0/batch/jobs", "--fault-times", "1", "--seed", "5"]  # fmt: skip
    process = start(flags)
    processes.append(process)
    url = listening_url(process)
    assert [status_with_key(url, "k") for _ in range(2)] == [502, 200]
    headers = {"X-Hume-Api-Key": "k"}
    job_id = requests.post(f"{url}/v0/batch/jobs", json={"text": ["x"]}, headers=headers, timeout=10).json()
    details = requests.get(f"{url}/v0/batch/jobs/{job_id['job_id']}", headers=headers, timeout=10).json()
    assert details["status"] == "QUEUED"
    assert "creation_timestamp" in details
    process.terminate()
    assert process.wait(timeout=EXIT_TIMEOUT_SECONDS) == 0
