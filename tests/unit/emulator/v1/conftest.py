"""Helpers for ``v1`` route tests: uploads through the in-memory client."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from starlette.testclient import TestClient

Upload = Callable[..., Any]


@pytest.fixture
def upload_audio(client: TestClient) -> Upload:
    """POST one audio part (and a config part when given)."""

    def _upload(
        data: bytes, config: Any = None, *, content_type: str = "audio/wav", raw_config: str | None = None
    ) -> Any:
        files: list[tuple[str, tuple[str | None, bytes | str, str]]] = [
            ("file", ("audio.wav", data, content_type))
        ]
        if config is not None or raw_config is not None:
            text = raw_config if raw_config is not None else json.dumps(config)
            files.append(("config", (None, text, "application/json")))
        return client.post("/v1/expression/audio/file", files=files)

    return _upload


@pytest.fixture
def upload_images(client: TestClient) -> Upload:
    """POST image parts (and a config part when given)."""

    def _upload(images: Sequence[bytes], config: Any = None) -> Any:
        files: list[tuple[str, tuple[str | None, bytes | str, str]]] = [
            ("file", (f"frame{index}.jpg", data, "image/jpeg")) for index, data in enumerate(images)
        ]
        if config is not None:
            files.append(("config", (None, json.dumps(config), "application/json")))
        return client.post("/v1/expression/video/file", files=files)

    return _upload


@pytest.fixture
def runs(client: TestClient) -> Callable[..., list[dict[str, Any]]]:
    """The caller's runs (one page of up to 200), newest first."""

    def _runs(**params: Any) -> list[dict[str, Any]]:
        response = client.get("/v1/expression/run", params={"page_size": 200, **params})
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["runs"]
        return found

    return _runs
