"""Small, valid MP3, FLAC and Ogg Opus files of silence, written without any encoder.

Each format has a way to encode silence that needs no signal processing: MP3 frames whose side information
is all zero, FLAC frames made of CONSTANT subframes, and Opus packets made of a bare TOC byte (a zero-length
frame, which decoders treat as silence). Headers, frame counts and checksums are exact, so mutagen, ffprobe
and real decoders read the durations asked for. Tests use them to check media probing without binaries.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

MP3_SAMPLE_RATE = 48000
MP3_SAMPLES_PER_FRAME = 1152
# MPEG-1 Layer III, no CRC; 128 kbit/s, 48 kHz, no padding; mono. Every frame is 144 * 128000 / 48000 bytes.
_MP3_HEADER = bytes((0xFF, 0xFB, 0x94, 0xC0))
_MP3_FRAME_BYTES = 384

FLAC_BLOCK_SIZE = 4096
OPUS_FRAME_SAMPLES = 960  # 20 ms at the 48 kHz Opus clock
_OPUS_PRE_SKIP = 312
_OPUS_SILENT_PACKET = bytes((0xF8,))  # TOC: CELT fullband 20 ms, mono, one frame; no frame data


def mp3_bytes(seconds: float) -> bytes:
    """A mono MP3 of silence lasting ``seconds`` (rounded to whole 24 ms frames, at least one)."""
    frames = max(1, round(seconds * MP3_SAMPLE_RATE / MP3_SAMPLES_PER_FRAME))
    frame = _MP3_HEADER + bytes(_MP3_FRAME_BYTES - len(_MP3_HEADER))
    return frame * frames


def flac_bytes(seconds: float, *, rate: int = 16000) -> bytes:
    """A mono 16-bit FLAC of silence lasting ``seconds`` (``rate`` must be 8, 16, 32, 44.1 or 48 kHz)."""
    rate_codes = {8000: 0b0100, 16000: 0b0101, 32000: 0b1000, 44100: 0b1001, 48000: 0b1010}
    total = max(1, round(seconds * rate))
    streaminfo = struct.pack(">HH", FLAC_BLOCK_SIZE, FLAC_BLOCK_SIZE) + bytes(6)
    packed = (rate << 44) | (0 << 41) | (15 << 36) | total  # rate, channels - 1, bits per sample - 1, samples
    streaminfo += packed.to_bytes(8, "big") + bytes(16)  # unknown MD5 signature
    metadata = bytes((0x80,)) + len(streaminfo).to_bytes(3, "big") + streaminfo  # last block: STREAMINFO
    frames = []
    for number, start in enumerate(range(0, total, FLAC_BLOCK_SIZE)):
        size = min(FLAC_BLOCK_SIZE, total - start)
        size_code, size_tail = (
            (0b1100, b"") if size == FLAC_BLOCK_SIZE else (0b0111, struct.pack(">H", size - 1))
        )
        header = bytes((0xFF, 0xF8, (size_code << 4) | rate_codes[rate], 0b0000_1000)) + _utf8_number(number)
        header += size_tail
        header += bytes((_crc8(header),))
        frame = header + bytes((0x00,)) + struct.pack(">h", 0)  # CONSTANT subframe holding sample 0
        frames.append(frame + struct.pack(">H", _crc16(frame)))
    return b"fLaC" + metadata + b"".join(frames)


def ogg_opus_bytes(seconds: float) -> bytes:
    """A mono Ogg Opus stream of silence lasting ``seconds`` (whole 20 ms packets, at least one)."""
    packets = max(1, round(seconds * 48000 / OPUS_FRAME_SAMPLES))
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, _OPUS_PRE_SKIP, 48000, 0, 0)
    vendor = b"airflow-provider-hume"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    pages = [_ogg_page(0, [head], 0, 0x02), _ogg_page(1, [tags], 0, 0x00)]
    per_page = 50
    for index, first in enumerate(range(0, packets, per_page)):
        count = min(per_page, packets - first)
        granule = _OPUS_PRE_SKIP + (first + count) * OPUS_FRAME_SAMPLES
        last = first + count == packets
        pages.append(_ogg_page(index + 2, [_OPUS_SILENT_PACKET] * count, granule, 0x04 if last else 0x00))
    return b"".join(pages)


def _ogg_page(sequence: int, packets: Iterable[bytes], granule: int, flags: int) -> bytes:
    lacing = bytearray()
    body = bytearray()
    for packet in packets:
        lacing += b"\xff" * (len(packet) // 255) + bytes((len(packet) % 255,))
        body += packet
    header = b"OggS" + struct.pack("<BBqIII", 0, flags, granule, 0x48554D45, sequence, 0)
    page = bytearray(header + bytes((len(lacing),)) + lacing + body)
    page[22:26] = struct.pack("<I", _ogg_crc(bytes(page)))
    return bytes(page)


def _utf8_number(value: int) -> bytes:
    """FLAC's UTF-8-like coding of a frame number."""
    if value < 0x80:
        return bytes((value,))
    tail: list[int] = []
    while value >= (0x40 >> len(tail)) or not tail:
        tail.append(0x80 | (value & 0x3F))
        value >>= 6
    lead = (0xFF00 >> (len(tail) + 1)) & 0xFF
    return bytes((lead | value, *reversed(tail)))


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x8005) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc
