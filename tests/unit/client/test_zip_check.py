"""``ZipCheck`` through ``VerifiedBody``: whole archives pass unchanged; cut or damaged ones raise first."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator

import pytest

from airflow_provider_hume.client.verify import FEED_BYTES, HumeBodyError, VerifiedBody
from airflow_provider_hume.client.zip_check import DESCRIPTOR, ZipCheck

BODY = "artifacts of Hume job job-7"
CSV = "file,id,text,begin,end,Joy\n" + "text,0,hello there,0,5,0.25\n" * 400
NOISE = bytes((index * 7919 + (index >> 8) * 31) & 0xFF for index in range(50_000))


class _Unseekable(io.RawIOBase):
    """A write-only sink without ``seek``/``tell``: ``zipfile`` then writes data descriptors, as Hume's
    emulator and other streaming writers do."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.data += data
        return len(data)

    def take(self) -> bytes:
        chunk = bytes(self.data)
        self.data.clear()
        return chunk


def _fill(archive: zipfile.ZipFile, *, padding: int = 0) -> None:
    archive.writestr("text/language.csv", CSV)
    archive.writestr("empty.txt", "")
    with archive.open("text/faces/0_0.png", "w") as entry:
        entry.write(NOISE)
    if padding:
        info = zipfile.ZipInfo("padding.bin", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        with archive.open(info, "w", force_zip64=True) as entry:
            entry.write(NOISE[:padding])


def seekable_zip(compression: int = zipfile.ZIP_DEFLATED, *, comment: bytes = b"", padding: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        _fill(archive, padding=padding)
        archive.comment = comment
    return buffer.getvalue()


def streamed_zip(compression: int = zipfile.ZIP_DEFLATED, *, padding: int = 0) -> bytes:
    sink = _Unseekable()
    with zipfile.ZipFile(sink, "w", compression=compression) as archive:
        _fill(archive, padding=padding)
    return bytes(sink.data)


ARCHIVES: dict[str, Callable[[], bytes]] = {
    "deflated": seekable_zip,
    "stored": lambda: seekable_zip(zipfile.ZIP_STORED),
    "with-comment": lambda: seekable_zip(comment=b"made by Hume"),
    "streamed-deflated": streamed_zip,
    "streamed-stored": lambda: streamed_zip(zipfile.ZIP_STORED),
    "streamed-zip64-padding": lambda: streamed_zip(padding=30_000),
    "zip64-padding": lambda: seekable_zip(padding=30_000),
    "empty": lambda: _empty_zip(),
}


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w"):
        pass
    return buffer.getvalue()


def verified(data: bytes, check: ZipCheck | None = None) -> io.BufferedReader:
    return io.BufferedReader(VerifiedBody(io.BytesIO(data), check or ZipCheck(), body=BODY), FEED_BYTES)


def read_in(stream: io.BufferedReader, size: int) -> bytes:
    out = bytearray()
    while chunk := stream.read(size):
        out += chunk
    return bytes(out)


@pytest.mark.parametrize("name", ARCHIVES)
@pytest.mark.parametrize("size", [7, 1000, 16 * 1024 * 1024])
def test_a_whole_archive_passes_through_unchanged(name: str, size: int) -> None:
    data = ARCHIVES[name]()
    check = ZipCheck()
    assert read_in(verified(data, check), size) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert check.entries == len(archive.infolist())
        assert archive.testzip() is None


@pytest.mark.parametrize("name", ARCHIVES)
def test_every_cut_raises_before_eof(name: str) -> None:
    data = ARCHIVES[name]()
    cuts = sorted({*range(0, len(data), max(1, len(data) // 60)), len(data) - 1, len(data) - 22})
    for cut in cuts:
        with pytest.raises(HumeBodyError) as info:
            verified(data[:cut]).read()
        assert info.value.message.startswith(f"The {BODY} did not arrive whole: ")
        assert f"({cut:,} bytes received, no length announced)" in info.value.message


def test_a_cut_names_the_entry_it_falls_in() -> None:
    data = seekable_zip(zipfile.ZIP_STORED)
    start = data.index(b"text/faces/0_0.png") - 30
    with pytest.raises(HumeBodyError) as info:
        verified(data[: start + 30 + 18 + 1000]).read()
    assert (
        f"the archive ends at byte {start + 30 + 18 + 1000:,}, inside entry 'text/faces/0_0.png' "
        f"(from byte {start:,})"
    ) in info.value.message


def test_a_cut_between_entries_says_the_end_record_is_missing() -> None:
    data = seekable_zip()
    central = data.index(b"PK\x01\x02")
    with pytest.raises(HumeBodyError, match=r"before its end-of-central-directory record"):
        verified(data[:central]).read()


def _flip(data: bytes, position: int) -> bytes:
    damaged = bytearray(data)
    damaged[position] ^= 0x01
    return bytes(damaged)


def test_a_damaged_stored_entry_fails_its_crc() -> None:
    data = seekable_zip(zipfile.ZIP_STORED)
    position = data.index(NOISE[:100]) + 5000
    with pytest.raises(
        HumeBodyError, match=r"entry 'text/faces/0_0.png' .* fails its CRC-32 check \(computed "
    ):
        verified(_flip(data, position)).read()


def test_a_damaged_deflated_entry_is_caught() -> None:
    data = seekable_zip()
    start = data.index(b"text/language.csv") + len("text/language.csv")
    with pytest.raises(
        HumeBodyError, match=r"entry 'text/language.csv' .*(CRC-32|corrupt|runs past|header says)"
    ):
        verified(_flip(data, start + 40)).read()


def test_a_wrong_crc_in_a_data_descriptor_is_caught() -> None:
    data = streamed_zip()
    descriptor = data.index(DESCRIPTOR)
    with pytest.raises(HumeBodyError, match=r"entry 'text/language.csv' .* fails its CRC-32 check"):
        verified(_flip(data, descriptor + 4)).read()


def test_a_central_directory_that_does_not_match_the_entries_is_caught() -> None:
    data = seekable_zip()
    central = data.index(b"PK\x01\x02")
    crc_field = central + 16
    with pytest.raises(HumeBodyError, match=r"the central directory does not match the entries: an entry's"):
        verified(_flip(data, crc_field)).read()


def test_a_wrong_central_directory_offset_is_caught() -> None:
    data = seekable_zip()
    end = data.rindex(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<I", data, end + 16)
    damaged = data[: end + 16] + struct.pack("<I", offset + 1) + data[end + 20 :]
    with pytest.raises(
        HumeBodyError, match=rf"it starts at byte {offset + 1:,}, the data puts it at {offset:,}"
    ):
        verified(damaged).read()


def test_bytes_after_the_end_of_the_archive_are_refused() -> None:
    with pytest.raises(HumeBodyError, match=r"bytes follow the end of the archive"):
        verified(seekable_zip() + b"\x00").read()


@pytest.mark.parametrize("body", [b"not a zip at all", b"[]", b"\x00" * 100])
def test_a_body_that_is_not_a_zip_is_refused_at_once(body: bytes) -> None:
    with pytest.raises(HumeBodyError, match=r"not a ZIP archive"):
        verified(body).read()


def test_an_empty_body_is_refused() -> None:
    with pytest.raises(HumeBodyError, match=r"the body is empty, not a ZIP archive"):
        verified(b"").read()


def test_other_compression_methods_pass_by_their_header_sizes() -> None:
    data = seekable_zip(zipfile.ZIP_BZIP2)
    assert verified(data).read() == data


def test_other_compression_methods_without_sizes_are_refused() -> None:
    with pytest.raises(HumeBodyError, match=r"cannot be checked \(compression method 12\)"):
        verified(streamed_zip(zipfile.ZIP_BZIP2)).read()


def _streamed_archive(padding_bytes: int) -> Iterator[bytes]:
    """A large archive written chunk by chunk as a server streams it: CSVs, then a stored ZIP64 padding."""
    sink = _Unseekable()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(3):
            archive.writestr(f"text_{index}/language.csv", CSV * 20)
            yield sink.take()
        info = zipfile.ZipInfo("padding.bin")
        info.compress_type = zipfile.ZIP_STORED
        block = NOISE * 20  # 1 MB
        with archive.open(info, "w", force_zip64=True) as entry:
            for _ in range(padding_bytes // len(block)):
                entry.write(block)
                yield sink.take()
    yield sink.take()


class _Generated(io.RawIOBase):
    def __init__(self, parts: Iterator[bytes]) -> None:
        self._parts = parts
        self._pending = b""
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            self._pending = next(self._parts, b"")
            if not self._pending:
                return 0
        chunk, self._pending = self._pending[: len(buffer)], self._pending[len(buffer) :]
        buffer[: len(chunk)] = chunk
        self.size += len(chunk)
        return len(chunk)


def test_memory_stays_bounded_on_a_large_archive() -> None:
    generated = _Generated(_streamed_archive(40_000_000))
    check = ZipCheck()
    stream = io.BufferedReader(VerifiedBody(io.BufferedReader(generated), check, body=BODY), FEED_BYTES)
    while stream.read(16 * 1024 * 1024):  # boto3's part size: the check is still fed 64 KiB pieces
        pass
    assert generated.size > 40_000_000
    assert check.entries == 4
    assert check.max_buffered <= FEED_BYTES + 64


@pytest.mark.parametrize("step", [1, 3, 7, 4096])
def test_parts_of_a_descriptor_signature_are_data(step: int) -> None:
    """Bytes that begin or end like ``PK\\x07\\x08`` without being it are data, also where a read splits
    them."""
    payload = b"\x07\x08K\x07\x08P\x07\x08xPK\x07" * 40 + b"\x07\x08"
    sink = _Unseekable()
    with (
        zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive,
        archive.open("tails.bin", "w") as entry,
    ):
        entry.write(payload)
    data = bytes(sink.data)
    check = ZipCheck()
    assert read_in(verified(data, check), step) == data
    assert check.entries == 1


def test_a_stored_entry_whose_data_holds_a_lookalike_descriptor_still_passes() -> None:
    """Data holding ``PK\\x07\\x08``, even with the CRC-32 and size of the bytes before it, is data unless the
    next entry or the central directory follows."""
    payload = (b"abc" + DESCRIPTOR + struct.pack("<III", zlib.crc32(b"abc"), 3, 3)) * 50
    sink = _Unseekable()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        with archive.open("tricky.bin", "w") as entry:
            entry.write(payload)
        archive.writestr("after.txt", "after")
    data = bytes(sink.data)
    check = ZipCheck()
    assert read_in(verified(data, check), 7) == data
    assert check.entries == 2


def test_an_archive_with_a_zip64_end_record_passes_and_its_cut_end_records_raise() -> None:
    """Over 65,535 entries, ``zipfile`` writes the ZIP64 end record and locator before the classic one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(65_536 + 4):
            archive.writestr(str(index), b"")
    data = buffer.getvalue()
    check = ZipCheck()
    assert verified(data, check).read() == data
    assert check.entries == 65_540
    assert check.max_buffered <= FEED_BYTES + 64
    zip64_end = data.rindex(b"PK\x06\x06")
    for cut, where in [(zip64_end + 10, "the ZIP64 end record"), (zip64_end + 60, "the ZIP64 locator")]:
        with pytest.raises(HumeBodyError, match=f"inside {where}"):
            verified(data[:cut]).read()
