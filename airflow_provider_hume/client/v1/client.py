"""Synchronous client for Hume's ``v1`` HTTP routes (hume-api-v1.md §2, §5, §6, §8) on a ``requests`` session.

Uploads stream their parts and are synchronous: the answer holds every result, and nothing can be fetched
later. An upload that reaches measurement is a run, billed at least 10 s, and Hume documents no idempotency
key (hume-api-v1.md §8, §12.1), so an upload is sent again only when a second attempt cannot bill it twice:

* the request provably never reached the server: connection refused, DNS failure, connect timeout, or any
  failure before the first byte of the body was read for sending (without its body Hume cannot measure it);
* the answer is a 429, or a 503 ``server_busy``: refusals before measuring. A request "rejected earlier has no
  run" and "a file request that fails is not billed" (hume-api-v1.md §8). The 429 is ✖ undocumented for this
  API; Audio Decisions documents it as a gateway answer without a code, which like the gateway's 401 comes
  before the service (hume-api-v1.md §3, §4.1). ``server_busy`` (≈ 503) names a refusal for load. Either way
  no billed run exists to duplicate, so these two follow the retry policy, honouring ``Retry-After``.

Anything else that leaves the outcome open (a reset or read timeout after the body went out, a 5xx without a
``v1`` error body, i.e. from a gateway or proxy, a 2xx whose body broke off) raises
:class:`~airflow_provider_hume.client.v1.errors.HumeUploadOutcomeUnknownError`: the caller may look for the
run with :meth:`HumeV1Client.find_upload_runs`. A ``v1`` error body (e.g. ``internal_error``) is a known
failure, raised as mapped and not billed. GETs are retried on 408, 429, 5xx and transport failures, honouring
``Retry-After``. The API key travels only in the ``X-Hume-Api-Key`` header.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any, TypeVar

import requests

from airflow_provider_hume.client._fields import check_number, invalid
from airflow_provider_hume.client.batch import SessionClient, delivery_of, new_session, read_limited
from airflow_provider_hume.client.errors import (
    REDACTED,
    HumeConnectionError,
    HumeError,
    decode_body,
    redact_bytes,
    tls_error,
    truncate,
)
from airflow_provider_hume.client.protocol import (
    MAX_ERROR_BODY,
    MAX_JSON_BODY,
    check_api_key,
    normalize_base_url,
    redirect_error,
    request_headers,
)
from airflow_provider_hume.client.retry import Delivery, RetryPolicy, RetryTracker
from airflow_provider_hume.client.v1._multipart import MediaUpload, body_size
from airflow_provider_hume.client.v1._runs_query import (
    DEFAULT_PAGE_SIZE,
    RUNS_PATH,
    events_params,
    run_path,
    runs_params,
)
from airflow_provider_hume.client.v1.configs import AudioFileConfig, ImageFileConfig
from airflow_provider_hume.client.v1.errors import (
    HumeMediaError,
    HumeUploadOutcomeUnknownError,
    error_from_v1_response,
    v1_error_code,
)
from airflow_provider_hume.client.v1.limits import MAX_IMAGE_BYTES, MAX_REQUEST_BYTES
from airflow_provider_hume.client.v1.parts import AUDIO_RAW, AUDIO_WAV, IMAGE_JPEG, MediaPart
from airflow_provider_hume.client.v1.results import (
    AudioFileResult,
    ImageFileResult,
    Run,
    RunEvent,
    RunEventsPage,
    RunsPage,
    RunSummary,
)

log = logging.getLogger(__name__)

DEFAULT_V1_BASE_URL = "https://api.cloud.hume.ai"
AUDIO_FILE_PATH = "/v1/expression/audio/file"
VIDEO_FILE_PATH = "/v1/expression/video/file"
UPLOAD_PATHS = {"audio": AUDIO_FILE_PATH, "video": VIDEO_FILE_PATH}
DEFAULT_UPLOAD_TIMEOUT = 900.0
"""✖ A guess: seconds to wait for an upload's answer. Hume publishes no processing time, and one request may
hold 13 minutes of audio (the SDK's 60 s default is risky, hume-api-v1.md §12.1)."""
FIND_MARGIN = timedelta(seconds=5)
"""How far before ``started_after`` :meth:`HumeV1Client.find_upload_runs` looks, for clock skew."""

_Page = TypeVar("_Page", RunsPage, RunEventsPage)
_Item = TypeVar("_Item")
_TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


def _refused_before_measuring(status: int, code: str | None) -> bool:
    """Whether an upload's answer is a refusal that created no billed run, so it may be sent again."""
    return status == 429 or (status == 503 and code == "server_busy")


class HumeV1Client(SessionClient):
    """Measure audio and images with Hume's ``v1`` API, and read its runs.

    ``timeout`` is the read timeout of the runs GETs, ``upload_timeout`` that of the uploads (a guess, see
    :data:`DEFAULT_UPLOAD_TIMEOUT`), ``connect_timeout`` the time allowed to connect. Uploads over
    ``max_request_bytes`` (None: no check) or with an image over 2 MB are refused before any request. A
    ``session`` passed in is used as is and not closed. ``sleep`` and ``clock`` (Unix time) are injectable.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_V1_BASE_URL,
        *,
        timeout: float = 60.0,
        upload_timeout: float = DEFAULT_UPLOAD_TIMEOUT,
        connect_timeout: float = 10.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so sharing the default is safe
        max_request_bytes: int | None = MAX_REQUEST_BYTES,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._api_key = check_api_key(api_key)
        self.base_url = normalize_base_url(base_url)
        self.timeout = check_number(timeout, "timeout", minimum=0.001)
        self.upload_timeout = check_number(upload_timeout, "upload_timeout", minimum=0.001)
        self.connect_timeout = check_number(connect_timeout, "connect_timeout", minimum=0.001)
        if not isinstance(retry, RetryPolicy):
            raise invalid("retry", "must be a RetryPolicy", retry)
        self.retry = retry
        self.max_request_bytes = max_request_bytes
        self._sleep = sleep
        self._clock = clock
        self._owns_session = session is None
        self._session = session if session is not None else new_session()

    # Uploads

    def measure_audio(self, part: MediaPart, config: AudioFileConfig | None = None) -> AudioFileResult:
        """Measure one audio part (16 kHz mono s16 WAV or raw PCM, ``POST /v1/expression/audio/file``)."""
        if not isinstance(part, MediaPart):
            raise invalid("part", "must be a MediaPart", part)
        if part.content_type not in (AUDIO_WAV, AUDIO_RAW):
            raise HumeMediaError(
                f"{part.name} has content type {part.content_type}; audio goes as {AUDIO_WAV} or {AUDIO_RAW}"
            )
        if part.size == 0 or (part.content_type == AUDIO_RAW and part.size % 2):
            raise HumeMediaError(
                f"{part.name} is empty or has an odd number of bytes ({part.size}); "
                "Hume takes whole 16-bit samples"
            )
        if config is not None and not isinstance(config, AudioFileConfig):
            raise invalid("config", "must be an AudioFileConfig or None", config)
        upload = self._upload("audio", [part], None if config is None else config.to_api())
        result = AudioFileResult.from_api(self._post(upload, "audio"))
        log.info(
            "Hume measured %s: run %s, %d utterance(s), %d measurement(s)",
            part.name,
            result.run_id,
            len(result.utterances),
            len(result.measurements),
        )
        return result

    def measure_images(
        self, parts: Sequence[MediaPart], config: ImageFileConfig | None = None
    ) -> ImageFileResult:
        """Measure the faces in JPEG images, one result per image in order (``POST .../video/file``).

        One bad image fails the whole request (hume-api-v1.md §6).
        """
        if isinstance(parts, MediaPart) or not parts:
            raise invalid("parts", "must be a non-empty list of MediaPart", parts)
        for index, part in enumerate(parts):
            if not isinstance(part, MediaPart):
                raise invalid(f"parts[{index}]", "must be a MediaPart", part)
            if part.content_type != IMAGE_JPEG:
                raise HumeMediaError(
                    f"{part.name} has content type {part.content_type}; Hume takes JPEG images only"
                )
            if part.size == 0 or part.size > MAX_IMAGE_BYTES:
                raise HumeMediaError(
                    f"{part.name} has {part.size} bytes; an image must have 1 to {MAX_IMAGE_BYTES:,} bytes "
                    "(downscale it: the images operator does with oversize='downscale')"
                )
        if config is not None and not isinstance(config, ImageFileConfig):
            raise invalid("config", "must be an ImageFileConfig or None", config)
        upload = self._upload("video", parts, None if config is None else config.to_api())
        result = ImageFileResult.from_api(self._post(upload, "video"))
        log.info("Hume measured %d image(s): run %s", result.frames_received, result.run_id)
        return result

    def _upload(
        self, endpoint: str, parts: Sequence[MediaPart], config: Mapping[str, Any] | None
    ) -> MediaUpload:
        size = body_size(parts, config)
        if self.max_request_bytes is not None and size > self.max_request_bytes:
            names = ", ".join(part.name for part in parts[:3]) + (", ..." if len(parts) > 3 else "")
            raise HumeMediaError(
                f"The {endpoint} request for {names} would be {size:,} bytes, over Hume's limit of "
                f"{self.max_request_bytes:,} bytes a request: split it into smaller requests"
            )
        return MediaUpload(parts, config)

    def _post(self, upload: MediaUpload, endpoint: str) -> Any:
        """Send ``upload`` per the rules in the module docstring; the decoded JSON of the 2xx answer."""
        path = UPLOAD_PATHS[endpoint]
        tracker = RetryTracker(self.retry, "POST", path, idempotent=False, clock=self._clock)
        while True:
            started = datetime.fromtimestamp(self._clock(), timezone.utc)
            unknown = partial(self._outcome_unknown, upload, endpoint, started)
            try:
                response = self._send_upload(upload, path)
            except requests.exceptions.SSLError as exc:
                if upload.body_bytes_read:
                    raise unknown(self._describe(exc)) from exc
                raise tls_error(self.base_url, exc) from None
            except _TRANSPORT_ERRORS as exc:
                if upload.read_error is not None:
                    raise self._read_failure(upload) from upload.read_error
                delivery = delivery_of(exc) if upload.body_bytes_read else Delivery.NOT_SENT
                delay = tracker.after_error(exc, delivery)
                if delay is None:
                    if delivery is Delivery.MAYBE_SENT:
                        raise unknown(self._describe(exc)) from exc
                    raise self._connection_error("POST", path, exc, tracker.attempt) from exc
                self._sleep(delay)
                continue
            except requests.RequestException as exc:
                raise HumeError(f"Request to Hume failed (POST {path}): {self._redact(str(exc))}") from None
            status, headers = response.status_code, response.headers
            try:
                body = read_limited(response, MAX_JSON_BODY + 1 if 200 <= status < 300 else MAX_ERROR_BODY)
            except _TRANSPORT_ERRORS as exc:
                raise unknown(
                    f"HTTP {status}, then the answer broke off ({type(exc).__name__})", status
                ) from exc
            finally:
                response.close()
            if 200 <= status < 300:
                try:
                    return self._json(status, body, path)
                except HumeError as exc:
                    raise unknown(exc.message, status) from None
            if 300 <= status < 400:
                raise redirect_error(status, headers.get("Location"), redact=(self._api_key,))
            code = v1_error_code(body)
            if _refused_before_measuring(status, code):
                delay = tracker.after_rejection(status, headers)
                if delay is not None:
                    self._sleep(delay)
                    continue
            error = self._error(status, body, headers)
            if status >= 500 and code is None:
                raise unknown(error.message, status)
            raise error

    def _send_upload(self, upload: MediaUpload, path: str) -> requests.Response:
        try:
            with upload.open() as (data, content_type):
                return self._send("POST", path, None, data, content_type, self.upload_timeout)
        except (*_TRANSPORT_ERRORS, requests.RequestException):
            raise
        except Exception as exc:
            raise self._read_failure(upload, exc) from exc

    def _read_failure(self, upload: MediaUpload, error: BaseException | None = None) -> HumeError:
        error = error or upload.read_error
        names = ", ".join(part.name for part in upload.parts[:3])
        return HumeError(
            f"Reading the media to upload ({names}) failed, so Hume got no complete request: "
            f"{type(error).__name__}: {truncate(self._redact(str(error)), 300)}"
        )

    def _outcome_unknown(
        self, upload: MediaUpload, endpoint: str, started: datetime, reason: str, status: int | None = None
    ) -> HumeUploadOutcomeUnknownError:
        return HumeUploadOutcomeUnknownError(
            f"The {endpoint} upload to {self.base_url} may have reached Hume and been measured (and billed), "
            f"but no answer could be read: {truncate(self._redact(reason), 500)}. It was not sent again. "
            f"Look for its run with find_upload_runs({endpoint!r}, started_after={started.isoformat()}) "
            "before uploading it again.",
            started_after=started,
            endpoint=endpoint,
            media_bytes=upload.media_bytes,
            status_code=status,
        )

    # Runs

    def list_runs(
        self,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
        user_id: str | None = None,
        status: str | None = None,
        mode: str | None = None,
        endpoint: str | None = None,
        started_after: datetime | str | None = None,
        started_before: datetime | str | None = None,
    ) -> RunsPage:
        """One page of the organisation's runs, newest first.

        ``started_after`` is inclusive and ``started_before`` exclusive. Datetimes must be timezone-aware;
        strings must be RFC 3339 with an offset.
        """
        params = runs_params(
            page_size=page_size,
            cursor=cursor,
            user_id=user_id,
            status=status,
            mode=mode,
            endpoint=endpoint,
            started_after=started_after,
            started_before=started_before,
        )
        return RunsPage.from_api(self._get(RUNS_PATH, params))

    def iter_runs(
        self,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        user_id: str | None = None,
        status: str | None = None,
        mode: str | None = None,
        endpoint: str | None = None,
        started_after: datetime | str | None = None,
        started_before: datetime | str | None = None,
    ) -> Iterator[RunSummary]:
        """Every run matching the filters, newest first, following ``next_cursor`` until it is absent."""
        filters: dict[str, Any] = {
            "page_size": page_size,
            "user_id": user_id,
            "status": status,
            "mode": mode,
            "endpoint": endpoint,
            "started_after": started_after,
            "started_before": started_before,
        }
        runs_params(**filters)
        return _follow(lambda cursor: self.list_runs(cursor=cursor, **filters), lambda page: page.runs)

    def get_run(self, run_id: str) -> Run:
        """One run: status, config and billing (404 ``not_found`` for another organisation's run)."""
        return Run.from_api(self._get(run_path(run_id), None))

    def list_run_events(
        self, run_id: str, page_size: int = DEFAULT_PAGE_SIZE, cursor: str | None = None
    ) -> RunEventsPage:
        """One page of a run's event log (realtime runs only record events)."""
        params = events_params(page_size=page_size, cursor=cursor)
        return RunEventsPage.from_api(self._get(run_path(run_id, "/events"), params))

    def iter_run_events(self, run_id: str, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[RunEvent]:
        """Every event of a run in ``seq`` order, following ``next_cursor``."""
        events_params(page_size=page_size)
        run_path(run_id)
        return _follow(
            lambda cursor: self.list_run_events(run_id, page_size, cursor), lambda page: page.events
        )

    def check_connection(self) -> None:
        """Raise unless the server answers an authenticated runs GET (used by the hook's connection test).

        A server that does not serve ``/v1/expression`` raises
        :class:`~airflow_provider_hume.client.v1.errors.HumeNotServingV1Error`.
        """
        self.list_runs(page_size=1)

    def find_upload_runs(
        self,
        endpoint: str,
        started_after: datetime,
        *,
        bytes_received: int | None = None,
        margin: timedelta = FIND_MARGIN,
    ) -> list[RunSummary]:
        """File-mode runs of ``endpoint`` started at or after ``started_after`` less ``margin``, newest first.

        The duplicate lookup after :class:`HumeUploadOutcomeUnknownError` (hume-api-v1.md §12.1). With
        ``bytes_received`` (≈ the media bytes sent: the error's ``media_bytes``), a run that reports its
        ``bytes_received`` must match it; one that does not report it yet is kept. A run "can take a moment to
        appear", and may belong to another upload of the same organisation: it proves a duplicate at most,
        and holds no results.
        """
        if not isinstance(started_after, datetime):
            raise invalid("started_after", "must be a timezone-aware datetime", started_after)
        return [
            run
            for run in self.iter_runs(
                mode="file",
                endpoint=endpoint,
                started_after=started_after - margin,
                page_size=DEFAULT_PAGE_SIZE,
            )
            if bytes_received is None or run.bytes_received is None or run.bytes_received == bytes_received
        ]

    # Transport

    def _get(self, path: str, params: list[tuple[str, str]] | None) -> Any:
        """The decoded JSON of a GET, retried on 408, 429, 5xx and transport failures."""
        tracker = RetryTracker(self.retry, "GET", path, idempotent=True, clock=self._clock)
        while True:
            try:
                response = self._send("GET", path, params, None, None, self.timeout)
                status, headers = response.status_code, response.headers
                try:
                    body = read_limited(
                        response, MAX_JSON_BODY + 1 if 200 <= status < 300 else MAX_ERROR_BODY
                    )
                finally:
                    response.close()
            except requests.exceptions.SSLError as exc:
                raise tls_error(self.base_url, exc) from None
            except _TRANSPORT_ERRORS as exc:
                delay = tracker.after_error(exc, delivery_of(exc))
                if delay is None:
                    raise self._connection_error("GET", path, exc, tracker.attempt) from exc
                self._sleep(delay)
                continue
            except requests.RequestException as exc:
                raise HumeError(f"Request to Hume failed (GET {path}): {self._redact(str(exc))}") from None
            if 200 <= status < 300:
                return self._json(status, body, path)
            if 300 <= status < 400:
                raise redirect_error(status, headers.get("Location"), redact=(self._api_key,))
            delay = tracker.after_status(status, headers)
            if delay is None:
                raise self._error(status, body, headers)
            self._sleep(delay)

    def _send(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]] | None,
        data: Any,
        content_type: str | None,
        read_timeout: float,
    ) -> requests.Response:
        headers = request_headers(self._api_key)
        if content_type:
            headers["Content-Type"] = content_type
        response = self._session.request(
            method,
            f"{self.base_url}{path}",
            params=params,
            data=data,
            headers=headers,
            timeout=(self.connect_timeout, read_timeout),
            stream=True,
            allow_redirects=False,
        )
        log.debug("Hume %s %s -> HTTP %d", method, response.request.path_url, response.status_code)
        return response

    def _json(self, status: int, body: bytes, path: str) -> Any:
        if len(body) > MAX_JSON_BODY:
            raise HumeError(f"Hume's answer to {path} is larger than {MAX_JSON_BODY} bytes", status)
        body = redact_bytes(body, (self._api_key,))
        try:
            return json.loads(body)
        except ValueError:
            raise HumeError(
                f"Hume answered {path} with a body that is not JSON (HTTP {status}): "
                f"{truncate(decode_body(body))}",
                status,
            ) from None

    def _error(self, status: int, body: bytes, headers: Mapping[str, str]) -> HumeError:
        return error_from_v1_response(status, body, headers, base_url=self.base_url, redact=(self._api_key,))

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, REDACTED)

    @staticmethod
    def _describe(error: BaseException) -> str:
        return f"{type(error).__name__}: {error}"

    def _connection_error(
        self, method: str, path: str, error: BaseException, retries: int
    ) -> HumeConnectionError:
        return HumeConnectionError(
            f"Could not get an answer from Hume at {self.base_url} ({method} {path}) after {retries + 1} "
            f"attempt(s): {type(error).__name__}: {truncate(self._redact(str(error)), 300)}"
        )


def _follow(
    fetch: Callable[[str | None], _Page], items: Callable[[_Page], Sequence[_Item]]
) -> Iterator[_Item]:
    """The items of every page, from the first one to the page without ``next_cursor``."""
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page = fetch(cursor)
        yield from items(page)
        cursor = page.next_cursor
        if cursor is None:
            return
        if cursor in seen:
            raise HumeError(
                f"Hume returned the cursor {truncate(cursor, 80)} twice; stopping to avoid a loop"
            )
        seen.add(cursor)
