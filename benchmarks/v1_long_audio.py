"""
Peak memory of preparing a long recording for Hume's ``v1`` audio route: 1 minute against 2 hours, as MP3 and
as WAV, each in a fresh process.

The child runs ``prepare_audio`` (the MP3 is decoded and resampled to a temporary 16 kHz PCM file; the
16 kHz mono WAV takes the fast path, no decoding) and then reads every chunk's WAV body in 64 KiB reads, as an
upload would. Peak RSS comes from ``resource.getrusage`` in each child, so it includes the interpreter and
FFmpeg's libraries. Inputs are generated in a temporary folder: speech-like tone bursts, a 32 kbit/s mono MP3
(29 MB for 2 hours) and a 16 kHz mono s16 WAV (230 MB).
Run: ``.venv/bin/python benchmarks/v1_long_audio.py`` (about two minutes).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import struct
import sys
import tempfile
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _report import print_growth, run_child

RATE = 16000
BLOCK_SECONDS = 6  # bursts of 0.8 s and gaps of 0.4 s repeat every 1.2 s, so 6 s blocks tile exactly


def _block() -> bytes:
    """6 s of 16 kHz mono s16: five cycles of a 0.8 s, 400 Hz burst and 0.4 s of silence."""
    burst = b"".join(
        struct.pack("<h", round(9000 * math.sin(2 * math.pi * 400 * index / RATE)))
        for index in range(int(0.8 * RATE))
    )
    return (burst + bytes(int(0.4 * RATE) * 2)) * 5


def _blocks(seconds: int) -> Iterator[bytes]:
    block = _block()
    for _ in range(seconds // BLOCK_SECONDS):
        yield block


def _write_wav(path: Path, seconds: int) -> Path:
    size = seconds * RATE * 2
    with path.open("wb") as out:
        out.write(b"RIFF" + struct.pack("<I", 36 + size) + b"WAVE")
        out.write(b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, RATE, RATE * 2, 2, 16))
        out.write(b"data" + struct.pack("<I", size))
        for block in _blocks(seconds):
            out.write(block)
    return path


def _write_mp3(path: Path, seconds: int) -> Path:
    import av

    with av.open(str(path), "w") as output:
        stream = output.add_stream("libmp3lame", rate=RATE, layout="mono")
        stream.bit_rate = 32000
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono", rate=RATE)
        pts = 0
        for block in _blocks(seconds):
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(block) // 2)
            frame.planes[0].update(block)
            frame.sample_rate, frame.pts, frame.time_base = RATE, pts, Fraction(1, RATE)
            pts += frame.samples
            for ready in resampler.resample(frame):
                output.mux(stream.encode(ready))
        for ready in resampler.resample(None):
            output.mux(stream.encode(ready))
        output.mux(stream.encode(None))
    return path


def _child(path: str) -> None:
    """Prepare ``path`` and read all its chunks; print the figures as JSON."""
    from airflow_provider_hume.client.v1.media import prepare_audio

    started = time.monotonic()
    read = 0
    with prepare_audio(path, Path(path).name) as prepared:
        prepared_at = time.monotonic()
        chunks = 0
        for chunk in prepared.chunks():
            chunks += 1
            with chunk.part.open() as stream:
                while block := stream.read(64 * 1024):
                    read += len(block)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {
        "peak_rss_mib": peak_kib / 1024,
        "audio_s": prepared.duration_ms / 1000,
        "chunks": chunks,
        "chunk_mib_read": read / 2**20,
        "prepare_s": prepared_at - started,
        "seconds": time.monotonic() - started,
    }
    print(json.dumps(figures))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="hume-v1-audio-bench-") as tmp:
        folder = Path(tmp)
        for kind, write in (("mp3", _write_mp3), ("wav", _write_wav)):
            short = write(folder / f"one-minute.{kind}", 60)
            long = write(folder / f"two-hours.{kind}", 2 * 3600)
            runs = {"1 min": run_child(__file__, str(short)), "2 h": run_child(__file__, str(long))}
            print_growth(f"prepare_audio {kind}", runs, kind, "120x the audio")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=1, metavar="PATH")
    args = parser.parse_args()
    if args.child:
        _child(args.child[0])
    else:
        main()
