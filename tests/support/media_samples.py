"""Small audio and video files in every container media preparation reads, encoded on the fly with PyAV.

The audio is speech-like: tone bursts of :data:`BURST_SECONDS` separated by :data:`GAP_SECONDS` of silence, so
the emulator's voice activity detection finds utterances in it. Tones repeat a 100-sample period (441 Hz at
44.1 kHz, 480 Hz at 48 kHz...), built once, so a minute of audio costs no per-sample Python work. Video frames
carry a pattern that moves with the frame number, so consecutive frames differ. Broken files (truncated,
random bytes behind a media name) come last. Every writer takes the target path and returns it.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw

BURST_SECONDS = 0.8
GAP_SECONDS = 0.4
_PERIOD = 100  # samples per tone period, whatever the rate
_AMPLITUDE = 9000
_FRAME_SAMPLES = 1024


def _period(channels: int) -> bytes:
    """One tone period, s16 interleaved; the right channel (if any) is the left one at half amplitude."""
    out = bytearray()
    for index in range(_PERIOD):
        value = round(_AMPLITUDE * math.sin(2 * math.pi * index / _PERIOD))
        out += struct.pack("<h", value)
        if channels == 2:
            out += struct.pack("<h", value // 2)
    return bytes(out)


def speech_pcm(seconds: float, rate: int, channels: int = 1) -> bytes:
    """``seconds`` of bursts and gaps as s16 interleaved PCM at ``rate`` (exactly ``round(seconds*rate)``)."""
    total = round(seconds * rate)
    cycle = round((BURST_SECONDS + GAP_SECONDS) * rate)
    burst = round(BURST_SECONDS * rate)
    width = 2 * channels
    tone = _period(channels) * (burst // _PERIOD + 1)
    one_cycle = tone[: burst * width] + bytes((cycle - burst) * width)
    return (one_cycle * (total // cycle + 1))[: total * width]


def _frames(pcm: bytes, rate: int, channels: int) -> Iterator[av.AudioFrame]:
    """``pcm`` (s16 interleaved) as PyAV frames of :data:`_FRAME_SAMPLES` samples, with timestamps."""
    layout = "stereo" if channels == 2 else "mono"
    width = 2 * channels
    for start in range(0, len(pcm), _FRAME_SAMPLES * width):
        block = pcm[start : start + _FRAME_SAMPLES * width]
        frame = av.AudioFrame(format="s16", layout=layout, samples=len(block) // width)
        frame.planes[0].update(block + bytes(frame.planes[0].buffer_size - len(block)))
        frame.sample_rate = rate
        frame.pts = start // width
        frame.time_base = Fraction(1, rate)
        yield frame


def write_audio(
    path: Path,
    seconds: float,
    *,
    codec: str,
    rate: int,
    channels: int = 1,
    container: str | None = None,
    options: dict[str, str] | None = None,
) -> Path:
    """Encode ``seconds`` of speech-like audio with ``codec`` into ``path`` (container from its suffix)."""
    layout = "stereo" if channels == 2 else "mono"
    with av.open(str(path), "w", format=container) as output:
        stream = output.add_stream(codec, rate=rate, layout=layout, options=options)
        _encode_audio(output, stream, speech_pcm(seconds, rate, channels), rate, channels)
    return path


def _encode_audio(
    output: av.container.OutputContainer, stream: av.AudioStream, pcm: bytes, rate: int, channels: int
) -> None:
    context = stream.codec_context
    resampler = av.AudioResampler(
        format=context.format, layout=context.layout, rate=rate, frame_size=context.frame_size or None
    )
    for frame in _frames(pcm, rate, channels):
        for ready in resampler.resample(frame):
            output.mux(stream.encode(ready))
    for ready in resampler.resample(None):
        output.mux(stream.encode(ready))
    output.mux(stream.encode(None))


def mp3(path: Path, seconds: float = 3.0, *, rate: int = 44100, channels: int = 1) -> Path:
    return write_audio(path, seconds, codec="libmp3lame", rate=rate, channels=channels)


def m4a(path: Path, seconds: float = 3.0, *, rate: int = 44100, channels: int = 2) -> Path:
    return write_audio(path, seconds, codec="aac", rate=rate, channels=channels, container="mp4")


def flac(path: Path, seconds: float = 3.0, *, rate: int = 48000, channels: int = 1) -> Path:
    return write_audio(path, seconds, codec="flac", rate=rate, channels=channels)


def ogg_vorbis(path: Path, seconds: float = 3.0, *, rate: int = 44100) -> Path:
    """FFmpeg's own Vorbis encoder: stereo only, and marked experimental."""
    options = {"strict": "experimental"}
    return write_audio(path, seconds, codec="vorbis", rate=rate, channels=2, container="ogg", options=options)


