"""Each ``v1`` upload made at most once per intent, and a lost answer accounted for (hume-api-v1.md §12.1).

An upload is billed once it reaches measurement (10 s minimum) and its results exist only in its response.
So before sending, the intent (file, chunk, start time, size) is recorded in Airflow's task state store;
once the response is staged in S3 the record is removed. A record still there when a retried task starts is
an upload whose outcome nobody saw: the runs started since are searched for the run it created, which is
reported as billed with its results lost, and the upload is made again (``reupload_lost``), since nothing
can fetch those results. The same happens within a try when an answer is lost on the way back
(``HumeUploadOutcomeUnknownError``). Hume has no idempotency key, so this is the best available.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_hume.client import HumeError
from airflow_provider_hume.client.v1 import HumeUploadOutcomeUnknownError
from airflow_provider_hume.operators._v1_staging import Staging

if TYPE_CHECKING:
    from airflow_provider_hume.client.v1 import HumeV1Client, RunSummary

_T = TypeVar("_T")

#: Task state store key holding the uploads in flight.
UPLOADS_STATE_KEY = "hume_v1_uploads"
#: Runs started this long before the first request still count: the worker's clock may run ahead of Hume's.
CLOCK_SKEW = timedelta(seconds=60)


class LostResultsError(Exception):
    """An upload was billed but its answer lost, and ``reupload_lost=False`` forbids paying again."""


@dataclass(frozen=True)
class UploadIntent:
    """One upload about to be sent: its staging name, file, index within the file, size and start."""

    name: str
    source: str
    index: int
    endpoint: str
    media_bytes: int
    started_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "index": self.index,
            "endpoint": self.endpoint,
            "media_bytes": self.media_bytes,
            "started_at": self.started_at.isoformat(),
        }

    @classmethod
    def from_json(cls, name: str, data: Any) -> UploadIntent | None:
        try:
            return cls(
                name=name,
                source=str(data["source"]),
                index=int(data["index"]),
                endpoint=str(data["endpoint"]),
                media_bytes=int(data["media_bytes"]),
                started_at=datetime.fromisoformat(data["started_at"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


class UploadLedger:
    """The uploads in flight, mirrored in the task state store (a no-op without one)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._lock = threading.Lock()
        raw = store.get(UPLOADS_STATE_KEY) if store is not None else None
        self._open: dict[str, dict[str, Any]] = dict(raw) if isinstance(raw, dict) else {}
        self.earlier = [
            intent
            for name, data in self._open.items()
            if (intent := UploadIntent.from_json(name, data)) is not None
        ]

    @property
    def durable(self) -> bool:
        return self._store is not None

    def begin(self, intent: UploadIntent) -> None:
        with self._lock:
            self._open[intent.name] = intent.to_json()
            self._save()

    def end(self, name: str) -> None:
        with self._lock:
            if self._open.pop(name, None) is not None:
                self._save()

    def _save(self) -> None:
        if self._store is None:
            return
        if self._open:
            self._store.set(UPLOADS_STATE_KEY, dict(self._open))
        else:
            self._store.delete(UPLOADS_STATE_KEY)


@dataclass
class LostRun:
    """An upload billed (run found) or possibly billed (no run found yet) whose results were lost."""

    source: str
    index: int
    run: RunSummary | None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "index": self.index,
            "run_id": self.run.run_id if self.run else None,
            "metered_seconds": self.run.metered_seconds if self.run else None,
        }


@dataclass
class LostRuns:
    """The runs found for lost answers; a run is attributed to one intent only."""

    claimed: set[str] = field(default_factory=set)
    found: list[LostRun] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, run_id: str) -> None:
        """A run whose results are known: never the run of a lost answer."""
        with self._lock:
            self.claimed.add(run_id)

    def look_up(self, client: HumeV1Client, intent: UploadIntent) -> LostRun:
        runs = client.find_upload_runs(intent.endpoint, intent.started_at, bytes_received=intent.media_bytes)
        with self._lock:
            fresh = [run for run in runs if run.run_id not in self.claimed]
            # The first run started after the intent; one started just before it only for a skewed clock.
            after = sorted((run for run in fresh if run.started_at >= intent.started_at), key=_started)
            before = sorted((run for run in fresh if run.started_at < intent.started_at), key=_started)
            best = after[0] if after else (before[-1] if before else None)
            lost = LostRun(intent.source, intent.index, best)
            if lost.run is not None:
                self.claimed.add(lost.run.run_id)
            self.found.append(lost)
        return lost


