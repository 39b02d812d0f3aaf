"""
Throughput of the streaming pool: 500 short texts with ``max_connections=1`` against ``max_connections=8``.

Against the emulator started with ``--latency-ms 20``, which holds back every websocket reply by 20 ms, as a
distant Hume would; the emulator without added latency is measured too, for reference. Each run streams
through ``stream_inputs`` and writes JSON Lines to a temporary file, as the operator does.
Run: ``.venv/bin/python benchmarks/stream_throughput.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time

from _figures import figure

from airflow_provider_hume.client import HumeStreamClient, StreamInput, coerce_stream_models, stream_inputs
from airflow_provider_hume.client.stream_pool import InputOutcome
from airflow_provider_hume.client.stream_stitch import write_result_line
from airflow_provider_hume.emulator.process import emulator_process

TEXTS = 500


def run(url: str, key: str, connections: int) -> float:
    """Seconds to stream ``TEXTS`` short texts over ``connections`` sockets into a JSON Lines file."""
    inputs = [
        StreamInput(id=f"t{n}", text=f"Message {n}: thanks, that was quick and kind.") for n in range(TEXTS)
    ]
    models = coerce_stream_models({"language": {}})
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        errors: list[str] = []

        def write(outcome: InputOutcome) -> None:
            write_result_line(
                out,
                index=outcome.index,
                input_id=outcome.input.id,
                result=outcome.result,
                error=outcome.error,
            )
            if outcome.error is not None:
                errors.append(str(outcome.error))

        started = time.monotonic()
        asyncio.run(
            stream_inputs(HumeStreamClient(key, url), inputs, models, write, max_connections=connections)
        )
        elapsed = time.monotonic() - started
    if errors:
        raise RuntimeError(f"{len(errors)} inputs failed, e.g. {errors[0]}")
    return elapsed


def compare(label: str, url: str, key: str) -> None:
    one = min(run(url, key, 1) for _ in range(2))
    eight = min(run(url, key, 8) for _ in range(2))
    print(
        f"{label}: {TEXTS} texts, max_connections=1 {one:.2f} s ({TEXTS / one:.0f}/s), "
        f"max_connections=8 {eight:.2f} s ({TEXTS / eight:.0f}/s), speed-up {one / eight:.1f}x"
    )
    figure(
        f"texts per second, max_connections=8, {label}",
        TEXTS / eight,
        "texts/s",
        baseline=TEXTS / one,
        baseline_name="max_connections=1",
    )


def main(latency_ms: int) -> None:
    with emulator_process("--latency-ms", str(latency_ms)) as emulator:
        compare(f"emulator, {latency_ms} ms added per payload", emulator.url, emulator.api_key)
    with emulator_process() as emulator:
        compare("emulator, no added latency", emulator.url, emulator.api_key)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency-ms", type=int, default=20)
    main(parser.parse_args().latency_ms)
