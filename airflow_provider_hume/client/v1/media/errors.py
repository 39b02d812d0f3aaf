"""The error media preparation raises for a file it cannot use, before any request is sent."""

from __future__ import annotations

from airflow_provider_hume.client.errors import HumeValidationError


class MediaInputError(HumeValidationError):
    """``name`` cannot be sent as it is: the message says what is wrong with it and how to fix it."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