def _started(run: RunSummary) -> datetime:
    return run.started_at


@dataclass(frozen=True)
class Upload:
    """One request to make: ``send`` performs it and returns the result (with ``to_api``)."""

    intent: UploadIntent
    send: Callable[[], Any]
    staged: Callable[[Any, datetime], dict[str, Any]]
    """Builds the staged object from the result and the send time."""


class Uploader:
    """Sends uploads (at most ``max_concurrency`` at once), staging each result as it arrives."""

    def __init__(
        self,
        client: HumeV1Client,
        staging: Staging,
        ledger: UploadLedger,
        lost: LostRuns,
        *,
        max_concurrency: int,
        reupload_lost: bool,
        log: Any,
    ) -> None:
        self.client = client
        self.staging = staging
        self.ledger = ledger
        self.lost = lost
        self.reupload_lost = reupload_lost
        self.log = log
        self.sent = 0
        self._pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="hume-v1-upload")
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._count_lock = threading.Lock()

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=True, cancel_futures=cancel)

    def cached(self, name: str) -> dict[str, Any] | None:
        """The staged result of an earlier try, if any (no request)."""
        return self.staging.get(name)

    def submit(self, upload: Upload) -> Future[dict[str, Any]]:
        """Send in the pool; blocks while ``max_concurrency`` uploads are in flight (bounded memory)."""
        return self.submit_task(self.run, upload)

    def submit_task(self, task: Callable[..., _T], *args: Any) -> Future[_T]:
        """Run ``task`` in the pool (it may call :meth:`run`, never :meth:`submit`); blocks while full."""
        self._slots.acquire()
        try:
            future = self._pool.submit(task, *args)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return future

    def run(self, upload: Upload) -> dict[str, Any]:
        """Send in this thread; the staged object (result included) is returned.

        The intent stays recorded when the outcome is unknown (the next try looks for its run); an answer,
        even an error (a failed request is not billed, hume-api-v1.md §8), clears it.
        """
        intent = upload.intent
        self.ledger.begin(intent)
        started = datetime.now(timezone.utc)
        try:
            try:
                result = upload.send()
            except HumeUploadOutcomeUnknownError as err:
                self.account_lost(intent, str(err))
                started = datetime.now(timezone.utc)
                self.ledger.begin(dataclasses.replace(intent, started_at=started))
                result = upload.send()
        except HumeUploadOutcomeUnknownError:
            raise
        except HumeError:
            self.ledger.end(intent.name)
            raise
        with self._count_lock:
            self.sent += 1
        self.lost.claim(result.run_id)
        staged = upload.staged(result, started)
        self.staging.put(intent.name, staged)
        self.ledger.end(intent.name)
        return staged

    def account_lost(self, intent: UploadIntent, why: str) -> None:
        """Report the run a lost answer was billed in; raise unless ``reupload_lost``."""
        lost = self.lost.look_up(self.client, intent)
        what = f"{intent.source} (request {intent.index})"
        if lost.run is None:
            self.log.warning(
                "The answer to the upload of %s was lost (%s) and no run of it is listed (yet): it may not "
                "have been billed.%s",
                what,
                why,
                " Uploading it again." if self.reupload_lost else "",
            )
            if self.reupload_lost:
                return
            raise LostResultsError(
                f"The answer to the upload of {what} was lost and reupload_lost=False; no run of it is "
                "listed yet. Check the runs, then clear the task (or set reupload_lost=True)."
            )
        run = lost.run
        self.log.warning(
            "The upload of %s was billed in run %s (%.1f metered seconds) but its results were lost (%s). %s",
            what,
            run.run_id,
            run.metered_seconds,
            why,
            "Uploading it again (its results exist only in the response)." if self.reupload_lost else "",
        )
        if not self.reupload_lost:
            raise LostResultsError(
                f"The upload of {what} was billed in run {run.run_id} but its results were lost, and "
                "reupload_lost=False forbids paying again; set reupload_lost=True to measure it again."
            )
