"""A real ``HumeHook`` whose async clients record every sleep (poll intervals, retry delays)."""

from __future__ import annotations

import asyncio
from typing import Any

from airflow_provider_hume.client import AsyncHumeBatchClient
from airflow_provider_hume.hooks.hume import HumeHook


class RecordingSleepHook(HumeHook):
    """Records each sleep in ``sleeps``, then sleeps it for real, or only ``real_seconds`` when given."""

    def __init__(self, hume_conn_id: str, sleeps: list[float], *, real_seconds: float | None = None) -> None:
        super().__init__(hume_conn_id)
        self.sleeps = sleeps
        self.real_seconds = real_seconds

    async def get_async_client(self, **overrides: Any) -> AsyncHumeBatchClient:
        async def recording_sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            await asyncio.sleep(seconds if self.real_seconds is None else self.real_seconds)

        return await super().get_async_client(sleep=recording_sleep, **overrides)
