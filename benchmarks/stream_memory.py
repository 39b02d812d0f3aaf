"""
Peak memory of streaming a long WAV file: a one-minute baseline against one hour, in fresh processes.

Two measurements per length: the chunker alone (``iter_wav_chunks`` reading 5 s chunks), and the whole path
the operator takes for one file (``analyze_file`` over a websocket to the emulator, prosody and burst, the
stitched result written as one JSON Lines record). The emulator runs in its own process, so only the
client side is measured. Peak RSS comes from ``resource.getrusage`` in each child.
Run: ``.venv/bin/python benchmarks/stream_memory.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _report import print_growth, run_child

from airflow_provider_hume.emulator.process import emulator_process

RATE = 16_000
MIB = 1024 * 1024


def make_wav(path: Path, minutes: int) -> Path:
    """Mono 16-bit noise (silence would get no predictions), written 1 MiB at a time."""
    block = os.urandom(MIB)
    remaining = minutes * 60 * RATE * 2
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        while remaining > 0:
            writer.writeframes(block[: min(MIB, remaining)])
            remaining -= MIB
    return path


def _chunker(path: str) -> dict[str, float]:
    from airflow_provider_hume.client import iter_wav_chunks

    chunks = sent = 0
    for chunk in iter_wav_chunks(path):
        chunks += 1
        sent += len(chunk.data)
    return {"chunks": chunks, "mib_read": sent / MIB}


def _stream(path: str, url: str, key: str) -> dict[str, float]:
    from airflow_provider_hume.client import HumeStreamClient, coerce_stream_models
    from airflow_provider_hume.client.stream_pool import analyze_file
    from airflow_provider_hume.client.stream_stitch import write_result_line

    async def go() -> dict[str, float]:
        models = coerce_stream_models({"prosody": {}, "burst": {}})
        async with HumeStreamClient(key, url).connect() as socket:
            result = await analyze_file(socket, path, models)
        with result, tempfile.TemporaryFile("w+", encoding="utf-8") as out:
            write_result_line(out, index=0, input_id=path, result=result)
            return {"payloads": result.payloads, "jsonl_mib": out.tell() / MIB}

    return asyncio.run(go())


def _child(mode: str, path: str, url: str, key: str) -> None:
    started = time.monotonic()
    figures = _chunker(path) if mode == "chunker" else _stream(path, url, key)
    figures["seconds"] = time.monotonic() - started
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def _measure(mode: str, path: Path, url: str, key: str) -> dict[str, float]:
    return run_child(__file__, mode, str(path), url, key)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="hume-stream-mem-") as tmp, emulator_process() as emulator:
        files = {
            "1 min": make_wav(Path(tmp) / "short.wav", 1),
            "60 min": make_wav(Path(tmp) / "long.wav", 60),
        }
        for mode in ("chunker", "stream"):
            runs = {
                label: _measure(mode, path, emulator.url, emulator.api_key) for label, path in files.items()
            }
            print_growth(mode, runs, "WAV", "60x the audio")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", nargs=4, metavar=("MODE", "PATH", "URL", "KEY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
    else:
        main()
