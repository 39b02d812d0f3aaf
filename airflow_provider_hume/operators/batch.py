"""``HumeBatchSubmitOperator``: starts a Hume batch inference job, optionally waiting for it."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator, Context, conf
from airflow.sdk.exceptions import AirflowFailException

from airflow_provider_hume.client import (
    HumeAuthError,
    HumeBatchClient,
    HumeJobFailedError,
    HumeNotFoundError,
    HumeValidationError,
    JobRequest,
    JobStatus,
    Models,
    UploadSource,
    coerce_models,
)
from airflow_provider_hume.client.config import MAX_FILES, MAX_URLS
from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.links.job import HumeJobLink, persist_job_link
from airflow_provider_hume.operators._s3_inputs import (
    S3InputMode,
    S3InputResolver,
    S3Location,
    check_counts,
    split_s3,
)
from airflow_provider_hume.triggers.events import HumeJobTimeoutError, job_id_from_event
from airflow_provider_hume.triggers.job import HumeJobTrigger

if TYPE_CHECKING:
    from airflow_provider_hume.lineage import HumeLineage

#: Key under which the submitted job id survives retries in Airflow's task state store (Airflow >= 3.3).
JOB_ID_STATE_KEY = "hume_job_id"


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    """Accept one string or a list of them, as templated DAGs tend to pass either."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


