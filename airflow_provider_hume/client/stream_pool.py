"""Analysing many inputs over a pool of streaming connections, one whole input at a time per connection.

Each input goes to one socket from start to end: its payloads share that connection's sliding window, and the
first media payload of every input resets the window so no context leaks between inputs. Long WAV audio and
long text are split (:mod:`stream_chunks`) and their replies stitched into one result (:mod:`stream_stitch`).
An input that Hume or the client-side checks reject yields an error outcome and the others go on; a bad key
or a connection that cannot be restored stops everything.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import wave
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from airflow_provider_hume.client.errors import HumeStreamError, HumeValidationError
from airflow_provider_hume.client.stream_chunks import iter_wav_chunks, split_text
from airflow_provider_hume.client.stream_models import StreamLanguage, StreamModels
from airflow_provider_hume.client.stream_payloads import DEFAULT_WINDOW_MS, MAX_AUDIO_MS, wav_seconds
from airflow_provider_hume.client.stream_stitch import StitchedResult

if TYPE_CHECKING:  # websockets: loaded by whoever builds the client, not by this module's users
    from airflow_provider_hume.client.stream import HumeStreamClient, StreamSocket

log = logging.getLogger(__name__)

Fetch = Callable[[str, Path], None]
"""Copies a remote input (e.g. an ``s3://`` URI) into a local file; it runs in a worker thread."""


class InputFetchError(OSError):
    """A remote input could not be copied to a local file (``fetch`` failed)."""


INPUT_ERRORS = (HumeStreamError, HumeValidationError, OSError, wave.Error)
"""Failures that concern one input only; the other inputs go on."""


@dataclass(frozen=True)
class StreamInput:
    """One input: ``text``, a local file ``path``, or a ``uri`` fetched to a temporary file first."""

    id: str
    text: str | None = None
    path: str | None = None
    uri: str | None = None

    def __post_init__(self) -> None:
        if sum(value is not None for value in (self.text, self.path, self.uri)) != 1:
            raise HumeValidationError(f"input {self.id!r} needs exactly one of text, path or uri")


@dataclass
class InputOutcome:
    """What became of the input at ``index``: a result, or the error that stopped it."""

    index: int
    input: StreamInput
    result: StitchedResult | None = None
    error: BaseException | None = None


async def analyze_text(socket: StreamSocket, text: str, models: StreamModels) -> StitchedResult:
    """Analyse ``text`` of any length: chunks of at most 10,000 characters, positions offset back."""
    if not text.strip():
        raise HumeValidationError("text is empty or only whitespace; Hume's language model needs words")
    result = StitchedResult()
    try:
        for chunk in split_text(text):
            if chunk.text.strip():
                result.add(await socket.send_text(chunk.text, models), chars=chunk.offset)
    except BaseException:
        result.close()
        raise
    return result


async def analyze_file(
    socket: StreamSocket, path: str | os.PathLike[str], models: StreamModels
) -> StitchedResult:
    """Analyse a media file; a WAV longer than 5 s goes as chunks whose times are put back on one timeline.

    The chunks share the connection's sliding window, so each may be scored after some audio of the ones
    before it: the window's length minus the chunk's, as far as this input has sent audio on this connection
    (a reconnect starts an empty window).
    """
    name = os.fspath(path)
    seconds = await asyncio.to_thread(wav_seconds, name)
    result = StitchedResult()
    try:
        if seconds is None or seconds * 1000 <= MAX_AUDIO_MS:
            result.add(await socket.send_file(name, models, reset_stream=True))
            return result
        window = (socket.stream_window_ms or DEFAULT_WINDOW_MS) / 1000
        retained = 0.0
        chunks = iter_wav_chunks(name)
        while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
            connection = socket.connections
            reply = await socket.send_bytes(chunk.data, models, reset_stream=chunk.index == 0)
            if socket.connections != connection:
                retained = 0.0
            context = min(max(window - chunk.duration, 0.0), retained)
            result.add(reply, seconds=chunk.offset, context=context)
            retained = min(retained + chunk.duration, window)
    except BaseException:
        result.close()
        raise
    return result


async def _analyze(
    socket: StreamSocket, item: StreamInput, models: StreamModels, fetch: Fetch | None, scratch: Path
) -> StitchedResult:
    if item.text is not None:
        return await analyze_text(
            socket, item.text, StreamModels(language=models.language or StreamLanguage())
        )
    if item.path is not None:
        return await analyze_file(socket, item.path, models)
    if item.uri is None or fetch is None:
        raise HumeValidationError(f"input {item.id!r} is a URI but no fetch function was given")
    local = scratch / "input"
    try:
        try:
            await asyncio.to_thread(fetch, item.uri, local)
        except Exception as exc:
            raise InputFetchError(f"could not fetch {item.uri}: {type(exc).__name__}: {exc}") from exc
        return await analyze_file(socket, local, models)
    finally:
        local.unlink(missing_ok=True)


async def _worker(
    client: HumeStreamClient,
    queue: Iterator[tuple[int, StreamInput]],
    models: StreamModels,
    stream_window_ms: int | None,
    fetch: Fetch | None,
    on_outcome: Callable[[InputOutcome], None],
) -> None:
    with tempfile.TemporaryDirectory(prefix="hume-stream-") as scratch:
        async with client.connect(stream_window_ms=stream_window_ms) as socket:
            for index, item in queue:
                outcome = InputOutcome(index, item)
                try:
                    outcome.result = await _analyze(socket, item, models, fetch, Path(scratch))
                except INPUT_ERRORS as exc:
                    outcome.error = exc
                try:
                    on_outcome(outcome)
                finally:
                    if outcome.result is not None:
                        outcome.result.close()


async def stream_inputs(
    client: HumeStreamClient,
    inputs: Sequence[StreamInput],
    models: StreamModels,
    on_outcome: Callable[[InputOutcome], None],
    *,
    max_connections: int = 4,
    stream_window_ms: int | None = None,
    fetch: Fetch | None = None,
) -> None:
    """Analyse ``inputs`` over up to ``max_connections`` sockets, calling ``on_outcome`` once per input.

    Outcomes arrive in completion order; each result is closed after ``on_outcome`` returns. Texts use the
    ``language`` part of ``models`` (default ``{}``), files the media models. A fatal error (bad key,
    connection lost beyond retries, an exception from ``on_outcome``) cancels the other sockets and
    propagates.
    """
    if isinstance(max_connections, bool) or not isinstance(max_connections, int) or max_connections < 1:
        raise HumeValidationError(f"max_connections must be an integer >= 1 (got {max_connections!r})")
    queue = iter(enumerate(inputs))
    tasks = [
        asyncio.ensure_future(_worker(client, queue, models, stream_window_ms, fetch, on_outcome))
        for _ in range(min(max_connections, len(inputs)))
    ]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
