"""Collect concurrent render calls into one pipeline call.

Worker threads call :meth:`Batcher.submit` with a *key* that says which calls can share a
pipeline call (same task, duration and settings) and an item. The first caller of a key
becomes the group's leader: it waits up to ``wait_s`` for more items of the same key (or until
``max_batch`` have joined), then runs ``run_batch`` on the whole group and hands each caller
its own result. Calls with ``key=None`` run alone, at once. Only one ``run_batch`` runs at a
time (one pipeline per worker process), so the pipeline itself never sees two threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = ["Batcher", "BatchStats"]

I = TypeVar("I")  # noqa: E741 - item
O = TypeVar("O")  # noqa: E741 - output


@dataclass
class _Slot(Generic[I]):
    item: I
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


@dataclass
class _Group(Generic[I]):
    slots: list[_Slot[I]] = field(default_factory=list)
    full: threading.Event = field(default_factory=threading.Event)


@dataclass
class BatchStats:
    calls: int = 0  # run_batch calls
    items: int = 0  # items they carried
    largest: int = 0
    busy_s: float = 0.0  # time inside run_batch


class Batcher(Generic[I, O]):
    def __init__(self, run_batch: Callable[[Sequence[I]], Sequence[O]], max_batch: int = 1, wait_s: float = 0.0):
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run_batch = run_batch
        self.max_batch = int(max_batch)
        self.wait_s = max(float(wait_s), 0.0)
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()
        self._open: dict[Hashable, _Group[I]] = {}
        self.stats = BatchStats()

    def submit(self, key: Hashable | None, item: I) -> O:
        """Run ``item`` (with others of the same ``key`` when they arrive in time); its result or its error."""
        slot: _Slot[I] = _Slot(item)
        if key is None or self.max_batch == 1:
            self._execute([slot])
            return self._outcome(slot)
        with self._lock:
            group = self._open.get(key)
            leader = group is None
            if group is None:
                group = _Group()
                self._open[key] = group
            group.slots.append(slot)
            if len(group.slots) >= self.max_batch:
                del self._open[key]  # closed: later calls start a new group
                group.full.set()
        if leader:
            group.full.wait(self.wait_s)
            with self._lock:
                if self._open.get(key) is group:
                    del self._open[key]
            self._execute(group.slots)
        return self._outcome(slot)

    @staticmethod
    def _outcome(slot: _Slot[I]) -> O:
        slot.done.wait()
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[no-any-return]

    def _execute(self, slots: list[_Slot[I]]) -> None:
        try:
            with self._run_lock:
                started = time.perf_counter()
                try:
                    results = list(self._run_batch([s.item for s in slots]))
                    if len(results) != len(slots):
                        raise RuntimeError(f"batch of {len(slots)} gave {len(results)} results")
                    for slot, result in zip(slots, results, strict=True):
                        slot.result = result
                finally:
                    self.stats.calls += 1
                    self.stats.items += len(slots)
                    self.stats.largest = max(self.stats.largest, len(slots))
                    self.stats.busy_s += time.perf_counter() - started
        except BaseException as exc:  # every waiter gets the failure, not a hang
            for slot in slots:
                slot.error = exc
        finally:
            for slot in slots:
                slot.done.set()
