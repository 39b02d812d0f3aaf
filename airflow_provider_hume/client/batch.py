"""Synchronous client for Hume's batch API (hume-api-v0.md §2) on a ``requests`` session.

Bodies that can be large (predictions, artifacts, uploads) are streamed; only the small JSON answers (job id,
job details, job list) and at most 64 KiB of an error body are read into memory. Retries follow
:mod:`airflow_provider_hume.client.retry`; the API key travels only in the ``X-Hume-Api-Key`` header.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from types import TracebackType
from typing import Any, BinaryIO, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError
from urllib3.util.retry import Retry

from airflow_provider_hume import DEFAULT_BASE_URL
from airflow_provider_hume.client._fields import check_number
from airflow_provider_hume.client._upload import FileInput, MultipartUpload, check_files
from airflow_provider_hume.client.body_framing import Verification, check_verification, framed_check
from airflow_provider_hume.client.errors import (
    REDACTED,
    HumeConnectionError,
    HumeError,
    error_from_response,
    error_in_success_body,
    redact_bytes,
    tls_error,
    truncate,
)
from airflow_provider_hume.client.job_request import JobRequest
from airflow_provider_hume.client.jobs import JobDetails, JobStatus
from airflow_provider_hume.client.json_structure import JsonStructureCheck
from airflow_provider_hume.client.protocol import (
    JOBS_PATH,
    MAX_ERROR_BODY,
    MAX_JSON_BODY,
    check_api_key,
    job_path,
    list_jobs_params,
    normalize_base_url,
    parse_job_details,
    parse_job_id,
    parse_job_list,
    redirect_error,
    request_headers,
)
from airflow_provider_hume.client.retry import Delivery, RetryPolicy, RetryTracker
from airflow_provider_hume.client.submission import SubmissionFingerprint
from airflow_provider_hume.client.verify import (
    BROKEN_BODY_ERRORS,
    BodyCheck,
    VerifiedBody,
    content_length,
)
from airflow_provider_hume.client.waiting import JobWait, StepLogger, WaitStep, log_step
from airflow_provider_hume.client.zip_check import ZipCheck

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_Body = Callable[[], contextlib.AbstractContextManager[tuple[Any, str | None]]]
_TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
_STREAM_BUFFER = 64 * 1024
#: Jobs asked for per page when looking for the job a lost submit created.
LIST_PAGE = 100


def delivery_of(error: BaseException) -> Delivery:
    """Whether a ``requests`` failure proves the request never reached the server."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return Delivery.NOT_SENT
    if isinstance(error, requests.ConnectionError):
        pending: list[Any] = [error]
        seen: set[int] = set()
        while pending:
            current = pending.pop()
            if not isinstance(current, BaseException) or id(current) in seen:
                continue
            seen.add(id(current))
            if isinstance(current, NewConnectionError):
                return Delivery.NOT_SENT
            pending.extend(
                [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
            )
    return Delivery.MAYBE_SENT


def new_session() -> requests.Session:
    """A session whose urllib3 layer never retries on its own: retries are decided in one place."""
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=Retry(total=0, read=False, redirect=False))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def read_limited(response: requests.Response, limit: int) -> bytes:
    """At most ``limit`` bytes of a streamed response's body (decoded)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=_STREAM_BUFFER):
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def _fixed_body(
    data: Any, content_type: str | None
) -> contextlib.AbstractContextManager[tuple[Any, str | None]]:
    """A body that can be sent again as is on every attempt."""
    return contextlib.nullcontext((data, content_type))


_no_body: _Body = partial(_fixed_body, None, None)


_Client = TypeVar("_Client", bound="SessionClient")


class SessionClient:
    """A client over one ``requests`` session: closed with the client only if the client created it."""

    base_url: str
    _owns_session: bool
    _session: requests.Session

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def __enter__(self: _Client) -> _Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._owns_session:
            self._session.close()


class HumeBatchClient(SessionClient):
    """Submit batch jobs, read their details and stream their results.

    ``timeout`` is the read timeout of each request and ``connect_timeout`` the time allowed to connect. A
    ``session`` passed in is used as is and not closed; it should not retry on its own (requests' default
    adapters do not). ``sleep`` and ``clock`` (Unix time) are injectable so tests can run waits without
    waiting.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        retry_policy: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so sharing the default is safe
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._api_key = check_api_key(api_key)
        self.base_url = normalize_base_url(base_url)
        self.timeout = check_number(timeout, "timeout", minimum=0.001)
        self.connect_timeout = check_number(connect_timeout, "connect_timeout", minimum=0.001)
        self.retry_policy = retry_policy
        self._sleep = sleep
        self._clock = clock
        self._owns_session = session is None
        self._session = session if session is not None else new_session()

    def submit_job(self, request: JobRequest, files: FileInput | Sequence[FileInput] = ()) -> str:
        """Start a job and return its id; with ``files`` the body is a multipart upload streamed from disk.

        An :class:`~airflow_provider_hume.client.UploadSource` among ``files`` is streamed from its own
        stream instead, reopened for every attempt.

        Everything is validated before the first byte is sent. The POST is retried only when it provably never
        reached Hume, so a job is never created twice.
        """
        if not isinstance(request, JobRequest):
            raise TypeError(f"request must be a JobRequest, got {type(request).__name__}")
        paths = check_files(files)
        request.validate_inputs(len(paths))
        payload = json.dumps(request.to_api())
        body: _Body = (
            MultipartUpload(payload, paths).open
            if paths
            else partial(_fixed_body, payload.encode("utf-8"), "application/json")
        )
        status, headers, raw = self._call("POST", JOBS_PATH, idempotent=False, body=body, consume=self._small)
        job_id = parse_job_id(status, raw, headers, redact=(self._api_key,))
        log.info("Hume job %s created", job_id)
        return job_id

    def get_job_details(self, job_id: str, *, deadline: float = math.inf) -> JobDetails:
        """The job's request echo and state; no retry is started that would end past ``deadline``."""
        path = job_path(job_id)
        status, headers, raw = self._call("GET", path, consume=self._small, deadline=deadline)
        return parse_job_details(status, raw, headers, job_id.strip(), redact=(self._api_key,))

    def check_job(self, wait: JobWait) -> WaitStep:
        """Poll the job's details once and return what ``wait`` makes of the answer."""
        try:
            details = self.get_job_details(wait.job_id, deadline=wait.deadline_at(self._clock()))
        except HumeError as err:
            return wait.after_error(err, self._clock())
        return wait.after_state(details.state, self._clock())

    def wait_for_job(
        self,
        job_id: str,
        *,
        deadline: float = math.inf,
        timeout: float | None = None,
        poll_interval: float = 10.0,
        max_consecutive_poll_errors: int | None = None,
        logger: StepLogger = log,
    ) -> WaitStep:
        """Poll until the job ends, the deadline passes or an error ends the wait.

        The deadline is ``deadline`` (Unix time) or ``timeout`` seconds after the first poll.
        Returns the final step (see :mod:`airflow_provider_hume.client.waiting`); never raises for the
        job's outcome, so every caller maps it the same way.
        """
        wait = JobWait(
            job_id,
            deadline=deadline,
            poll_interval=poll_interval,
            max_consecutive_poll_errors=max_consecutive_poll_errors,
            timeout=timeout,
        )
        while True:
            step = self.check_job(wait)
            log_step(step, logger)
            if step.is_final:
                return step
            self._sleep(step.sleep_seconds)

    def list_jobs(
        self,
        *,
        limit: int | None = None,
        statuses: Sequence[JobStatus | str] | None = None,
        when: str | None = None,
        timestamp_ms: int | None = None,
        sort_by: str | None = None,
        direction: str | None = None,
    ) -> list[JobDetails]:
        """Jobs of this account, filtered and sorted by Hume (§2.5)."""
        params = list_jobs_params(
            limit=limit,
            statuses=statuses,
            when=when,
            timestamp_ms=timestamp_ms,
            sort_by=sort_by,
            direction=direction,
        )
        status, headers, raw = self._call("GET", JOBS_PATH, params=params, consume=self._small)
        return parse_job_list(status, raw, headers, redact=(self._api_key,))

    def find_jobs_like(
        self, fingerprint: SubmissionFingerprint, *, created_after_ms: int, max_pages: int = 10
    ) -> list[JobDetails]:
        """Jobs created after ``created_after_ms`` (Unix ms) that match ``fingerprint``, oldest first.

        Pages through the list ``LIST_PAGE`` jobs at a time, ``max_pages`` pages at most.
        """
        found: list[JobDetails] = []
        after = created_after_ms
        for _ in range(max_pages):
            page = self.list_jobs(
                limit=LIST_PAGE, when="created_after", timestamp_ms=after, sort_by="created", direction="asc"
            )
            found.extend(job for job in page if fingerprint.matches(job))
            created = [job.state.created_timestamp_ms for job in page if job.state.created_timestamp_ms]
            if len(page) < LIST_PAGE or not created or max(created) <= after:
                break
            after = max(created)
        return found

    def check_connection(self) -> None:
        """Raise unless Hume answers an authenticated request (used by the hook's connection test)."""
        self.list_jobs(limit=1)

    def open_predictions(
        self, job_id: str, *, verify: Verification = "unframed"
    ) -> contextlib.AbstractContextManager[BinaryIO]:
        """The predictions JSON of a completed job as a binary stream, closed on exit.

        The stream reports EOF only once the body is known whole: its announced length (or its last chunk)
        arrived and, as ``verify`` says (see :mod:`~airflow_provider_hume.client.body_framing`), it is one
        whole JSON value (its structure checked, see
        :class:`~airflow_provider_hume.client.json_structure.JsonStructureCheck`). Otherwise a read raises
        :class:`~airflow_provider_hume.client.HumeBodyError` (a :class:`HumeConnectionError`) first.
        """
        return self._open_stream(
            job_path(job_id, "/predictions"),
            f"predictions of Hume job {job_id.strip()}",
            JsonStructureCheck(),
            check_verification(verify),
        )

    def open_artifacts(
        self, job_id: str, *, verify: Verification = "unframed"
    ) -> contextlib.AbstractContextManager[BinaryIO]:
        """The artifacts ZIP of a completed job as a binary stream, closed on exit.

        The stream reports EOF only once the body is known whole: its announced length arrived (or its last
        chunk) and, as ``verify`` says (see :mod:`~airflow_provider_hume.client.body_framing`), every entry
        passed its CRC-32 check and the central directory matched the entries (see
        :mod:`~airflow_provider_hume.client.zip_check`). Otherwise a read raises
        :class:`~airflow_provider_hume.client.HumeBodyError` (a :class:`HumeConnectionError`) first.
        """
        return self._open_stream(
            job_path(job_id, "/artifacts"),
            f"artifacts of Hume job {job_id.strip()}",
            ZipCheck(),
            check_verification(verify),
        )

    @contextlib.contextmanager
    def _open_stream(
        self, path: str, body: str, check: BodyCheck, verify: Verification
    ) -> Iterator[BinaryIO]:
        """Stream ``path``'s body through ``check`` (as ``verify`` says); transport errors mid-body become a
        ``HumeBodyError``."""
        response = self._call("GET", path, consume=lambda response: response)
        try:
            raw = response.raw
            raw.decode_content = True
            # Readers may read again at EOF (boto3 does); urllib3 would have closed the stream by then.
            raw.auto_close = False
            # A body shorter than its Content-Length raises instead of ending quietly (urllib3 2's default).
            raw.enforce_content_length = True
            stream = io.BufferedReader(raw, _STREAM_BUFFER)
            expected_length = content_length(response.headers)
            verified = VerifiedBody(
                stream,
                framed_check(check, verify, framed=expected_length is not None or bool(raw.chunked)),
                body=body,
                expected_length=expected_length,
                wire_bytes=raw.tell,
                redact=(self._api_key,),
            )
            try:
                self._raise_for_error_object(response, stream)
            except BROKEN_BODY_ERRORS as exc:
                raise verified.broken_off(exc) from exc
            yield io.BufferedReader(verified, _STREAM_BUFFER)
        finally:
            response.close()

    def _raise_for_error_object(self, response: requests.Response, stream: io.BufferedReader) -> None:
        """Predictions are a JSON array and artifacts a ZIP: a leading ``{`` is an error sent with a 2xx."""
        if not stream.peek(64)[:64].lstrip().startswith(b"{"):
            return
        body = redact_bytes(stream.read(MAX_ERROR_BODY), (self._api_key,))
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        error = error_in_success_body(response.status_code, data, body, response.headers)
        raise error or HumeError(
            f"Hume returned an unexpected JSON object (HTTP {response.status_code}): "
            f"{truncate(body.decode('utf-8', errors='replace'))}",
            response.status_code,
        )

    def _small(self, response: requests.Response) -> tuple[int, Mapping[str, str], bytes]:
        """Status, headers and body of a small JSON answer, refusing bodies beyond ``MAX_JSON_BODY``."""
        try:
            body = self._read(response, MAX_JSON_BODY + 1)
        finally:
            response.close()
        if len(body) > MAX_JSON_BODY:
            raise HumeError(f"Hume's answer is larger than {MAX_JSON_BODY} bytes", response.status_code)
        return response.status_code, response.headers, body

    @staticmethod
    def _read(response: requests.Response, limit: int) -> bytes:
        return read_limited(response, limit)

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, REDACTED)

    def _call(
        self,
        method: str,
        path: str,
        *,
        consume: Callable[[requests.Response], _T],
        params: list[tuple[str, str]] | None = None,
        idempotent: bool = True,
        body: _Body = _no_body,
        deadline: float = math.inf,
    ) -> _T:
        """Send with retries until a 2xx answer is read by ``consume``; errors become :class:`HumeError`."""
        tracker = RetryTracker(
            self.retry_policy, method, path, idempotent, deadline=deadline, clock=self._clock
        )
        url = f"{self.base_url}{path}"
        while True:
            try:
                with body() as (data, content_type):
                    response = self._send(method, url, params, data, content_type)
                if 200 <= response.status_code < 300:
                    return consume(response)
            except requests.exceptions.SSLError as exc:
                raise tls_error(self.base_url, exc) from None
            except _TRANSPORT_ERRORS as exc:
                delay = tracker.after_error(exc, delivery_of(exc))
                if delay is None:
                    raise self._connection_error(method, path, exc, tracker.attempt, idempotent) from exc
                self._sleep(delay)
                continue
            except requests.RequestException as exc:
                raise HumeError(
                    f"Request to Hume failed ({method} {path}): {self._redact(str(exc))}"
                ) from None
            self._raise_or_wait(response, tracker)

    def _send(
        self, method: str, url: str, params: list[tuple[str, str]] | None, data: Any, content_type: str | None
    ) -> requests.Response:
        headers = request_headers(self._api_key)
        if content_type:
            headers["Content-Type"] = content_type
        response = self._session.request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            timeout=(self.connect_timeout, self.timeout),
            stream=True,
            allow_redirects=False,
        )
        log.debug("Hume %s %s -> HTTP %d", method, response.request.path_url, response.status_code)
        return response

    def _raise_or_wait(self, response: requests.Response, tracker: RetryTracker) -> None:
        """Sleep before the next attempt, or raise the error this non-2xx response stands for."""
        try:
            if 300 <= response.status_code < 400:
                location = response.headers.get("Location")
                raise redirect_error(response.status_code, location, redact=(self._api_key,))
            delay = tracker.after_status(response.status_code, response.headers)
            if delay is None:
                body = self._read(response, MAX_ERROR_BODY)
                raise error_from_response(
                    response.status_code, body, response.headers, redact=(self._api_key,)
                )
        except _TRANSPORT_ERRORS as exc:
            raise HumeConnectionError(
                f"Hume answered HTTP {response.status_code} but the connection broke while reading it: "
                f"{type(exc).__name__}",
                response.status_code,
            ) from exc
        finally:
            response.close()
        self._sleep(delay)

    def _connection_error(
        self, method: str, path: str, error: BaseException, retries: int, idempotent: bool
    ) -> HumeConnectionError:
        message = (
            f"Could not get an answer from Hume at {self.base_url} ({method} {path}) after {retries + 1} "
            f"attempt(s): {type(error).__name__}: {truncate(self._redact(str(error)), 300)}"
        )
        if not idempotent and delivery_of(error) is Delivery.MAYBE_SENT:
            message += " The request may have reached Hume: check list_jobs before submitting the job again."
        return HumeConnectionError(message)
