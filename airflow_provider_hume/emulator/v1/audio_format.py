"""What an audio upload holds (hume-api-v1.md §5): the server sniffs the bytes and ignores the declared type.

* MP3 (an ID3 tag or an MPEG audio frame header), FLAC, Ogg, MP4/M4A (``ftyp``) and RIFF files other than
  WAVE are ``unsupported_media_type``;
* a WAV must be PCM (format tag 1, not the extensible header), 16 kHz, mono, 16-bit, with its ``fmt`` chunk
  before a complete ``data`` chunk, else ``audio_decode_failed``;
* anything else is headerless s16le samples;
* no samples at all, or an odd number of bytes of them, is ``audio_decode_failed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Final, Literal

from airflow_provider_hume.emulator.v1.errors import V1Error

SNIFF_BYTES: Final = 12
WAVE_FORMAT_PCM: Final = 1
WAVE_FORMAT_EXTENSIBLE: Final = 0xFFFE
EXPECTED: Final = "send 16 kHz mono 16-bit PCM"


@dataclass(frozen=True)
class PcmSpan:
    """Where the samples are in the upload."""

    container: Literal["wav", "raw"]
    offset: int
    size: int

    @property
    def duration_ms(self) -> int:
        return self.size // 32


def unsupported_format(head: bytes) -> str | None:
    """The name of the unsupported container ``head`` (the first bytes) starts, else ``None``."""
    if head.startswith(b"ID3") or _mpeg_frame(head):
        return "MP3"
    if head.startswith(b"fLaC"):
        return "FLAC"
    if head.startswith(b"OggS"):
        return "Ogg"
    if head[4:8] == b"ftyp":
        return "MP4/M4A"
    if head.startswith(b"RIFF") and head[8:12] != b"WAVE":
        return f"RIFF {head[8:12].decode('latin-1')!r}"
    return None


def _mpeg_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, a layer, a usable bitrate and sample rate."""
    if len(head) < 3 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    layer = (head[1] >> 1) & 0x3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 0x3
    return layer != 0 and bitrate != 0xF and rate != 0x3


def locate_pcm(upload: IO[bytes], size: int) -> PcmSpan:
    """The samples of an upload of ``size`` bytes; :class:`V1Error` when it is refused."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    unsupported = unsupported_format(head)
    if unsupported is not None:
        raise V1Error(
            "unsupported_media_type",
            f"{unsupported} audio is not supported: {EXPECTED}, as WAV or headerless samples",
        )
    span = _wav_span(upload, size) if head.startswith(b"RIFF") else PcmSpan("raw", 0, size)
    if span.size == 0:
        raise V1Error("audio_decode_failed", "the audio is empty")
    if span.size % 2:
        raise V1Error("audio_decode_failed", f"the audio has an odd number of bytes ({span.size})")
    return span


def _wav_span(upload: IO[bytes], size: int) -> PcmSpan:
    offset = 12
    format_seen = False
    while offset + 8 <= size:
        upload.seek(offset)
        header = upload.read(8)
        chunk_id, chunk_size = header[:4], int.from_bytes(header[4:], "little")
        body = offset + 8
        if chunk_id == b"fmt ":
            _check_format(upload.read(min(chunk_size, 64)), chunk_size)
            format_seen = True
        elif chunk_id == b"data":
            if not format_seen:
                raise V1Error("audio_decode_failed", "malformed WAV: the data chunk comes before fmt")
            if body + chunk_size > size:
                raise V1Error(
                    "audio_decode_failed",
                    f"truncated WAV: the data chunk declares {chunk_size} bytes, {size - body} are present",
                )
            return PcmSpan("wav", body, chunk_size)
        offset = body + chunk_size + chunk_size % 2
    raise V1Error(
        "audio_decode_failed",
        "malformed WAV: no data chunk" if format_seen else "malformed WAV: no fmt chunk",
    )


def _check_format(fmt: bytes, chunk_size: int) -> None:
    if chunk_size < 16 or len(fmt) < 16:
        raise V1Error("audio_decode_failed", "malformed WAV: the fmt chunk is too short")
    tag = int.from_bytes(fmt[0:2], "little")
    channels = int.from_bytes(fmt[2:4], "little")
    rate = int.from_bytes(fmt[4:8], "little")
    bits = int.from_bytes(fmt[14:16], "little")
    if tag == WAVE_FORMAT_EXTENSIBLE:
        raise V1Error("audio_decode_failed", "WAV files with the extensible header are not supported")
    if (tag, channels, rate, bits) != (WAVE_FORMAT_PCM, 1, 16_000, 16):
        raise V1Error(
            "audio_decode_failed",
            f"the WAV is format {tag}, {channels} channel(s), {rate} Hz, {bits}-bit: {EXPECTED}",
        )
