"""The emulator console: HTML pages of the caller's jobs, their charts, and the key-to-cookie auth flow."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html import escape
from typing import Any

from starlette.testclient import TestClient

from airflow_provider_hume.emulator.backend.state import EmulatorState
from airflow_provider_hume.emulator.http.console import COOKIE
from tests.support.samples import wav_bytes

CONSOLE = "/_emulator/console"
HOSTILE = "<script>alert('x')</script>&.txt"
SVG = "{http://www.w3.org/2000/svg}"


def post_files(client: TestClient, config: dict[str, Any], *files: tuple[str, bytes]) -> str:
    parts: list[tuple[str, Any]] = [("json", (None, json.dumps(config)))]
    parts += [("file", (name, data)) for name, data in files]
    response = client.post("/v0/batch/jobs", files=parts)
    assert response.status_code == 200, response.text
    job_id: str = response.json()["job_id"]
    return job_id


def emotion_names(predictions: list[dict[str, Any]], model: str) -> set[str]:
    return {
        emotion["name"]
        for source in predictions
        for item in source["results"]["predictions"]
        for group in item["models"].get(model, {}).get("grouped_predictions", [])
        for row in group["predictions"]
        for emotion in row["emotions"]
    }


def test_jobs_page_lists_only_the_callers_jobs(
    client: TestClient, submit: Callable[..., str], state: EmulatorState, other_key: str
) -> None:
    job_id = submit(models={"language": {}}, text=["Hello there", "Bye"])
    foreign = TestClient(client.app, headers={"X-Hume-Api-Key": other_key})
    foreign_id = foreign.post("/v0/batch/jobs", json={"text": ["x"]}).json()["job_id"]
    response = client.get(f"{CONSOLE}/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    assert f'href="jobs/{job_id}"' in page
    assert foreign_id not in page
    assert "QUEUED" in page
    assert "<td>1</td>" in page  # sources: the raw-text block is one source
    assert "language" in page


def test_jobs_page_without_jobs(client: TestClient) -> None:
    assert "No jobs yet." in client.get(f"{CONSOLE}/").text


def test_job_page_charts_every_model_with_the_predicted_emotions(
    client: TestClient, predictions: Callable[[str], list[dict[str, Any]]]
) -> None:
    config = {"models": {"prosody": {}, "burst": {}, "language": {}}, "text": ["I am so glad to see you."]}
    job_id = post_files(client, config, ("tone.wav", wav_bytes(2.0)))
    body = predictions(job_id)
    page = client.get(f"{CONSOLE}/jobs/{job_id}").text
    assert "COMPLETED" in page
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    # tone.wav: prosody, burst, language (on its transcript); the text: language
    assert len(svgs) == 4
    shown = set(re.findall(r'data-emotion="([^"]+)"', page))
    assert len(shown) >= 5
    assert shown <= {
        name for model in ("prosody", "burst", "language") for name in emotion_names(body, model)
    }
    assert "time (s)" in page
    assert "text position (characters)" in page
    assert "<script" not in page


def test_hostile_filenames_are_escaped(
    client: TestClient, predictions: Callable[[str], list[dict[str, Any]]]
) -> None:
    job_id = post_files(client, {"models": {"language": {}}}, (HOSTILE, b"What a lovely day."))
    predictions(job_id)
    page = client.get(f"{CONSOLE}/jobs/{job_id}").text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;.txt" in page
    assert "<svg" in page


def test_single_point_series_render_as_visible_bars(
    client: TestClient, predictions: Callable[[str], list[dict[str, Any]]]
) -> None:
    config = {"models": {"language": {"granularity": "sentence"}}, "text": ["I am so glad to see you."]}
    job_id = post_files(client, config)
    (source,) = predictions(job_id)
    (item,) = source["results"]["predictions"]
    (group,) = item["models"]["language"]["grouped_predictions"]
    assert len(group["predictions"]) == 1  # one point per emotion
    page = client.get(f"{CONSOLE}/jobs/{job_id}").text
    (svg,) = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    series = [group for group in ET.fromstring(svg).iter(f"{SVG}g") if group.get("class") == "series"]
    assert len(series) == 5
    for line in series:
        bar = line.find(f"{SVG}rect")
        assert bar is not None, line.get("data-emotion")
        assert bar.get("class") == "bar"
        assert float(bar.get("width", "")) >= 8
        assert float(bar.get("height", "")) >= 2
    assert "text position (characters): 0" in svg


def test_failed_sources_show_their_errors_escaped_without_secrets(
    client: TestClient, predictions: Callable[[str], list[dict[str, Any]]], api_key: str
) -> None:
    url = f"https://example.invalid/<b>&clip.wav?apikey={api_key}&sig=s3cr3t"
    config = {"models": {"language": {}}, "urls": [url], "text": ["Fine."]}
    notes = "<i>notes</i>.bin"
    job_id = post_files(client, config, (notes, b"\x00\x01 not a medium"))
    body = predictions(job_id)
    assert api_key in body[0]["error"]  # Hume's message names the URL, key and all
    assert body[1]["results"]["errors"] == [{"message": "unsupported file type", "file": notes}]
    page = client.get(f"{CONSOLE}/jobs/{job_id}").text
    shown = "https://example.invalid/&lt;b&gt;&amp;clip.wav?…"
    failed = '<span class="status FAILED">FAILED</span>'
    assert f'<h2 id="source-1">Source 1 (url): {shown} {failed}</h2>' in page
    assert f'<p class="error">could not download {shown}</p>' in page
    file_error = f"{failed} <code>{escape(notes)}</code>: unsupported file type"
    assert f'<p class="error">{file_error}</p>' in page
    assert '<a href="#source-1">Source 1</a>, <a href="#source-2">Source 2</a> (1 file)' in page
    assert 'id="source-3"' in page
    assert page.count("<svg") == 1  # the text still has its chart
    for secret in (api_key, "s3cr3t", "<b>", "<i>"):
        assert secret not in page


def test_unfinished_job_shows_its_status_and_no_chart(client: TestClient, submit: Callable[..., str]) -> None:
    job_id = submit(models={"language": {}}, text=["Hello"])
    page = client.get(f"{CONSOLE}/jobs/{job_id}").text
    assert "QUEUED" in page
    assert "<svg" not in page
    assert "Charts appear once the job has completed." in page
    assert '<meta http-equiv="refresh"' in page


def test_failed_job_shows_its_message(
    client: TestClient, submit: Callable[..., str], state: EmulatorState, finish: Callable[[], None]
) -> None:
    job_id = submit(text=["Hello"])
    state.fail_job(job_id, "<boom>")
    finish()
    page = client.get(f"{CONSOLE}/jobs/{job_id}").text
    assert "FAILED" in page
    assert "&lt;boom&gt;" in page
    assert "<svg" not in page


def test_unknown_and_foreign_jobs_are_not_found(
    client: TestClient, submit: Callable[..., str], other_key: str
) -> None:
    assert client.get(f"{CONSOLE}/jobs/no-such-job").status_code == 404
    job_id = submit(text=["mine"])
    foreign = client.get(f"{CONSOLE}/jobs/{job_id}", headers={"X-Hume-Api-Key": other_key})
    assert foreign.status_code == 404


def test_missing_or_bad_key_is_unauthorized(anonymous: TestClient) -> None:
    for url in (f"{CONSOLE}/", f"{CONSOLE}/jobs/x", f"{CONSOLE}/?apikey=wrong"):
        response = anonymous.get(url)
        assert response.status_code == 401, url
        assert "apikey=&lt;key&gt;" in response.text
    assert anonymous.get(f"{CONSOLE}/", headers={"X-Hume-Api-Key": "wrong"}).status_code == 401


def test_query_key_becomes_a_cookie_and_leaves_the_url(anonymous: TestClient, api_key: str) -> None:
    response = anonymous.get(f"{CONSOLE}/jobs/abc?apikey={api_key}&x=1&y=%3Cz%3E")
    assert response.status_code == 200
    clean = f"{CONSOLE}/jobs/abc?x=1&amp;y=%3Cz%3E"
    assert f'<meta http-equiv="refresh" content="0;url={clean}">' in response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={api_key};")
    for attribute in ("HttpOnly", "Path=/_emulator/console", "SameSite=strict"):
        assert attribute.lower() in cookie.lower()
    assert "max-age" not in cookie.lower()  # a session cookie
    assert api_key not in response.text
    # the client now sends the cookie: pages load without any key in the URL
    listing = anonymous.get(f"{CONSOLE}/")
    assert listing.status_code == 200
    assert "<h1>Jobs</h1>" in listing.text
    assert api_key not in listing.text
    assert anonymous.get(f"{CONSOLE}/jobs/abc").status_code == 404


def test_query_key_reload_keeps_nothing_else(anonymous: TestClient, api_key: str) -> None:
    response = anonymous.get(f"{CONSOLE}/?api_key={api_key}")
    assert f'content="0;url={CONSOLE}/"' in response.text


def test_unauthorized_page_has_a_login_form_back_to_the_page(anonymous: TestClient) -> None:
    page = anonymous.get(f"{CONSOLE}/jobs/abc?apikey=wrong&x=1").text
    assert f'<form method="post" action="{CONSOLE}/login">' in page
    assert f'name="next" value="{CONSOLE}/jobs/abc?x=1"' in page
    assert '<input type="password" name="apikey"' in page


def test_login_form_sets_the_cookie_and_returns_without_the_key(anonymous: TestClient, api_key: str) -> None:
    form = {"apikey": api_key, "next": f"{CONSOLE}/jobs/abc"}
    response = anonymous.post(f"{CONSOLE}/login", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{CONSOLE}/jobs/abc"
    assert response.headers["set-cookie"].startswith(f"{COOKIE}={api_key};")
    assert "samesite=strict" in response.headers["set-cookie"].lower()
    assert anonymous.get(f"{CONSOLE}/jobs/abc").status_code == 404  # authorized: an unknown job


def test_login_form_rejects_a_bad_key_and_foreign_targets(anonymous: TestClient, api_key: str) -> None:
    bad = anonymous.post(f"{CONSOLE}/login", data={"apikey": "wrong", "next": f"{CONSOLE}/"})
    assert bad.status_code == 401
    assert "set-cookie" not in bad.headers
    for target in ("https://evil.example/", f"{CONSOLE}//evil.example/", "/v0/batch/jobs", ""):
        response = anonymous.post(
            f"{CONSOLE}/login", data={"apikey": api_key, "next": target}, follow_redirects=False
        )
        assert response.headers["location"] == f"{CONSOLE}/", target


def test_stale_cookie_is_unauthorized_and_cleared(anonymous: TestClient) -> None:
    anonymous.cookies.set(COOKIE, "revoked", path=CONSOLE)
    response = anonymous.get(f"{CONSOLE}/")
    assert response.status_code == 401
    assert f'{COOKIE}=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]


def test_pages_forbid_scripts(client: TestClient) -> None:
    policy = client.get(f"{CONSOLE}/").headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
