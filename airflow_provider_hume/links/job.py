"""``HumeJobLink``: a button on the task that opens the Hume job in a console.

Where it points is decided from the ``hume`` connection's settings, once, when the task runs (the URL is
pushed to XCom under :data:`XCOM_KEY` right after submission and before any deferral, so it shows while the
job runs; a task with ``do_xcom_push=False`` stores no link):

1. the connection extra ``console_url``, if set: ``{job_id}`` in it is replaced by the job id, otherwise
   ``/jobs/<job_id>`` is appended (for a company proxy or a self-hosted console);
2. a base URL on ``api.hume.ai``: Hume's platform, ``https://platform.hume.ai/jobs/<job_id>`` (best effort:
   Hume does not document a stable per-job page URL);
3. any other base URL (loopback, ``*.local``, a test host): the emulator console,
   ``<base URL>/_emulator/console/jobs/<job_id>``, which asks for the API key once (a form; kept in a
   session cookie). The base URL must then be one the browser reaches too; else set ``console_url``.

The link never carries the API key: it is built from the base URL without any user-info part.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit, urlunsplit

from airflow.sdk import BaseOperatorLink

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator, Context
    from airflow.sdk.types import TaskInstanceKey

    from airflow_provider_hume.hooks.hume import HumeConnectionSettings

log = logging.getLogger(__name__)

#: XCom key holding the job's full console URL.
XCOM_KEY = "hume_job_link"
#: Hume's public API host; jobs on it are shown on :data:`HUME_PLATFORM_URL`.
HUME_API_HOST = "api.hume.ai"
HUME_PLATFORM_URL = "https://platform.hume.ai"
EMULATOR_CONSOLE_PATH = "/_emulator/console"


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


def job_console_url(base_url: str, job_id: str, console_url: str | None = None) -> str:
    """The page showing ``job_id`` for a connection with this base URL (and optional ``console_url``)."""
    quoted = quote(str(job_id), safe="")
    if console_url:
        if "{job_id}" in console_url:
            return _without_userinfo(console_url.replace("{job_id}", quoted))
        return f"{_without_userinfo(console_url)}/jobs/{quoted}"
    if (urlsplit(base_url).hostname or "").lower() == HUME_API_HOST:
        return f"{HUME_PLATFORM_URL}/jobs/{quoted}"
    return f"{_without_userinfo(base_url)}{EMULATOR_CONSOLE_PATH}/jobs/{quoted}"


class HumeJobLink(BaseOperatorLink):
    """Opens the Hume job this task submitted or waited for (see the module docs for where it points)."""

    name = "Hume Job"

    @classmethod
    def persist(
        cls, context: Context, operator: BaseOperator, settings: HumeConnectionSettings, job_id: str
    ) -> str | None:
        """Store the job's console URL in XCom (unless the task sets ``do_xcom_push=False``) and return it.

        A failure to store it is logged, never fails the task: the link is a convenience.
        """
        url = job_console_url(settings.base_url, job_id, settings.console_url)
        if not operator.do_xcom_push:
            return url
        try:
            context["ti"].xcom_push(key=XCOM_KEY, value=url)
        except Exception as err:
            log.warning("Could not store the Hume job link for job %s: %s", job_id, type(err).__name__)
            return None
        log.info("Hume job %s: %s", job_id, url)
        return url

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        from airflow.sdk.execution_time.xcom import XCom

        url = XCom.get_value(key=XCOM_KEY, ti_key=ti_key)
        return str(url) if url else ""
