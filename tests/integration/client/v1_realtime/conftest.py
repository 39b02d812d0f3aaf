"""A realtime emulator with rate limits 40 times faster than Hume's (a test aid), and matching options."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from airflow_provider_hume.client.v1.realtime import ReconnectPolicy, StreamOptions
from airflow_provider_hume.emulator.backend.settings import V1Settings
from tests.support.v1_realtime import RealtimeServer, realtime_server

SPEED = 40.0
#: Reconnect at once: the schedule itself is unit-tested; here only the decisions matter.
QUICK_RECONNECT = ReconnectPolicy(max_attempts=3, first_delay=(0.01, 0.01), max_delay=0.05)


@pytest.fixture(scope="module")
def realtime() -> Iterator[RealtimeServer]:
    with realtime_server(V1Settings(rate_multiplier=SPEED)) as running:
        yield running


@pytest.fixture
def serve() -> Iterator[Callable[[V1Settings], RealtimeServer]]:
    with ExitStack() as stack:
        yield lambda settings: stack.enter_context(realtime_server(settings))


@pytest.fixture
def options() -> StreamOptions:
    return StreamOptions(speed=SPEED, reconnect=QUICK_RECONNECT, reply_timeout=10.0)
