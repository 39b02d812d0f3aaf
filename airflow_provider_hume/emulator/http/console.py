"""The console under ``/_emulator/console/``: server-rendered pages of the caller's jobs, for a browser.

* ``GET /_emulator/console/`` → the jobs, newest first: id, created time, status, sources, models.
* the same page lists the caller's ``v1`` runs below the jobs, newest first: id, endpoint, mode, status,
  start and end, metered seconds (hume-api-v1.md §8).
* ``GET /_emulator/console/jobs/{job_id}`` → the job's state and, once COMPLETED, per source its errors (a
  failed source or file marked ``FAILED``, with Hume's message) and per file and model an SVG chart of the top
  emotions over time (:mod:`console_sources`, :mod:`console_charts`). ``404`` for another user's job.

Auth: the ``X-Hume-Api-Key`` header, else a key in the query (``apikey``/``apiKey``/``api_key``), else the
``hume_emulator_key`` cookie. A valid query key is moved into that cookie (HttpOnly, SameSite=Strict, path
``/_emulator/console``) by a page that at once reloads the same URL without the key (a meta refresh), so the
key leaves the address bar and history; pages never contain the key. Not an HTTP redirect: after a link from
another site (the Airflow UI), browsers withhold SameSite=Strict cookies along the whole redirect chain,
while the refresh is a navigation started by the console itself. No key, or a wrong one, gets a ``401``
page with a form that posts the key (never in a URL) to ``/_emulator/console/login``, which sets the same
cookie and redirects back to the page asked for. No JavaScript is served.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from typing import Any, Final
from urllib.parse import parse_qs

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from airflow_provider_hume.emulator.backend.auth import HEADER, QUERY_PARAMS
from airflow_provider_hume.emulator.backend.jobs import Job
from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.console_sources import failed_sources, source_section
from airflow_provider_hume.emulator.http.console_text import badge
from airflow_provider_hume.emulator.inference.details import current_details
from airflow_provider_hume.emulator.v1.room import V1Room

COOKIE: Final = "hume_emulator_key"
PREFIX: Final = "/_emulator/console"
_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
}
_STYLE: Final = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:12px 16px;max-width:1240px;color:#1f2937}
h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:22px 0 6px;border-bottom:1px solid #e5e7eb}
h3{font-size:14px;margin:12px 0 4px}figure{margin:0}figcaption{font-size:13px;font-weight:600;color:#4b5563}
.charts{display:flex;flex-wrap:wrap;gap:6px 16px}
table{border-collapse:collapse}th,td{text-align:left;padding:4px 12px 4px 0;vertical-align:top}
th{color:#6b7280;font-weight:600}tbody tr{border-top:1px solid #f3f4f6}code{font-size:13px}
.status{padding:1px 8px;border-radius:9px;font-size:12px;font-weight:600;background:#e5e7eb}
.COMPLETED{background:#dcfce7;color:#166534}.FAILED{background:#fee2e2;color:#991b1b}
.IN_PROGRESS{background:#dbeafe;color:#1e40af}.ended{background:#dcfce7;color:#166534}
.errored{background:#fee2e2;color:#991b1b}.live{background:#dbeafe;color:#1e40af}.error{color:#991b1b}.muted{color:#6b7280}
.chart .grid{stroke:#e5e7eb}.chart .frame{stroke:#9ca3af}.chart text{font-size:11px;fill:#374151}
.chart .axis{fill:#6b7280}.chart .inside{fill:#fff}a{color:#1d4ed8}
"""


def console_router(state: EmulatorState, room: V1Room) -> APIRouter:
    """The console's routes over ``state`` and its ``v1`` room."""
    router = APIRouter(prefix=PREFIX)

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        key = (form.get("apikey") or [""])[0]
        target = (form.get("next") or [""])[0]
        if not target.startswith(f"{PREFIX}/") or "//" in target or "\\" in target:
            target = f"{PREFIX}/"
        if not key or state.user_for_key(key) is None:
            return _unauthorized("Invalid API key.", target)
        response = RedirectResponse(target, status_code=303, headers=_HEADERS)
        response.set_cookie(COOKIE, key, path=PREFIX, httponly=True, samesite="strict")
        return response

    @router.get("/")
    def jobs_page(request: Request) -> Response:
        user = _authorize(state, request)
        if isinstance(user, Response):
            return user
        now = state.now_ms()
        rows = [
            f'<tr><td><a href="jobs/{escape(job.job_id)}"><code>{escape(job.job_id)}</code></a></td>'
            f"<td>{_time(job.created_ms)}</td><td>{badge(job.status(now))}</td><td>{len(job.sources)}</td>"
            f"<td>{escape(', '.join(sorted(job.request.models.requested())))}</td></tr>"
            for job in reversed(state.jobs_of(user))
        ]
        table = (
            "<table><thead><tr><th>Job</th><th>Created (UTC)</th><th>Status</th><th>Sources</th>"
            f"<th>Models</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            if rows
            else '<p class="muted">No jobs yet.</p>'
        )
        return _page(
            "Hume emulator: jobs", f"<h1>Jobs</h1>{table}<h2>Runs (v1)</h2>{_runs_table(room, user)}"
        )

    @router.get("/jobs/{job_id}")
    def job_page(job_id: str, request: Request) -> Response:
        user = _authorize(state, request)
        if isinstance(user, Response):
            return user
        job = state.get_job(user, job_id)
        if job is None:
            return _page("Hume emulator: job not found", "<h1>Job not found</h1>", 404)
        details = current_details(job, state.now_ms())["state"]
        status = details["status"]
        body = [
            '<p><a href="../">← all jobs</a></p>',
            f"<h1>Job <code>{escape(job.job_id)}</code></h1>",
            _state_table(details, job),
        ]
        if status == "COMPLETED":
            body += [source_section(index, source, job) for index, source in enumerate(job.sources)]
        elif status != "FAILED":
            body.append('<p class="muted">Charts appear once the job has completed.</p>')
        refresh = '<meta http-equiv="refresh" content="2">' if status in ("QUEUED", "IN_PROGRESS") else ""
        return _page(f"Hume emulator: job {job.job_id}", "".join(body), head=refresh)

    return router


