"""Check a ZIP archive while it streams by, front to back, without seeking and without holding it.

Local entries are parsed in order: stored and deflated data are CRC-32 checked against the header or the data
descriptor that follows them (deflate streams end by themselves; a stored entry with a descriptor, as Python's
``zipfile`` writes to a non-seekable sink, ends at the first descriptor whose CRC-32 and sizes match the bytes
before it). The central directory is then parsed record by record and must describe exactly the entries
that arrived (names, offsets, CRC-32s, sizes, through an order-independent digest: nothing is kept per entry),
start where the entries ended and have the size and count the end-of-central-directory record (and its ZIP64
variant) gives; that record, with its comment, must end the body exactly.

Memory: the bytes of one record header at most (46 bytes plus three fields of up to 64 KiB each) plus one fed
piece (:data:`~airflow_provider_hume.client.verify.FEED_BYTES`), and at most :data:`INFLATE_BYTES` of inflated
output at a time, whatever the size of the archive or of its central directory. Entries of other compression
methods, or encrypted ones, are passed over by the sizes in their header (their contents are not checked), and
refused when those sizes are only known after the data.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Generator
from dataclasses import dataclass
from typing import Final

from airflow_provider_hume.client.verify import BodyDefect, pieces

LOCAL: Final = b"PK\x03\x04"
CENTRAL: Final = b"PK\x01\x02"
END: Final = b"PK\x05\x06"
ZIP64_END: Final = b"PK\x06\x06"
ZIP64_LOCATOR: Final = b"PK\x06\x07"
DESCRIPTOR: Final = b"PK\x07\x08"
DIGITAL_SIGNATURE: Final = b"PK\x05\x05"
STORED: Final = 0
DEFLATED: Final = 8
#: Most inflated bytes produced (and CRC-checked, then dropped) per step.
INFLATE_BYTES: Final = 256 * 1024
#: A ZIP64 end record larger than this (its extensible data) is refused.
MAX_ZIP64_END_BYTES: Final = 64 * 1024

_ENCRYPTED: Final = 0x1
_HAS_DESCRIPTOR: Final = 0x8
_UTF8: Final = 0x800
_MAX16: Final = 0xFFFF
_MAX32: Final = 0xFFFFFFFF
_DIGEST_MODULUS: Final = 1 << 128

_Steps = Generator[int, None, None]


@dataclass
class _Entry:
    """What the archive says about one entry; the local header's values until the data proves them."""

    offset: int
    name: bytes
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    zip64: bool

    @property
    def label(self) -> str:
        name = self.name.decode("utf-8" if self.flags & _UTF8 else "cp437", errors="replace")
        return f"entry {name[:200]!r} (from byte {self.offset:,})"

    def digest(self) -> int:
        """A 128-bit digest of the facts local header and central directory must agree on."""
        facts = struct.pack("<QHIQQ", self.offset, self.method, self.crc, self.compressed, self.size)
        return int.from_bytes(hashlib.blake2b(facts + self.name, digest_size=16).digest(), "little")


