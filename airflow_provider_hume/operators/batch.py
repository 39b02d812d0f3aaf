"""``HumeBatchSubmitOperator``: starts a Hume batch inference job, optionally waiting for it."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator, Context

from airflow_provider_hume._compat import AirflowFailException, conf
from airflow_provider_hume._s3 import names_s3, require_amazon_provider
from airflow_provider_hume._source_errors import check_source_errors
from airflow_provider_hume.client import (
    MAX_FILES,
    MAX_URLS,
    HumeAuthError,
    HumeError,
    HumeNotFoundError,
    HumeRateLimitError,
    HumeTLSError,
    HumeValidationError,
    JobRequest,
    JobStatus,
    Models,
    OnSourceError,
    SubmissionFingerprint,
    UploadSource,
    check_error_budget,
    check_input_counts,
    check_on_source_error,
    check_poll_interval,
    coerce_models,
)
from airflow_provider_hume.hooks.hume import HumeHook
from airflow_provider_hume.links.job import HumeJobLink
from airflow_provider_hume.operators._batch_inputs import BatchInputs
from airflow_provider_hume.operators._lost_submission import (
    SUBMISSION_STATE_KEY,
    SubmissionRecord,
    find_lost_job,
)
from airflow_provider_hume.operators._s3_inputs import S3_INPUT_MODES, S3InputMode, S3InputResolver
from airflow_provider_hume.triggers.events import event_from_step, job_id_from_event

if TYPE_CHECKING:
    from airflow_provider_hume.lineage import HumeLineage

#: Status reported for a job from an earlier try that Hume does not know (any more).
UNKNOWN_JOB_STATUS = "UNKNOWN"
_ACTIVE_STATUSES = frozenset({JobStatus.QUEUED.value, JobStatus.IN_PROGRESS.value})
_MAX_PRESIGNED_EXPIRY = 7 * 24 * 3600


class HumeBatchSubmitOperator(BaseOperator):
    """
    Submit a Hume batch job from media URLs, local files and/or raw text; return its job id.

    The job id is pushed to XCom (``job_id`` and the return value) before any waiting. Model configs are
    validated before any request, so a bad config fails the task with a message naming the field. On
    Airflow >= 3.3 the job id is also kept in the task state store: a retried task re-attaches to a job
    that is still queued, running or completed instead of submitting a duplicate. What a submit sends is
    recorded there before the POST, so a submit whose answer was lost (a 502 after Hume acted, a dropped
    connection, a worker killed mid-call) is found again among the jobs created since, in the same try or
    the next (see ``docs/reliability.md`` for the window Hume ``v0``, which has no idempotency key, leaves).

    Hume ``v0`` has no cancel endpoint: killing the task cannot stop a job that was already submitted.

    The resume steps carry the names of Airflow's ``ResumableJobMixin`` (``submit_job``, ``get_job_status``,
    ``is_job_active``, ``is_job_succeeded``, ``poll_until_complete``, ``get_job_result``, and
    ``external_id_key`` for the task state store), so adopting the mixin later removes ``execute`` only.

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
    :param hume_conn_id: The ``hume`` connection (templated).
    :param wait_for_completion: Wait for COMPLETED (and fail on FAILED) before the task succeeds.
    :param deferrable: While waiting, free the worker slot and poll from the triggerer.
    :param poll_interval: Seconds between job-details polls while waiting (at least 1; negative is an error).
    :param max_consecutive_poll_errors: Failed polls in a row (connection errors, 5xx, 429, unreadable
        answers) before the wait gives up naming the last error; default about five minutes' worth.
    :param timeout: Seconds to wait for the job before failing the task (the job itself goes on).
    :param on_source_error: When waiting, what a job that COMPLETED with failed sources (Hume's
        ``num_errors``) does to the task: ``"warn"`` (default) logs each failed source with Hume's message
        and succeeds; ``"fail"`` fails the task (no retries) naming how many failed and the first few.
    :param s3_input_mode: What becomes of ``s3://`` entries: ``"presigned"`` (default) sends presigned GET
        URLs that Hume downloads itself, so no bytes pass through the worker; ``"upload"`` streams each object
        from S3 into the multipart body. Together with the other inputs they stay within Hume's 100 per job.
    :param presigned_expiry_seconds: Lifetime of presigned URLs; they must outlive the job's queue time.
    :param aws_conn_id: The AWS connection used for ``s3://`` entries (templated). They need the ``amazon``
        extra, checked when the operator is built for entries written as ``s3://`` URIs.
    :param durable: Use the task state store to re-attach instead of submitting twice (default ``True``);
        ``False`` makes every try submit a new job.
    """

    template_fields: Sequence[str] = (
        "urls",
        "files",
        "text",
        "models",
        "transcription",
        "callback_url",
        "hume_conn_id",
        "aws_conn_id",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"models": "json", "transcription": "json"}
    ui_color = "#e4d7ff"
    operator_extra_links = (HumeJobLink(),)
    #: Key under which the submitted job id survives retries in Airflow's task state store (Airflow >= 3.3).
    external_id_key = "hume_job_id"

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
        max_consecutive_poll_errors: int | None = None,
        timeout: float = 24 * 60 * 60,
        on_source_error: OnSourceError = "warn",
        s3_input_mode: S3InputMode = "presigned",
        presigned_expiry_seconds: int = 3600,
        aws_conn_id: str | None = "aws_default",
        durable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if names_s3(urls, files):
            require_amazon_provider()
        self.durable = durable
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
        self.poll_interval = check_poll_interval(poll_interval)
        self.max_consecutive_poll_errors = check_error_budget(max_consecutive_poll_errors, self.poll_interval)
        self.timeout = timeout
        self.on_source_error = check_on_source_error(on_source_error)
        self.s3_input_mode = s3_input_mode
        self.presigned_expiry_seconds = presigned_expiry_seconds
        self.aws_conn_id = aws_conn_id
        #: The ``s3://`` objects the submitted job read (prefixes expanded), for lineage.
        self.s3_objects: tuple[str, ...] = ()
        #: The job this instance submitted or re-attached to, for lineage.
        self.job_id: str | None = None

    @cached_property
    def hook(self) -> HumeHook:
        """The hook the operator's clients come from."""
        return HumeHook(self.hume_conn_id)

    @cached_property
    def inputs(self) -> BatchInputs:
        """``urls``, ``files`` and ``text`` as rendered, parsed once (syntax only)."""
        return BatchInputs.parse(urls=self.urls, files=self.files, text=self.text)

    def validated_request(self) -> JobRequest:
        """Validate every argument before any network call; invalid input fails the task without retries."""
        try:
            request = JobRequest.build(
                urls=self.inputs.urls,
                text=self.inputs.texts,
                models=self.models,
                transcription=self.transcription,
                callback_url=self.callback_url,
                notify=self.notify,
            )
            self._check_s3_arguments()
            s3_count = len(self.inputs.s3)
            presigned = self.s3_input_mode == "presigned"
            check_input_counts(
                urls=len(request.urls) + (s3_count if presigned else 0),
                files=len(self.inputs.files) + (0 if presigned else s3_count),
                texts=len(request.text),
                counted=" (s3:// entries included)" if s3_count else "",
            )
        except HumeValidationError as err:
            raise AirflowFailException(f"Invalid Hume job request: {err}") from err
        return request

    def _check_s3_arguments(self) -> None:
        if self.s3_input_mode not in S3_INPUT_MODES:
            raise HumeValidationError(
                f"s3_input_mode must be one of {S3_INPUT_MODES} (got {self.s3_input_mode!r})"
            )
        expiry = self.presigned_expiry_seconds
        if self.inputs.s3 and (
            isinstance(expiry, bool)
            or not isinstance(expiry, int)
            or not 1 <= expiry <= _MAX_PRESIGNED_EXPIRY
        ):
            raise HumeValidationError(
                f"presigned_expiry_seconds must be an integer from 1 to {_MAX_PRESIGNED_EXPIRY}"
            )

    def execute(self, context: Context) -> str:
        self.validated_request()
        store = self._state_store(context)
        job_id = self._job_from_earlier_try(store, context)
        if job_id is None:
            job_id = self.submit_job(context)
            if store is not None:
                store.set(self.external_id_key, job_id)
                store.delete(SUBMISSION_STATE_KEY)
        self.job_id = job_id
        context["ti"].xcom_push(key="job_id", value=job_id)
        HumeJobLink.persist(context, self, self.hook.get_settings(), job_id)
        self.poll_until_complete(job_id, context)
        return self.get_job_result(job_id, context)

    def _state_store(self, context: Context) -> Any:
        """Airflow's task state store, unless the task is not ``durable`` or Airflow has none (< 3.3)."""
        return context.get("task_state_store") if self.durable else None

    def _job_from_earlier_try(self, store: Any, context: Context) -> str | None:
        """The job an earlier try of this task submitted, if it is still queued, running or completed.

        An earlier try that recorded a submit but never its job id (its answer was lost, or the worker died)
        is looked for among the jobs created since.
        """
        if store is None:
            self.log.info(
                "No task state store (durable=False, or Airflow < 3.3): "
                "a retry of this task submits a new job."
            )
            return None
        job_id = store.get(self.external_id_key)
        if job_id:
            status = self.get_job_status(str(job_id), context)
            if self.is_job_active(status) or self.is_job_succeeded(status):
                self.log.info(
                    "Re-attaching to Hume job %s (%s) from an earlier try; no new job.", job_id, status
                )
                return str(job_id)
            self.log.warning("Job %s from an earlier try is %s; submitting a new one.", job_id, status)
            return None
        record = SubmissionRecord.from_json(store.get(SUBMISSION_STATE_KEY))
        if record is None:
            return None
        self.log.warning("An earlier try submitted but recorded no job id; looking for the job it created.")
        with self.hook.get_client() as client:
            found = find_lost_job(client, record)
        if found is None:
            self.log.info("No job matches the earlier try's submit: it created none; submitting now.")
            return None
        self.log.info("Re-attaching to Hume job %s, created by an earlier try's submit; no new job.", found)
        store.set(self.external_id_key, found)
        return found

    def get_job_status(self, external_id: str, context: Context) -> str:
        """The job's status (``QUEUED``, ``IN_PROGRESS``, ``COMPLETED``, ``FAILED``), or ``UNKNOWN``."""
        with self.hook.get_client() as client:
            try:
                return client.get_job_details(external_id).status.value
            except HumeNotFoundError:
                return UNKNOWN_JOB_STATUS

    def is_job_active(self, status: str) -> bool:
        return status in _ACTIVE_STATUSES

    def is_job_succeeded(self, status: str) -> bool:
        return status == JobStatus.COMPLETED.value

    def submit_job(self, context: Context) -> str:
        """Resolve ``s3://`` entries, then start the job (the one paid call) and return its id.

        When ``durable``, what is sent is recorded in the task state store first; a POST whose outcome is
        unknown (a 5xx, a dropped connection, an unreadable answer) is followed by a search for the job it may
        have created before anything else happens.
        """
        request, files = self._resolve_s3(self.validated_request())
        store = self._state_store(context)
        record = self._record_submission(store, request, files)
        self.log.info(
            "Submitting Hume job: %d urls, %d files, %d texts",
            len(request.urls),
            len(files),
            len(request.text),
        )
        with self.hook.get_client() as client:
            try:
                job_id = client.submit_job(request, files=files)
            except (HumeValidationError, HumeAuthError, HumeTLSError) as err:
                raise AirflowFailException(str(err)) from err
            except HumeRateLimitError:
                raise
            except HumeError as err:
                if record is None:
                    raise
                self.log.warning("The submit's outcome is unknown (%s); looking for the job it created.", err)
                found = find_lost_job(client, record)
                if found is None:
                    self.log.warning("No job matches the submit: it created none.")
                    raise
                self.log.info("Found Hume job %s, created by this submit despite the error.", found)
                return found
        self.log.info("Submitted Hume job %s", job_id)
        return job_id

    def _record_submission(
        self, store: Any, request: JobRequest, files: list[str | UploadSource]
    ) -> SubmissionRecord | None:
        """Record what is about to be sent, if a job created by it could be recognised later."""
        if store is None:
            return None
        fingerprint = SubmissionFingerprint.of(request, files)
        if not fingerprint.recognisable:
            self.log.warning(
                "Some S3 objects have no known MD5 (their ETag is not one): if this submit's answer is lost, "
                "its job cannot be recognised and a retry submits a new one."
            )
            return None
        record = SubmissionRecord.now(fingerprint)
        store.set(SUBMISSION_STATE_KEY, record.to_json())
        return record

    def _resolve_s3(self, request: JobRequest) -> tuple[JobRequest, list[str | UploadSource]]:
        """Turn ``s3://`` entries into presigned URLs or streamed file parts (S3 calls only, no Hume call)."""
        files: list[str | UploadSource] = list(self.inputs.files)
        if not self.inputs.s3:
            return request, files
        resolver = S3InputResolver(self.aws_conn_id, caller=type(self).__name__)
        try:
            if self.s3_input_mode == "upload":
                objects = resolver.expand(self.inputs.s3, MAX_FILES - len(files), "files")
                files.extend(resolver.upload_source(obj) for obj in objects)
            else:
                objects = resolver.expand(self.inputs.s3, MAX_URLS - len(request.urls), "urls")
                presigned = [resolver.presign(obj, self.presigned_expiry_seconds) for obj in objects]
                request = dataclasses.replace(request, urls=(*request.urls, *presigned))
        except HumeValidationError as err:
            raise AirflowFailException(f"Invalid Hume job request: {err}") from err
        self.s3_objects = tuple(obj.uri for obj in objects)
        self.log.info("Resolved %d S3 object(s) (%s mode)", len(objects), self.s3_input_mode)
        return request, files

    def poll_until_complete(self, external_id: str, context: Context) -> None:
        """Wait for the job if asked to, in the triggerer (deferrable) or here; raise unless it completed."""
        if not self.wait_for_completion:
            return
        if self.deferrable:
            # Imported here: the trigger brings Airflow's trigger base, which parsing a DAG need not load.
            from airflow_provider_hume.triggers.job import HumeJobTrigger

            self.log.info("Deferring to HumeJobTrigger: the triggerer now waits for Hume job %s", external_id)
            self.defer(
                trigger=HumeJobTrigger(
                    job_id=external_id,
                    hume_conn_id=self.hume_conn_id,
                    end_time=time.time() + self.timeout,
                    poll_interval=self.poll_interval,
                    max_consecutive_poll_errors=self.max_consecutive_poll_errors,
                ),
                method_name="execute_complete",
            )
        with self.hook.get_client() as client:
            step = client.wait_for_job(
                external_id,
                timeout=self.timeout,
                poll_interval=self.poll_interval,
                max_consecutive_poll_errors=self.max_consecutive_poll_errors,
                logger=self.log,
            )
        event = event_from_step(step)
        job_id_from_event(event)
        check_source_errors(event, self.hook, self.on_source_error, self.log)

    def get_job_result(self, external_id: str, context: Context) -> str:
        """The task's result: the job id (predictions and artifacts are fetched by the transfers).

        A completed job's failed sources were logged (and judged by ``on_source_error``) when the wait ended.
        """
        return external_id

    def execute_complete(self, context: Context, event: Mapping[str, Any] | None = None) -> str:
        """Resume after the trigger fired: return the job id or raise for any other outcome.

        A completed job's failed sources are logged; they fail the task with ``on_source_error="fail"``.
        """
        job_id = job_id_from_event(dict(event) if event is not None else None)
        self.job_id = job_id
        self.log.info("Hume job %s completed", job_id)
        if event is not None:
            check_source_errors(event, self.hook, self.on_source_error, self.log)
        return job_id

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> HumeLineage:
        """Inputs (URLs, local files, S3 objects) and a ``hume_job`` run facet (job id, models, API host)."""
        from airflow_provider_hume import lineage

        # Objects found under a prefix are known only to the instance that submitted (not after a deferral).
        s3_uris = self.s3_objects or tuple(location.uri for location in self.inputs.s3)
        inputs = [
            *(lineage.url_dataset(url) for url in self.inputs.urls),
            *(lineage.file_dataset(path) for path in self.inputs.files),
            *(lineage.s3_uri_dataset(uri) for uri in s3_uris),
        ]
        models = coerce_models(self.models)
        names = models.enabled if models else [field.name for field in dataclasses.fields(Models)]
        base_url = self.hook.get_settings().base_url
        return lineage.submit_lineage(inputs=inputs, job_id=self.job_id, models=names, base_url=base_url)

    def on_kill(self) -> None:
        self.log.warning(
            "Task killed. Hume v0 has no cancel endpoint: "
            "a job already submitted keeps running on Hume's side."
        )
