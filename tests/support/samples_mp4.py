"""Small, valid MP4/M4A files: a video track, an AAC audio track, or both.

The boxes (``ftyp``, ``moov`` with one ``trak`` per track, ``mdat``) carry exact durations, sizes, frame
counts and sample tables, so container readers (mutagen, ffprobe, the emulator's probe) see a real movie.
Every audio sample is the same silent AAC-LC frame (one single-channel element of zeros, then END), which
FFmpeg decodes; video samples are zero bytes: the pictures are not decodable, only their count and size count.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace

AAC_FRAME_SAMPLES = 1024
SILENT_AAC_FRAME = bytes((0x01, 0x40, 0x20, 0x07))
_TIMESCALE = 1000
_VIDEO_TIMESCALE = 90000
_VIDEO_SAMPLE = bytes(8)
_IDENTITY_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


@dataclass(frozen=True)
class _Track:
    handler: bytes
    timescale: int
    duration: int
    sample_count: int
    sample_delta: int
    sample_entry: bytes
    media_header: bytes
    sample: bytes
    width: int = 0
    height: int = 0


def mp4_bytes(
    seconds: float,
    *,
    video: tuple[int, int, float] | None = (640, 480, 30.0),
    audio_rate: int | None = 44100,
) -> bytes:
    """An MP4 of ``seconds``: a ``video`` track ``(width, height, fps)``, an AAC track at ``audio_rate``.

    ``None`` leaves a track out; with no video track the file is branded ``M4A `` (an ``.m4a`` audio file).
    """
    tracks = []
    if video is not None:
        width, height, fps = video
        frames = max(1, round(seconds * fps))
        delta = round(_VIDEO_TIMESCALE / fps)
        vmhd = _box(b"vmhd", _full(0, 1) + bytes(8))
        entry = _visual_entry(width, height)
        track = _Track(b"vide", _VIDEO_TIMESCALE, frames * delta, frames, delta, entry, vmhd, _VIDEO_SAMPLE)
        tracks.append(replace(track, width=width, height=height))
    if audio_rate is not None:
        samples = max(1, round(seconds * audio_rate / AAC_FRAME_SAMPLES))
        smhd = _box(b"smhd", _full(0, 0) + bytes(4))
        length = samples * AAC_FRAME_SAMPLES
        entry = _audio_entry(audio_rate)
        tracks.append(
            _Track(b"soun", audio_rate, length, samples, AAC_FRAME_SAMPLES, entry, smhd, SILENT_AAC_FRAME)
        )
    if not tracks:
        raise ValueError("an MP4 needs a video or an audio track")
    brand = b"isom" if video is not None else b"M4A "
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 0x200) + brand + b"mp41")
    chunks = [track.sample * track.sample_count for track in tracks]
    first = len(ftyp) + len(_moov(tracks, [0] * len(tracks))) + 8
    offsets = [first + sum(len(chunk) for chunk in chunks[:index]) for index in range(len(tracks))]
    mdat = _box(b"mdat", b"".join(chunks))
    return ftyp + _moov(tracks, offsets) + mdat


def _moov(tracks: list[_Track], offsets: list[int]) -> bytes:
    length_ms = max(round(track.duration * _TIMESCALE / track.timescale) for track in tracks)
    mvhd = _box(
        b"mvhd",
        _full(0, 0) + struct.pack(">IIII", 0, 0, _TIMESCALE, length_ms) + struct.pack(">IH", 0x10000, 0x100)
        + bytes(10) + _IDENTITY_MATRIX + bytes(24) + struct.pack(">I", len(tracks) + 1),
    )  # fmt: skip
    traks = [_trak(index + 1, track, offsets[index]) for index, track in enumerate(tracks)]
    return _box(b"moov", mvhd + b"".join(traks))


def _trak(track_id: int, track: _Track, offset: int) -> bytes:
    volume = 0x100 if track.handler == b"soun" else 0
    length_ms = round(track.duration * _TIMESCALE / track.timescale)
    tkhd = _box(
        b"tkhd",
        _full(0, 3) + struct.pack(">IIIII", 0, 0, track_id, 0, length_ms) + bytes(8)
        + struct.pack(">hhhH", 0, 0, volume, 0) + _IDENTITY_MATRIX
        + struct.pack(">II", track.width << 16, track.height << 16),
    )  # fmt: skip
    mdhd = _box(
        b"mdhd", _full(0, 0) + struct.pack(">IIIIHH", 0, 0, track.timescale, track.duration, 0x55C4, 0)
    )
    name = b"airflow-provider-hume\x00"
    hdlr = _box(b"hdlr", _full(0, 0) + struct.pack(">I4s", 0, track.handler) + bytes(12) + name)
    dinf = _box(b"dinf", _box(b"dref", _full(0, 0) + struct.pack(">I", 1) + _box(b"url ", _full(0, 1))))
    stbl = _box(
        b"stbl",
        _box(b"stsd", _full(0, 0) + struct.pack(">I", 1) + track.sample_entry)
        + _box(b"stts", _full(0, 0) + struct.pack(">III", 1, track.sample_count, track.sample_delta))
        + _box(b"stsc", _full(0, 0) + struct.pack(">IIII", 1, 1, track.sample_count, 1))
        + _box(b"stsz", _full(0, 0) + struct.pack(">II", len(track.sample), track.sample_count))
        + _box(b"stco", _full(0, 0) + struct.pack(">II", 1, offset)),
    )
    minf = _box(b"minf", track.media_header + dinf + stbl)
    return _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + minf))


def _visual_entry(width: int, height: int) -> bytes:
    avcc = _box(b"avcC", bytes((1, 0x42, 0xC0, 0x1E, 0xFF, 0xE0, 0x00)))  # baseline, no parameter sets
    size = struct.pack(">HHIIIH", width, height, 0x480000, 0x480000, 0, 1)  # 72 dpi, one frame per sample
    fields = bytes(6) + struct.pack(">H", 1) + bytes(16) + size + bytes(32) + struct.pack(">Hh", 0x18, -1)
    return _box(b"avc1", fields + avcc)


def _audio_entry(rate: int) -> bytes:
    rates = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)
    config = (2 << 11) | (rates.index(rate) << 7) | (1 << 3)  # AAC LC, rate index, mono
    decoder_specific = _descriptor(0x05, struct.pack(">H", config))
    decoder_config = _descriptor(
        0x04, bytes((0x40, 0x15)) + bytes(3) + struct.pack(">II", 0, 0) + decoder_specific
    )
    es = _descriptor(0x03, struct.pack(">HB", 1, 0) + decoder_config + _descriptor(0x06, b"\x02"))
    fields = bytes(6) + struct.pack(">H", 1) + bytes(8) + struct.pack(">HHHHI", 1, 16, 0, 0, rate << 16)
    return _box(b"mp4a", fields + _box(b"esds", _full(0, 0) + es))


def _descriptor(tag: int, payload: bytes) -> bytes:
    return bytes((tag, len(payload))) + payload


def _full(version: int, flags: int) -> bytes:
    return struct.pack(">I", (version << 24) | flags)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload) + 8) + kind + payload
