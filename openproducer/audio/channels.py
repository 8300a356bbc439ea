"""Signal work split by channel (or by signal) onto two threads.

NumPy's array loops, SciPy's IIR filters and pedalboard's plugins release the GIL, so the two
channels of a long stereo signal are processed at once on a two-core machine: a 3-minute song's
mixing and mastering are that much shorter. Results come back in order, so the samples are the
same whichever thread ran first. ``fn`` must not itself call :func:`each` (the two threads could
then both wait for a third).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["PARALLEL_FROM_SAMPLES", "each"]

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_FROM_SAMPLES = 1 << 17  # ~3 s at 44.1 kHz: shorter work is done on the calling thread
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="channel")


def each(fn: Callable[[T], R], items: Sequence[T], samples: int) -> list[R]:
    """``fn(item)`` for every item, in order: on the two threads when there are several items of at
    least :data:`PARALLEL_FROM_SAMPLES` samples, else on the calling thread."""
    if len(items) > 1 and samples >= PARALLEL_FROM_SAMPLES:
        return list(_POOL.map(fn, items))
    return [fn(item) for item in items]
