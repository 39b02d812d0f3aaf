"""Setting up clients without the cyclic garbage collector walking Airflow's heap again and again."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause automatic cyclic garbage collection while a burst of long-lived objects is made.

    Importing boto3 and loading S3's service model make hundreds of thousands of objects; in a task process,
    which already holds Airflow's, each full collection they trigger walks the whole heap. Paused, creating
    the S3 client took a third of the time (0.08 s against 0.25 s in ``benchmarks/transfers.py``). Nothing
    is lost: reference counting frees as usual, and cycles wait for the next collection. A collector that
    was already off stays off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
