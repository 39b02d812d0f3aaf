"""The multipart body of a ``v1`` upload (hume-api-v1.md §5, §6): ``file`` parts streamed, ``config`` as JSON.

Each attempt opens the parts again and builds a fresh body, read while it is sent; the parts are closed when
the attempt ends. A part whose stream fails or ends early is remembered, so the client can tell a local read
failure from a network one, and so is how much of the body was read: none read means none sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, closing, contextmanager
from typing import Any, BinaryIO

from airflow_provider_hume.client._upload import SizedReader, streamed_multipart
from airflow_provider_hume.client.v1.parts import MediaPart

CONFIG_TYPE = "application/json"


def _fields(
    parts: Sequence[MediaPart], config: Mapping[str, Any] | None, readers: Sequence[Any]
) -> list[Any]:
    fields: list[Any] = [
        ("file", (part.name, reader, part.content_type)) for part, reader in zip(parts, readers, strict=True)
    ]
    if config is not None:
        fields.append(("config", (None, json.dumps(config), CONFIG_TYPE)))
    return fields


class _Placeholder:
    """A part body that only announces its length, for sizing a body without opening the parts."""

    def __init__(self, size: int) -> None:
        self.len = size

    def read(self, size: int = -1) -> bytes:  # pragma: no cover - the encoder is never read
        raise AssertionError("a placeholder is never read")


def body_size(parts: Sequence[MediaPart], config: Mapping[str, Any] | None = None) -> int:
    """Bytes of the whole multipart body for ``parts`` and ``config`` (what Hume's 25 MB limit counts)."""
    from requests_toolbelt import MultipartEncoder  # brings requests: loaded on use, not when parsing a DAG

    encoder = MultipartEncoder(fields=_fields(parts, config, [_Placeholder(part.size) for part in parts]))
    return int(encoder.len)


class _PartReader(SizedReader):
    """Reads one part, keeping the first local failure for :attr:`MediaUpload.read_error`."""

    def __init__(self, stream: BinaryIO, part: MediaPart, upload: MediaUpload) -> None:
        super().__init__(stream, part.size, part.name)
        self._upload = upload

    def read(self, size: int = -1) -> bytes:
        try:
            return super().read(size)
        except Exception as exc:
            self._upload.read_error = self._upload.read_error or exc
            raise


class MediaUpload:
    """The body factory of one upload: ``open()`` per attempt yields ``(body, content_type)``."""

    def __init__(self, parts: Sequence[MediaPart], config: Mapping[str, Any] | None) -> None:
        self.parts = list(parts)
        self.config = config
        self.read_error: Exception | None = None
        self._body: Any = None

    @property
    def body_bytes_read(self) -> int:
        """Bytes of the current attempt's body read so far; none read means none sent."""
        return int(self._body.bytes_read) if self._body is not None else 0

    @property
    def media_bytes(self) -> int:
        """Total size of the file parts."""
        return sum(part.size for part in self.parts)

    @contextmanager
    def open(self) -> Iterator[tuple[Any, str]]:
        self.read_error = None
        self._body = None
        with ExitStack() as stack:
            readers = [
                _PartReader(stack.enter_context(closing(part.open())), part, self) for part in self.parts
            ]
            self._body, content_type = streamed_multipart(
                _fields(self.parts, self.config, readers), len(self.parts)
            )
            yield self._body, content_type
