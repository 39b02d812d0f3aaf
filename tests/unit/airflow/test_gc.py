"""``collector_paused``: automatic garbage collection off inside, as it was after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from airflow_provider_hume._gc import collector_paused


@pytest.fixture
def collector_restored() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("collector_restored")
def test_the_collector_is_paused_inside_and_back_on_after_even_on_an_error() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError, match="boom"):
        _fail_while_paused()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_restored")
def test_a_collector_that_was_off_stays_off_and_nesting_keeps_the_outer_pause() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
    gc.enable()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def _fail_while_paused() -> None:
    with collector_paused():
        assert not gc.isenabled()
        raise ValueError("boom")
