"""Any audio FFmpeg reads, decoded and resampled to 16 kHz mono s16 PCM in a file, packet by packet.

PyAV demuxes the first audio stream, decodes each packet and passes the frames through one ``AudioResampler``
(which also downmixes), and the samples go straight to the output file: memory holds a few frames whatever the
length of the file. The PCM's timeline starts at the first decoded sample (a container's start offset and any
gap between timestamps are not padded with silence).

FFmpeg reads from the Python stream only: a playlist or concat file that names other files or URLs is refused
(:func:`refuse_nested_open`), so a file from a bucket cannot make the worker read its local files or call
URLs. An audio stream shorter than its header declares by more than :data:`TRUNCATION_TOLERANCE_MS` and
:data:`TRUNCATION_TOLERANCE_FRACTION` is refused as truncated (an interrupted copy would otherwise be measured
in part without anyone noticing).
"""

from __future__ import annotations

from typing import IO, Any, BinaryIO

from airflow_provider_hume.client.errors import truncate
from airflow_provider_hume.client.v1.limits import SAMPLE_RATE, SAMPLE_WIDTH
from airflow_provider_hume.client.v1.media._deps import require_av
from airflow_provider_hume.client.v1.media.errors import MediaInputError

IO_BUFFER_BYTES = 256 * 1024
TRUNCATION_TOLERANCE_MS = 1000
TRUNCATION_TOLERANCE_FRACTION = 0.05


class NestedOpenRefused(OSError):
    """FFmpeg asked to open another file or URL named inside the media."""


def refuse_nested_open(url: str, flags: int, options: dict[str, Any]) -> Any:
    """PyAV's ``io_open`` hook: no demuxer may open anything beyond the stream it was given."""
    raise NestedOpenRefused("it refers to other files or URLs (a playlist?), which are not opened")


def said(error: BaseException) -> str:
    """What FFmpeg said (its error text, without the errno number), shortened."""
    text = getattr(error, "strerror", None) or str(error)
    return truncate(str(text), 300)


def decode_to_pcm(media: BinaryIO, out: IO[bytes], name: str) -> int:
    """Write the first audio stream of the stream ``media`` to ``out`` as raw 16 kHz mono s16.

    ``media`` is a Python stream, never a path (FFmpeg would read a name like ``concat:...`` as a protocol).

    Returns the number of samples written. Raises :class:`MediaInputError` when the file cannot be read as
    media, has no audio stream, holds no audio, or is shorter than its header declares.
    """
    require_av(name, "decoding audio to 16 kHz mono")
    import av

    try:
        container = av.open(media, "r", buffer_size=IO_BUFFER_BYTES, io_open=refuse_nested_open)
    except (av.error.FFmpegError, OSError) as error:  # PyAV's own I/O raises OSError on an empty stream
        raise MediaInputError(name, f"cannot be read as audio or video (FFmpeg: {said(error)})") from error
    with container:
        if not container.streams.audio:
            kinds = ", ".join(stream.type for stream in container.streams) or "none"
            raise MediaInputError(name, f"has no audio stream (streams: {kinds})")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        samples = 0
        try:
            for packet in container.demux(stream):
                for frame in packet.decode():
                    samples += _write(resampler.resample(frame), out)
            samples += _write(resampler.resample(None), out)
        except (av.error.FFmpegError, OSError) as error:
            seconds = samples / SAMPLE_RATE
            raise MediaInputError(
                name, f"could not be decoded after {seconds:.1f} s of audio (FFmpeg: {said(error)})"
            ) from error
        if not samples:
            raise MediaInputError(name, "holds no audio (its audio stream decodes to no samples)")
        if stream.duration is not None and stream.time_base is not None:
            _check_complete(name, samples, int(stream.duration * stream.time_base * 1000))
    return samples


def _write(frames: list[Any], out: IO[bytes]) -> int:
    written = 0
    for frame in frames:
        size = frame.samples * SAMPLE_WIDTH
        out.write(memoryview(frame.planes[0])[:size])
        written += frame.samples
    return written


def _check_complete(name: str, samples: int, declared_ms: int) -> None:
    """Refuse audio much shorter than its stream's declared duration (the audio stream's own: a video track
    that runs longer does not count)."""
    decoded_ms = samples * 1000 // SAMPLE_RATE
    missing = declared_ms - decoded_ms
    if missing > TRUNCATION_TOLERANCE_MS and missing > declared_ms * TRUNCATION_TOLERANCE_FRACTION:
        raise MediaInputError(
            name,
            f"looks truncated: it decodes to {decoded_ms / 1000:.1f} s of audio but its header declares "
            f"{declared_ms / 1000:.1f} s; check that the file was copied completely",
        )