class ZipCheck:
    """Incremental check of one ZIP archive: :meth:`feed` it the body in order, then :meth:`finish`."""

    def __init__(self) -> None:
        self.max_buffered = 0
        #: Entries whose local header and data were checked.
        self.entries = 0
        self._buffer = bytearray()
        self._offset = 0  # position in the body of self._buffer[0]
        self._eof = False
        self._finished = False
        self._local_digest = 0
        self._central_digest = 0
        self._central_entries = 0
        self._steps = self._archive()
        self._wanted = next(self._steps)

    def feed(self, data: bytes) -> None:
        for piece in pieces(data):
            self._buffer += piece
            self.max_buffered = max(self.max_buffered, len(self._buffer))
            self._advance()

    def finish(self) -> None:
        self._eof = True
        self._advance()
        if not self._finished:  # pragma: no cover - every step raises or returns at EOF
            raise BodyDefect("the archive is incomplete")

    def _advance(self) -> None:
        while not self._finished and (self._eof or len(self._buffer) >= self._wanted):
            try:
                self._wanted = self._steps.send(None)
            except StopIteration:
                self._finished = True

    # Reading primitives: each yields how many buffered bytes it needs before it can go on.

    def _cut(self, where: str) -> BodyDefect:
        return BodyDefect(f"the archive ends at byte {self._offset + len(self._buffer):,}, inside {where}")

    def _fill(self, size: int) -> Generator[int, None, bool]:
        """Wait until ``size`` bytes are buffered; False if the body ends first."""
        while len(self._buffer) < size:
            if self._eof:
                return False
            yield size
        return True

    def _take(self, size: int, where: str) -> Generator[int, None, bytes]:
        if not (yield from self._fill(size)):
            raise self._cut(where)
        data = bytes(self._buffer[:size])
        self._drop(size)
        return data

    def _drop(self, size: int) -> None:
        del self._buffer[:size]
        self._offset += size

    def _stream(self, size: int, where: str) -> Generator[int, None, int]:
        """Pass over ``size`` bytes as they come; return their CRC-32."""
        crc = 0
        while size:
            if not (yield from self._fill(1)):
                raise self._cut(where)
            step = min(size, len(self._buffer))
            crc = zlib.crc32(self._buffer[:step], crc)
            self._drop(step)
            size -= step
        return crc

    # The archive, record by record.

    def _archive(self) -> _Steps:
        central_start: int | None = None
        zip64_end: tuple[int, int, int, int] | None = None  # (offset, entries, size, start)
        while True:
            start = self._offset
            if not (yield from self._fill(4)):
                if start == 0:
                    size = len(self._buffer)
                    raise BodyDefect(
                        f"the body is {'empty' if not size else f'only {size} bytes'}, not a ZIP archive"
                    )
                raise BodyDefect(
                    f"the archive ends at byte {start + len(self._buffer):,}, before its "
                    "end-of-central-directory record"
                )
            signature = yield from self._take(4, "a record signature")
            if signature == LOCAL and central_start is None:
                yield from self._local_entry(start)
            elif signature == CENTRAL and zip64_end is None:
                central_start = start if central_start is None else central_start
                yield from self._central_entry()
            elif signature == DIGITAL_SIGNATURE and central_start is not None:
                (size,) = struct.unpack("<H", (yield from self._take(2, "the digital signature")))
                yield from self._stream(size, "the digital signature")
            elif signature == ZIP64_END and zip64_end is None:
                central_start = start if central_start is None else central_start
                zip64_end = (start, *(yield from self._zip64_end()))
            elif signature == ZIP64_LOCATOR and zip64_end is not None:
                _, offset, _ = struct.unpack("<IQI", (yield from self._take(16, "the ZIP64 locator")))
                if offset != zip64_end[0]:
                    raise BodyDefect(f"the ZIP64 locator points to byte {offset:,}, not {zip64_end[0]:,}")
            elif signature == END:
                yield from self._end(start, central_start, zip64_end)
                return
            else:
                what = "not a ZIP archive" if start == 0 else "not a ZIP record where one should start"
                raise BodyDefect(f"{what} (bytes {signature!r} at byte {start:,})")

    def _local_entry(self, offset: int) -> _Steps:
        header = yield from self._take(26, f"the local header at byte {offset:,}")
        _, flags, method, _, _, crc, compressed, size, name_length, extra_length = struct.unpack(
            "<HHHHHIIIHH", header
        )
        name = yield from self._take(name_length, f"the local header at byte {offset:,}")
        extra = yield from self._take(extra_length, f"the local header at byte {offset:,}")
        entry = _Entry(offset, name, flags, method, crc, compressed, size, zip64=False)
        zip64 = _extra_field(extra, 1)
        if zip64 is not None:
            entry.zip64 = True
            entry.size, entry.compressed = _zip64_values(zip64, (size, compressed), entry.label)
        has_descriptor = bool(flags & _HAS_DESCRIPTOR)
        if flags & _ENCRYPTED or method not in (STORED, DEFLATED):
            if has_descriptor:
                raise BodyDefect(
                    f"{entry.label} cannot be checked (compression method {method}"
                    f"{', encrypted' if flags & _ENCRYPTED else ''}) and its size comes after its data"
                )
            yield from self._stream(entry.compressed, entry.label)
        elif method == DEFLATED:
            limit = None if has_descriptor else entry.compressed
            crc, compressed, size = yield from self._inflate(entry, limit)
            yield from self._settle(entry, crc, compressed, size, has_descriptor)
        elif has_descriptor:
            crc, size = yield from self._stored_until_descriptor(entry)
            entry.crc, entry.compressed, entry.size = crc, size, size
        else:
            crc = yield from self._stream(entry.compressed, entry.label)
            yield from self._settle(entry, crc, entry.compressed, entry.compressed, False)
        self.entries += 1
        self._local_digest = (self._local_digest + entry.digest()) % _DIGEST_MODULUS

    def _settle(self, entry: _Entry, crc: int, compressed: int, size: int, has_descriptor: bool) -> _Steps:
        """Compare what the data gave with the header, or with the data descriptor that follows it."""
        if has_descriptor:
            yield from self._descriptor(entry, compressed, size)
        elif (entry.compressed, entry.size) != (compressed, size):
            raise BodyDefect(
                f"{entry.label} has {compressed:,} compressed and {size:,} inflated bytes, its header says "
                f"{entry.compressed:,} and {entry.size:,}"
            )
        if entry.crc != crc:
            raise BodyDefect(
                f"{entry.label} fails its CRC-32 check (computed {crc:08x}, recorded {entry.crc:08x})"
            )
        entry.crc, entry.compressed, entry.size = crc, compressed, size

    def _descriptor(self, entry: _Entry, compressed: int, size: int) -> _Steps:
        """Read the data descriptor (signature optional, 4- or 8-byte sizes) whose sizes match the data."""
        yield from self._fill(24)
        signed = self._buffer[:4] == DESCRIPTOR
        start = 4 if signed else 0
        for wide in (entry.zip64, not entry.zip64):
            layout = "<IQQ" if wide else "<III"
            length = start + struct.calcsize(layout)
            if len(self._buffer) < length:
                continue
            crc, recorded_compressed, recorded_size = struct.unpack_from(layout, self._buffer, start)
            if (recorded_compressed, recorded_size) == (compressed, size):
                self._drop(length)
                entry.crc = crc
                return
        if self._eof and len(self._buffer) < 24:
            raise self._cut(f"the data descriptor of {entry.label}")
        raise BodyDefect(
            f"the data descriptor of {entry.label} does not match its {compressed:,} compressed and "
            f"{size:,} inflated bytes"
        )

    def _inflate(self, entry: _Entry, limit: int | None) -> Generator[int, None, tuple[int, int, int]]:
        """Inflate the entry's deflate stream to its end; return CRC-32, compressed and inflated sizes."""
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        crc = compressed = size = 0
        while not inflater.eof:
            if limit is not None and compressed >= limit:
                raise BodyDefect(f"the deflate data of {entry.label} runs past its {limit:,} bytes")
            if not (yield from self._fill(1)):
                raise self._cut(entry.label)
            room = len(self._buffer) if limit is None else min(len(self._buffer), limit - compressed)
            chunk = bytes(self._buffer[:room])
            try:
                output = inflater.decompress(chunk, INFLATE_BYTES)
                while True:
                    crc = zlib.crc32(output, crc)
                    size += len(output)
                    if inflater.eof or not inflater.unconsumed_tail:
                        break
                    output = inflater.decompress(inflater.unconsumed_tail, INFLATE_BYTES)
            except zlib.error as err:
                raise BodyDefect(f"the deflate data of {entry.label} is corrupt ({err})") from None
            used = len(chunk) - len(inflater.unused_data)
            self._drop(used)
            compressed += used
        return crc, compressed, size

    def _stored_until_descriptor(self, entry: _Entry) -> Generator[int, None, tuple[int, int]]:
        """Stored data of unknown size: it ends at the first descriptor that matches the CRC-32 and size of
        the bytes before it and is followed by the next entry or the central directory."""
        layout = "<IQQ" if entry.zip64 else "<III"
        length = 4 + struct.calcsize(layout)
        crc = size = 0
        while True:
            search_from = 0
            # A candidate is decided once the signature of the record after it (4 bytes) is buffered too.
            while (found := self._buffer.find(DESCRIPTOR, search_from)) >= 0 and found + length + 4 <= len(
                self._buffer
            ):
                recorded_crc, compressed, recorded_size = struct.unpack_from(layout, self._buffer, found + 4)
                total = size + found
                if (
                    compressed == recorded_size == total
                    and bytes(self._buffer[found + length : found + length + 4]) in (LOCAL, CENTRAL)
                    and recorded_crc == zlib.crc32(self._buffer[:found], crc)
                ):
                    self._drop(found + length)
                    return recorded_crc, total
                search_from = found + 1
            # Bytes before an undecided candidate, or before a possible partial signature, are data.
            settled = found if found >= 0 else max(0, len(self._buffer) - 3)
            crc = zlib.crc32(self._buffer[:settled], crc)
            size += settled
            self._drop(settled)
            if self._eof:
                raise self._cut(f"{entry.label} (no data descriptor matching its data was found)")
            yield len(self._buffer) + 1

    def _central_entry(self) -> _Steps:
        where = f"the central directory at byte {self._offset - 4:,}"
        header = yield from self._take(42, where)
        fields = struct.unpack("<HHHHHHIIIHHHHHII", header)
        flags, method, _, _, crc, compressed, size, name_length, extra_length, comment_length, disk = fields[
            2:13
        ]
        offset = fields[15]
        name = yield from self._take(name_length, where)
        extra = yield from self._take(extra_length, where)
        yield from self._stream(comment_length, where)
        entry = _Entry(offset, name, flags, method, crc, compressed, size, zip64=False)
        zip64 = _extra_field(extra, 1)
        if zip64 is not None:
            entry.size, entry.compressed, entry.offset, disk = _zip64_values(
                zip64, (size, compressed, offset, disk), f"the central directory record of {entry.label}"
            )
        if disk != 0:
            raise BodyDefect("the archive spans several disks, which is not supported")
        self._central_entries += 1
        self._central_digest = (self._central_digest + entry.digest()) % _DIGEST_MODULUS

    def _zip64_end(self) -> Generator[int, None, tuple[int, int, int]]:
        (length,) = struct.unpack("<Q", (yield from self._take(8, "the ZIP64 end record")))
        if not 44 <= length <= MAX_ZIP64_END_BYTES:
            raise BodyDefect(f"the ZIP64 end record claims {length:,} bytes")
        record = yield from self._take(length, "the ZIP64 end record")
        _, _, _, _, _, entries, size, start = struct.unpack_from("<HHIIQQQQ", record)
        return entries, size, start

    def _end(
        self, offset: int, central_start: int | None, zip64_end: tuple[int, int, int, int] | None
    ) -> _Steps:
        record = yield from self._take(18, "the end-of-central-directory record")
        disk, central_disk, _, entries, size, start, comment_length = struct.unpack("<HHHHIIH", record)
        yield from self._stream(comment_length, "the archive comment")
        if zip64_end is not None:
            _, entries, size, start = zip64_end
            directory_end = zip64_end[0]
        else:
            directory_end = offset
            if entries == _MAX16 or _MAX32 in (size, start):
                raise BodyDefect("the end record needs ZIP64 values but the archive has no ZIP64 end record")
        if (disk, central_disk) not in ((0, 0), (_MAX16, _MAX16)):
            raise BodyDefect("the archive spans several disks, which is not supported")
        central_start = directory_end if central_start is None else central_start
        problems = []
        if start != central_start:
            problems.append(f"it starts at byte {start:,}, the data puts it at {central_start:,}")
        if size != directory_end - central_start:
            problems.append(f"it is {size:,} bytes long, {directory_end - central_start:,} arrived")
        if not entries == self._central_entries == self.entries:
            problems.append(
                f"{entries:,} entries recorded, {self._central_entries:,} listed, {self.entries:,} arrived"
            )
        elif self._central_digest != self._local_digest:
            problems.append("an entry's name, offset, CRC-32 or size differs from the entry that arrived")
        if problems:
            raise BodyDefect(f"the central directory does not match the entries: {'; '.join(problems)}")
        while not self._eof:
            if self._buffer:
                break
            yield 1
        if self._buffer:
            raise BodyDefect(f"bytes follow the end of the archive at byte {self._offset:,}")


def _extra_field(extra: bytes, header_id: int) -> bytes | None:
    """The data of the extra field ``header_id`` (1 is ZIP64), or None."""
    position = 0
    while position + 4 <= len(extra):
        field_id, length = struct.unpack_from("<HH", extra, position)
        if field_id == header_id:
            return extra[position + 4 : position + 4 + length]
        position += 4 + length
    return None


def _zip64_values(data: bytes, values: tuple[int, ...], where: str) -> tuple[int, ...]:
    """Replace the values saturated in the header (sizes, offset: 8 bytes; disk: 4) by the ZIP64 field's."""
    result = []
    position = 0
    for index, value in enumerate(values):
        saturated = value == (_MAX16 if index == 3 else _MAX32)
        if not saturated:
            result.append(value)
            continue
        width = 4 if index == 3 else 8
        if position + width > len(data):
            raise BodyDefect(f"the ZIP64 field of {where} is too short")
        result.append(int.from_bytes(data[position : position + width], "little"))
        position += width
    return tuple(result)
