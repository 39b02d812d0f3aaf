"""``padding.bin``: an artifacts ZIP entry of an exact size, for testing large downloads (fault
``artifacts_pad_bytes``).

The bytes are incompressible (SHAKE-128 output) and deterministic: byte ``n`` depends only on the emulator's
seed and ``n``. They are stored (not deflated) and produced one chunk at a time while the response is sent,
so memory stays flat whatever the size; the entry always carries ZIP64 sizes, so even more than 4 GiB works.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterator
from typing import Final

PADDING_NAME: Final = "padding.bin"
CHUNK_BYTES: Final = 256 * 1024


def padding_chunks(size: int, seed: int) -> Iterator[bytes]:
    """``size`` deterministic, incompressible bytes in chunks of at most ``CHUNK_BYTES``."""
    for index, offset in enumerate(range(0, size, CHUNK_BYTES)):
        key = f"hume-emulator-padding:{seed}:{index}".encode()
        yield hashlib.shake_128(key).digest(min(CHUNK_BYTES, size - offset))


def write_padding(
    archive: zipfile.ZipFile, take: Callable[[], bytes], size: int, seed: int
) -> Iterator[bytes]:
    """Append ``padding.bin`` of ``size`` bytes to ``archive``, yielding what ``take`` drains as it goes."""
    info = zipfile.ZipInfo(PADDING_NAME, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    with archive.open(info, "w", force_zip64=True) as entry:
        for chunk in padding_chunks(size, seed):
            entry.write(chunk)
            yield take()
    yield take()