def ogg_opus(path: Path, seconds: float = 3.0) -> Path:
    return write_audio(path, seconds, codec="libopus", rate=48000, channels=1, container="ogg")


def wav(path: Path, seconds: float = 3.0, *, rate: int = 16000, channels: int = 1) -> Path:
    """A plain (``WAVE_FORMAT_PCM``) s16 WAV, written by hand: the fast path when 16 kHz mono."""
    pcm = speech_pcm(seconds, rate, channels)
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * 2 * channels, 2 * channels, 16)
    path.write_bytes(_riff([(b"fmt ", fmt), (b"data", pcm)]))
    return path


def wav_extensible(path: Path, seconds: float = 3.0, *, rate: int = 16000) -> Path:
    """16 kHz mono s16 behind a ``WAVE_FORMAT_EXTENSIBLE`` header: Hume refuses it (hume-api-v1.md §4.1)."""
    pcm = speech_pcm(seconds, rate, 1)
    pcm_guid = bytes.fromhex("0100000000001000800000aa00389b71")
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 1, rate, rate * 2, 2, 16, 22, 16, 0x4) + pcm_guid
    path.write_bytes(_riff([(b"fmt ", fmt), (b"data", pcm)]))
    return path


def wav_float(path: Path, seconds: float = 3.0, *, rate: int = 22050) -> Path:
    """A 32-bit float WAV (``WAVE_FORMAT_IEEE_FLOAT``) with a ``LIST`` chunk before its data."""
    pcm = speech_pcm(seconds, rate, 1)
    samples = struct.unpack(f"<{len(pcm) // 2}h", pcm)
    data = struct.pack(f"<{len(samples)}f", *(value / 32768 for value in samples))
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    path.write_bytes(_riff([(b"fmt ", fmt), (b"LIST", b"INFOISFT\x04\x00\x00\x00hume"), (b"data", data)]))
    return path


def _riff(chunks: list[tuple[bytes, bytes]]) -> bytes:
    body = b"".join(tag + struct.pack("<I", len(data)) + data + bytes(len(data) % 2) for tag, data in chunks)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def pattern_frame(index: int, width: int, height: int) -> Image.Image:
    """A frame whose bright square moves with ``index`` over a background whose shade changes too."""
    image = Image.new("RGB", (width, height), (20 + (index * 7) % 200, 40, 90))
    side = max(4, min(width, height) // 4)
    left = (index * 5) % max(1, width - side)
    ImageDraw.Draw(image).rectangle((left, height // 3, left + side, height // 3 + side), fill=(240, 220, 30))
    return image


def mp4(
    path: Path,
    seconds: float = 3.0,
    *,
    fps: int = 10,
    size: tuple[int, int] = (96, 64),
    audio: bool = False,
    audio_seconds: float | None = None,
    codec: str = "mpeg4",
) -> Path:
    """A video of :func:`pattern_frame` frames at ``fps``, with ``audio_seconds`` (all of it by default) of
    speech-like AAC audio when ``audio``."""
    width, height = size
    with av.open(str(path), "w") as output:
        video = output.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        sound = output.add_stream("aac", rate=44100, layout="mono") if audio else None
        for index in range(round(seconds * fps)):
            frame = av.VideoFrame.from_image(pattern_frame(index, width, height))  # type: ignore[no-untyped-call]
            frame.pts = index
            output.mux(video.encode(frame))
        output.mux(video.encode(None))
        if sound is not None:
            pcm = speech_pcm(seconds if audio_seconds is None else audio_seconds, 44100, 1)
            _encode_audio(output, sound, pcm, 44100, 1)
    return path


def truncated(source: Path, path: Path, fraction: float = 0.5) -> Path:
    """The first ``fraction`` of ``source``'s bytes, as if a copy had stopped half way."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def random_bytes(path: Path, size: int = 20_000, seed: int = 7) -> Path:
    """``size`` bytes of noise behind whatever name ``path`` has (``.mp3``, ``.jpg``...)."""
    state = seed
    out = bytearray()
    while len(out) < size:
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        out += state.to_bytes(8, "little")
    path.write_bytes(bytes(out[:size]))
    return path


def fill(path: Path, size: int) -> Path:
    """A file of ``size`` zero bytes (sparse where the file system allows)."""
    with path.open("wb") as out:
        out.truncate(size)
    return path
