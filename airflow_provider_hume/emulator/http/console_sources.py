"""The sources of a COMPLETED job on its console page: what failed, with Hume's message, then the charts.

A source that failed as a whole (a source-level ``error``, e.g. a URL that could not be downloaded) gets a
``FAILED`` badge and its error; a file that failed inside a source (a ``results.errors[]`` entry) is listed
with its message above that source's charts. URLs are shown by :func:`console_text.shown_url`.
"""

from __future__ import annotations

from html import escape

from airflow_provider_hume.emulator.backend.jobs import Job
from airflow_provider_hume.emulator.http.console_charts import chart_svg, model_chart
from airflow_provider_hume.emulator.http.console_text import badge, shown_text, shown_url
from airflow_provider_hume.emulator.inference.predictions import item_error, source_predictions
from airflow_provider_hume.emulator.media.sources import Source


def failed_sources(job: Job) -> str:
    """Links to the sources with an error, e.g. ``Source 1, Source 3 (2 files)``; empty if none failed."""
    links = []
    for index, source in enumerate(job.sources):
        failed = sum(item_error(item, job.request.models) is not None for item in source.items)
        if source.error is None and not failed:
            continue
        files = "" if source.error is not None else f" ({failed} file{'s' if failed > 1 else ''})"
        links.append(f'<a href="#source-{index + 1}">Source {index + 1}</a>{files}')
    return ", ".join(links)


def source_section(index: int, source: Source, job: Job) -> str:
    """One source: its heading and errors, then per file a chart per model."""
    result = source_predictions(source, job.request.models)
    heading = f'<h2 id="source-{index + 1}">{_label(index, source)}'
    if "error" in result:
        message = shown_text(str(result["error"]), [str(source.descriptor.get("url") or "")])
        return f'{heading} {badge("FAILED")}</h2><p class="error">{escape(message)}</p>'
    parts = [f"{heading}</h2>"]
    parts += [
        f'<p class="error">{badge("FAILED")} <code>{escape(str(error["file"]))}</code>: '
        f"{escape(shown_text(str(error['message'])))}</p>"
        for error in result["results"]["errors"]
    ]
    for prediction in result["results"]["predictions"]:
        if prediction["file"] != source.descriptor.get("filename"):
            parts.append(f"<h3>{escape(str(prediction['file']))}</h3>")
        figures = []
        for model, output in prediction["models"].items():
            chart = model_chart(output)
            title = f"{prediction['file']}: {model}, top emotions"
            figure = chart_svg(chart, title) if chart else '<p class="muted">No emotion scores to chart.</p>'
            figures.append(f"<figure><figcaption>{escape(model)}</figcaption>{figure}</figure>")
        parts.append(f'<div class="charts">{"".join(figures)}</div>')
    return "".join(parts)


def _label(index: int, source: Source) -> str:
    descriptor = source.descriptor
    url = descriptor.get("url")
    name = shown_url(str(url)) if url else descriptor.get("filename") or "raw text"
    return f"Source {index + 1} ({escape(source.kind)}): {escape(str(name))}"
