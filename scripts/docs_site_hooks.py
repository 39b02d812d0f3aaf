"""MkDocs hooks for the docs site (mkdocs.yml): pages made from the repository's root files, the logo, and a
check that the API reference rendered every docstring's reST.

The landing page, the changelog and the benchmarks are README.md, CHANGELOG.md and BENCHMARKS.md, so each has
one source. Their links are written for the repository (``docs/connection.md``); here each relative link is
rewritten for the site: a guide becomes the page beside it, a root file the page made from it, and a file
that the site does not publish (``dags/...``, ``tests/fixtures/...``) keeps its text without the link. A link
whose target does not exist is left as written, so the strict build reports it. An API page that still shows
reST (a ``:param x:`` field mkdocstrings did not parse, a role left as text) is a warning, so an error too.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path, PurePosixPath
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

REPO = Path(__file__).resolve().parents[1]
#: Pages made from files at the repository's root: site path -> source.
ROOT_PAGES = {"index.md": "README.md", "changelog.md": "CHANGELOG.md", "benchmarks.md": "BENCHMARKS.md"}
#: The integration's logo, shipped in the package (the provider info points at its copy on the site).
LOGO_SOURCE = "airflow_provider_hume/static/logo.svg"
LOGO_URI = "assets/logo.svg"

log = get_plugin_logger("docs_site")

#: reST the API reference failed to render: a field (``:param x:``) or a role (``:class:`X```) left as text.
_RAW_REST = re.compile(
    r"(?<![\w`]):(?:param|type|returns?|rtype|raises?|ivar|cvar|var|keyword|kwarg)\b[^:\n]*:"
    r"|(?<![\w`]):(?:py:)?(?:class|meth|func|mod|attr|data|exc|obj|const):(?=[`\w~])"
)
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]+)\)")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", re.IGNORECASE)


def on_files(files: Files, config: MkDocsConfig, **kwargs: Any) -> Files:
    """Add the pages made from README.md, CHANGELOG.md and BENCHMARKS.md, and the logo."""
    for uri, source in ROOT_PAGES.items():
        files.append(File.generated(config, uri, abs_src_path=str(REPO / source)))
    files.append(File.generated(config, LOGO_URI, abs_src_path=str(REPO / LOGO_SOURCE)))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files, **kwargs: Any) -> str:
    """Point each relative link of the page's source at what the site publishes."""
    docs = Path(config.docs_dir).resolve().relative_to(REPO).as_posix()
    return site_markdown(markdown, ROOT_PAGES.get(page.file.src_uri, f"{docs}/{page.file.src_uri}"), docs)


def on_page_content(html: str, page: Page, **kwargs: Any) -> str:
    """Warn (an error under ``--strict``) about reST that an API reference page shows as raw text."""
    if page.file.src_uri.startswith("api/"):
        for raw in sorted({match[0] for match in _RAW_REST.finditer(_TAG.sub("", html))}):
            log.warning("%s shows unrendered reST from a docstring: %r", page.file.src_uri, raw)
    return html


def site_markdown(markdown: str, source: str, docs: str) -> str:
    """``markdown`` from the repository file ``source`` with its relative links rewritten for the site.

    :param markdown: The page's Markdown.
    :param source: Its file, relative to the repository (``README.md``, ``docs/v1.md``).
    :param docs: The folder of the guides, relative to the repository (``docs``).
    """
    source_path = PurePosixPath(source)
    page_uri = _site_uri(source_path, docs)
    page_dir = PurePosixPath(page_uri).parent if page_uri else PurePosixPath()
    return _LINK.sub(lambda match: _site_link(match, source_path.parent, docs, page_dir), markdown)


def _site_link(match: re.Match[str], source_dir: PurePosixPath, docs: str, page_dir: PurePosixPath) -> str:
    target = match["target"]
    if _EXTERNAL.match(target):
        return match[0]
    path, hash_, anchor = target.partition("#")
    in_repo = _normalise(source_dir / path)
    if in_repo is None or not (REPO / in_repo).exists():
        return match[0]
    site_uri = _site_uri(in_repo, docs)
    if site_uri is None:
        return match[0] if match["bang"] else match["text"]
    relative = _relative(PurePosixPath(site_uri), page_dir)
    return f"{match['bang']}[{match['text']}]({relative}{hash_}{anchor})"


def _site_uri(in_repo: PurePosixPath, docs: str) -> str | None:
    """Where a repository file is on the site, or ``None`` when the site does not publish it."""
    for uri, source in ROOT_PAGES.items():
        if in_repo == PurePosixPath(source):
            return uri
    if in_repo.parts[:1] == (docs,) and len(in_repo.parts) > 1:
        return in_repo.relative_to(docs).as_posix()
    return None


def _normalise(path: PurePosixPath) -> PurePosixPath | None:
    """``path`` without ``.`` and ``..`` parts, or ``None`` when it leaves the repository."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts) if parts else None


def _relative(target: PurePosixPath, page_dir: PurePosixPath) -> str:
    return posixpath.relpath(target.as_posix(), page_dir.as_posix())