class HumeBatchSubmitOperator(BaseOperator):
    """
    Submit a Hume batch job from media URLs, local files and/or raw text; return its job id.

    The job id is pushed to XCom (``job_id`` and the return value) before any waiting. Model configs are
    validated before any request, so a bad config fails the task with a message naming the field. On
    Airflow >= 3.3 the job id is also kept in the task state store: a retried task re-attaches to a job
    that is still queued, running or completed instead of submitting a duplicate.

    Hume ``v0`` has no cancel endpoint: killing the task cannot stop a job that was already submitted.

    :param urls: Media or archive URLs (templated). ``s3://bucket/key`` and ``s3://bucket/prefix/`` (every
        object under the prefix) are accepted here and in ``files``; see ``s3_input_mode``.
    :param files: Local file paths, uploaded as a streamed multipart body (templated).
    :param text: Raw text strings for the language/NER models (templated).
    :param models: Model configs: ``Models`` or a dict in the API's JSON shape, e.g.
        ``{"face": {"fps_pred": 1}, "language": {"granularity": "sentence"}}``; omitted = all models
        (templated).
    :param transcription: ``Transcription`` or dict; ``False`` disables transcription (templated).
    :param callback_url: URL Hume POSTs the outcome to (templated).
    :param notify: Ask Hume to email the account owner when the job ends.
    :param hume_conn_id: The ``hume`` connection.
    :param wait_for_completion: Wait for COMPLETED (and fail on FAILED) before the task succeeds.
    :param deferrable: While waiting, free the worker slot and poll from the triggerer.
    :param poll_interval: Seconds between job-details polls while waiting.
    :param timeout: Seconds to wait for the job before failing the task (the job itself goes on).
    :param s3_input_mode: What becomes of ``s3://`` entries: ``"presigned"`` (default) sends presigned GET
        URLs that Hume downloads itself, so no bytes pass through the worker; ``"upload"`` streams each object
        from S3 into the multipart body. Together with the other inputs they stay within Hume's 100 per job.
    :param presigned_expiry_seconds: Lifetime of presigned URLs; they must outlive the job's queue time.
    :param aws_conn_id: The AWS connection used for ``s3://`` entries (needs the ``amazon`` extra).
    """

    template_fields: Sequence[str] = ("urls", "files", "text", "models", "transcription", "callback_url")
    template_fields_renderers: ClassVar[dict[str, str]] = {"models": "json", "transcription": "json"}
    ui_color = "#e4d7ff"
    operator_extra_links = (HumeJobLink(),)

    def __init__(
        self,
        *,
        urls: str | Sequence[str] | None = None,
        files: str | Sequence[str] | None = None,
        text: str | Sequence[str] | None = None,
        models: Any = None,
        transcription: Any = None,
        callback_url: str | None = None,
        notify: bool | None = None,
        hume_conn_id: str = HumeHook.default_conn_name,
        wait_for_completion: bool = False,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poll_interval: float = 10.0,
        timeout: float = 24 * 60 * 60,
        s3_input_mode: S3InputMode = "presigned",
        presigned_expiry_seconds: int = 3600,
        aws_conn_id: str | None = "aws_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.files = files
        self.text = text
        self.models = models
        self.transcription = transcription
        self.callback_url = callback_url
        self.notify = notify
        self.hume_conn_id = hume_conn_id
        self.wait_for_completion = wait_for_completion
        self.deferrable = deferrable
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.s3_input_mode = s3_input_mode
        self.presigned_expiry_seconds = presigned_expiry_seconds
        self.aws_conn_id = aws_conn_id
        self._local_files: list[str] = []
        self._s3_locations: list[S3Location] = []
        self._s3_inputs: list[str] = []
        self._job_id: str | None = None
        self._base_url: str | None = None

    def _build_request(self) -> JobRequest:
        """Validate every input before any network call; invalid input fails the task without retries."""
        try:
            urls, s3_urls = split_s3(_as_list(self.urls), "urls")
            self._local_files, s3_files = split_s3(_as_list(self.files), "files")
            self._s3_locations = s3_urls + s3_files
            request = JobRequest.build(
                urls=urls,
                text=_as_list(self.text),
                models=self.models,
                transcription=self.transcription,
                callback_url=self.callback_url,
                notify=self.notify,
            )
            s3_count = len(self._s3_locations)
            check_counts(len(urls), len(self._local_files), s3_count, self.s3_input_mode, bool(request.text))
            if self._s3_locations and (
                isinstance(self.presigned_expiry_seconds, bool)
                or not isinstance(self.presigned_expiry_seconds, int)
                or not 1 <= self.presigned_expiry_seconds <= 7 * 24 * 3600
            ):
                raise HumeValidationError("presigned_expiry_seconds must be an integer from 1 to 604800")
        except HumeValidationError as err:
            raise AirflowFailException(f"Invalid Hume job request: {err}") from err
        return request

    def execute(self, context: Context) -> str:
        request = self._build_request()
        store = context.get("task_state_store")
        with HumeHook(self.hume_conn_id).get_client() as client:
            self._base_url = client.base_url
            job_id = self._job_from_earlier_try(client, store) or self._submit(client, request, store)
            self._job_id = job_id
            context["ti"].xcom_push(key="job_id", value=job_id)
            persist_job_link(context, self.hume_conn_id, job_id)
            if not self.wait_for_completion:
                return job_id
            end_time = time.time() + self.timeout
            if not self.deferrable:
                return self._wait(client, job_id, end_time)
        self.log.info("Deferring to HumeJobTrigger: the triggerer now waits for Hume job %s", job_id)
        self.defer(
            trigger=HumeJobTrigger(
                job_id=job_id,
                hume_conn_id=self.hume_conn_id,
                end_time=end_time,
                poll_interval=self.poll_interval,
            ),
            method_name="execute_complete",
        )

    def _job_from_earlier_try(self, client: HumeBatchClient, store: Any) -> str | None:
        """Return the job an earlier try of this task submitted, if it can still succeed."""
        if store is None:
            self.log.info("No task state store (Airflow < 3.3): a retry of this task submits a new job.")
            return None
        job_id = store.get(JOB_ID_STATE_KEY)
        if not job_id:
            return None
        try:
            status = client.get_job_details(str(job_id)).state.status
        except HumeNotFoundError:
            self.log.warning("Job %s from an earlier try is unknown to Hume; submitting a new one.", job_id)
            return None
        if status is JobStatus.FAILED:
            self.log.warning("Job %s from an earlier try FAILED; submitting a new one.", job_id)
            return None
        self.log.info(
            "Re-attaching to Hume job %s (%s) from an earlier try; no new job.", job_id, status.value
        )
        return str(job_id)

    def _resolve_s3(self, request: JobRequest) -> tuple[JobRequest, list[str | UploadSource]]:
        """Turn ``s3://`` entries into presigned URLs or streamed file parts (S3 calls only, no Hume call)."""
        files: list[str | UploadSource] = list(self._local_files)
        if not self._s3_locations:
            return request, files
        resolver = S3InputResolver(self.aws_conn_id)
        try:
            if self.s3_input_mode == "upload":
                objects = resolver.expand(self._s3_locations, MAX_FILES - len(files), "files")
                files.extend(resolver.upload_source(obj) for obj in objects)
            else:
                objects = resolver.expand(self._s3_locations, MAX_URLS - len(request.urls), "urls")
                presigned = [resolver.presign(obj, self.presigned_expiry_seconds) for obj in objects]
                request = dataclasses.replace(request, urls=(*request.urls, *presigned))
        except HumeValidationError as err:
            raise AirflowFailException(f"Invalid Hume job request: {err}") from err
        self._s3_inputs = [obj.uri for obj in objects]
        self.log.info("Resolved %d S3 object(s) (%s mode)", len(objects), self.s3_input_mode)
        return request, files

    def _submit(self, client: HumeBatchClient, request: JobRequest, store: Any) -> str:
        request, files = self._resolve_s3(request)
        self.log.info(
            "Submitting Hume job: %d urls, %d files, %d texts",
            len(request.urls),
            len(files),
            len(request.text),
        )
        try:
            job_id = client.submit_job(request, files=files)
        except (HumeValidationError, HumeAuthError) as err:
            raise AirflowFailException(str(err)) from err
        if store is not None:
            store.set(JOB_ID_STATE_KEY, job_id)
        self.log.info("Submitted Hume job %s", job_id)
        return job_id

    def _wait(self, client: HumeBatchClient, job_id: str, end_time: float) -> str:
        """Poll from the worker until the job ends (non-deferrable mode)."""
        last_status: JobStatus | None = None
        while True:
            state = client.get_job_details(job_id).state
            if state.status is not last_status:
                self.log.info("Hume job %s is %s", job_id, state.status.value)
                last_status = state.status
            if state.status is JobStatus.COMPLETED:
                return job_id
            if state.status is JobStatus.FAILED:
                raise HumeJobFailedError(job_id, state.message or "no message from Hume")
            remaining = end_time - time.time()
            if remaining <= 0:
                raise HumeJobTimeoutError(
                    f"Hume job {job_id} still {state.status.value} after {self.timeout:.0f}s; "
                    "it may still finish on Hume's side."
                )
            time.sleep(min(self.poll_interval, remaining))

    def execute_complete(self, context: Context, event: Mapping[str, Any] | None = None) -> str:
        """Resume after the trigger fired: return the job id or raise for any other outcome."""
        job_id = job_id_from_event(dict(event) if event is not None else None)
        self._job_id = job_id
        self.log.info("Hume job %s completed", job_id)
        return job_id

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> HumeLineage:
        """Inputs (URLs, local files, S3 objects) and a ``hume_job`` run facet (job id, models, API host)."""
        from airflow_provider_hume import lineage

        urls, s3_urls = split_s3(_as_list(self.urls), "urls")
        files, s3_files = split_s3(_as_list(self.files), "files")
        # Objects found under a prefix are known only to the instance that submitted (not after a deferral).
        s3_uris = self._s3_inputs or [location.uri for location in s3_urls + s3_files]
        inputs = [
            *(lineage.url_dataset(url) for url in urls),
            *(lineage.file_dataset(path) for path in files),
            *(lineage.s3_uri_dataset(uri) for uri in s3_uris),
        ]
        models = coerce_models(self.models)
        names = models.enabled if models else [field.name for field in dataclasses.fields(Models)]
        base_url = self._base_url or HumeHook(self.hume_conn_id).get_settings().base_url
        return lineage.submit_lineage(inputs=inputs, job_id=self._job_id, models=names, base_url=base_url)

    def on_kill(self) -> None:
        self.log.warning(
            "Task killed. Hume v0 has no cancel endpoint: "
            "a job already submitted keeps running on Hume's side."
        )
