"""The docs site's configuration and the provider info's links into it.

The links are checked against the files MkDocs itself collects for the site (``get_files`` and the hooks of
``mkdocs.yml``, the same as ``make docs`` starts from), without rendering the site. The strict build itself
runs in ``make docs``; tests/integration/test_docs_build.py checks that it fails on a defect.
"""

from __future__ import annotations

import importlib.util
import re
from importlib.metadata import metadata
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import Files, get_files

from airflow_provider_hume import DOCUMENTATION_URL, get_provider_info

REPO = Path(__file__).resolve().parents[2]
API_PAGES = REPO / "docs" / "api"


@pytest.fixture(scope="module")
def site_files() -> Files:
    config = load_config(str(REPO / "mkdocs.yml"))
    return config.plugins.on_files(get_files(config), config=config)


def _site_urls(files: Files) -> set[str]:
    """Every URL path (relative to the site's root) that the built site serves."""
    return {file.url for file in files.documentation_pages()} | {file.url for file in files.media_files()}


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_site_hooks", REPO / "scripts" / "docs_site_hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _project_urls() -> dict[str, str]:
    """``[project.urls]`` as the installed package's metadata has them (where Airflow reads them)."""
    return dict(
        entry.split(", ", 1) for entry in metadata("airflow-provider-hume").get_all("Project-URL") or []
    )


def _integration() -> dict[str, Any]:
    (integration,) = get_provider_info()["integrations"]
    return integration  # type: ignore[no-any-return]


def test_documentation_url_is_the_site_url_and_the_package_documentation_url() -> None:
    config = load_config(str(REPO / "mkdocs.yml"))
    assert get_provider_info()["documentation-url"] == DOCUMENTATION_URL
    assert _project_urls()["Documentation"] == DOCUMENTATION_URL
    assert config.site_url == DOCUMENTATION_URL
    parts = urlsplit(DOCUMENTATION_URL)
    assert (parts.scheme, parts.query, parts.fragment) == ("https", "", "")
    assert parts.netloc
    assert parts.path.endswith("/")


def test_how_to_guides_and_logo_point_at_what_the_site_serves(site_files: Files) -> None:
    integration = _integration()
    links = [*integration["how-to-guide"], integration["logo"]]
    assert len(integration["how-to-guide"]) >= 5
    served = _site_urls(site_files)
    for link in links:
        parts = urlsplit(link)
        assert (parts.scheme, parts.query, parts.fragment) == ("https", "", ""), link
        assert link.startswith(DOCUMENTATION_URL), link
        assert link.removeprefix(DOCUMENTATION_URL) in served, f"{link} is not a page or file of the site"
    changelog = _project_urls()["Changelog"]
    assert changelog.removeprefix(DOCUMENTATION_URL) in served


def test_the_logo_is_shipped_in_the_package() -> None:
    logo = REPO / "airflow_provider_hume" / "static" / "logo.svg"
    assert logo.read_text().lstrip().startswith("<svg")
    assert _integration()["logo"].endswith("/" + logo.name)


def test_every_module_in_the_provider_info_is_in_the_api_reference() -> None:
    info = get_provider_info()
    modules = {
        m
        for kind in ("hooks", "operators", "sensors", "triggers")
        for e in info[kind]
        for m in e["python-modules"]
    }
    modules |= {e["python-module"] for e in info["transfers"]}
    modules |= {link.rsplit(".", 1)[0] for link in info["extra-links"]}
    documented = re.findall(r"^::: ([\w.]+)", "\n".join(p.read_text() for p in API_PAGES.glob("*.md")), re.M)
    missing = {m for m in modules if not any(d == m or d.startswith(m + ".") for d in documented)}
    assert not missing, f"not in docs/api/*.md: {sorted(missing)}"


@pytest.mark.parametrize(
    ("source", "markdown", "expected"),
    [
        (
            "README.md",
            "[the connection](docs/connection.md#in-the-ui)",
            "[the connection](connection.md#in-the-ui)",
        ),
        ("README.md", "[changelog](CHANGELOG.md)", "[changelog](changelog.md)"),
        ("README.md", "[the DAG](dags/hume_batch_to_s3.py)", "the DAG"),
        ("README.md", "[gone](docs/no-such-page.md)", "[gone](docs/no-such-page.md)"),
        (
            "README.md",
            "[Hume](https://dev.hume.ai/) [up](#install)",
            "[Hume](https://dev.hume.ai/) [up](#install)",
        ),
        ("CHANGELOG.md", "[docs/v1.md](docs/v1.md)", "[docs/v1.md](v1.md)"),
        (
            "docs/api/index.md",
            "[guide](../emulator.md) [v0](client.md)",
            "[guide](../emulator.md) [v0](client.md)",
        ),
        (
            "docs/hume-api-v0.md",
            "[`tests/fixtures/reference/`](../tests/fixtures/reference/)",
            "`tests/fixtures/reference/`",
        ),
        ("docs/hume-api-v0.md", "[the emulator](emulator.md)", "[the emulator](emulator.md)"),
    ],
)
def test_links_are_rewritten_for_the_site(source: str, markdown: str, expected: str) -> None:
    hooks = _hooks()
    assert hooks.site_markdown(markdown, source, "docs") == expected