def _runs_table(room: V1Room, user: str) -> str:
    """The ``v1`` runs of ``user``'s organisation, newest first."""
    rows = [
        f"<tr><td><code>{escape(run.run_id)}</code></td><td>{escape(run.endpoint)}</td><td>{escape(run.mode)}</td>"
        f"<td>{badge(run.status)}</td><td>{_time(run.started_ms)}</td><td>{_time(run.ended_ms)}</td>"
        f"<td>{run.metered_seconds:.1f}</td></tr>"
        for run in room.runs.all_runs()
        if run.organisation == user
    ]
    if not rows:
        return '<p class="muted">No runs yet.</p>'
    return (
        "<table><thead><tr><th>Run</th><th>Endpoint</th><th>Mode</th><th>Status</th><th>Started (UTC)</th>"
        f"<th>Ended (UTC)</th><th>Metered s</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _authorize(state: EmulatorState, request: Request) -> str | Response:
    """The caller's user id, or the response to send instead: a ``401`` page or the cookie-setting reload."""
    url = request.url.remove_query_params(QUERY_PARAMS)
    here = url.path + (f"?{url.query}" if url.query else "")
    if header := request.headers.get(HEADER):
        return state.user_for_key(header) or _unauthorized("Invalid API key.", here)
    query_key = next((key for name in QUERY_PARAMS if (key := request.query_params.get(name))), None)
    if query_key is not None:
        if state.user_for_key(query_key) is None:
            return _unauthorized("Invalid API key.", here)
        target = escape(here)
        reload = _page(
            "Hume emulator: console",
            f'<p>Opening <a href="{target}">the console</a>…</p>',
            head=f'<meta http-equiv="refresh" content="0;url={target}">',
        )
        reload.set_cookie(COOKIE, query_key, path=PREFIX, httponly=True, samesite="strict")
        return reload
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return _unauthorized("This console needs an API key.", here)
    user = state.user_for_key(cookie)
    if user is None:
        response = _unauthorized("The API key of this browser session is no longer accepted.", here)
        response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")
        return response
    return user


def _unauthorized(reason: str, here: str) -> Response:
    """A ``401`` page whose form posts the key and returns to ``here`` (the page asked for)."""
    body = (
        f"<h1>Unauthorized</h1><p>{escape(reason)} Enter the emulator's API key (kept in a session cookie), "
        f"open the console as <code>{PREFIX}/?apikey=&lt;key&gt;</code> "
        f"or send the <code>{HEADER}</code> header.</p>"
        f'<form method="post" action="{PREFIX}/login">'
        f'<input type="hidden" name="next" value="{escape(here)}"><label>API key '
        '<input type="password" name="apikey" id="apikey" autocomplete="off" required></label> '
        '<button type="submit" id="login">Open</button></form>'
    )
    return _page("Hume emulator: unauthorized", body, 401)


def _page(title: str, body: str, status_code: int = 200, head: str = "") -> HTMLResponse:
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>{head}'
        f'<meta name="viewport" content="width=device-width"><style>{_STYLE}</style></head>'
        f'<body><p class="muted">Hume API emulator · console</p>{body}</body></html>'
    )
    return HTMLResponse(html, status_code, _HEADERS)


def _time(ms: int | None) -> str:
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _state_table(details: dict[str, Any], job: Job) -> str:
    rows = [
        ("Status", badge(details["status"])),
        ("Created", _time(details.get("created_timestamp_ms"))),
        ("Started", _time(details.get("started_timestamp_ms"))),
        ("Ended", _time(details.get("ended_timestamp_ms"))),
        ("Models", escape(", ".join(sorted(job.request.models.requested())) or "-")),
        ("Sources", str(len(job.sources))),
    ]
    if "num_predictions" in details:
        rows.append(("Predictions / errors", f"{details['num_predictions']} / {details['num_errors']}"))
        if failed := failed_sources(job):
            rows.append(("Failed sources", failed))
    if "message" in details:
        rows.append(("Message", f'<span class="error">{escape(str(details["message"]))}</span>'))
    cells = "".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows)
    return f'<table class="state">{cells}</table>'
