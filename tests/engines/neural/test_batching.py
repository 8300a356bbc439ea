"""The batcher that turns concurrent render calls into one pipeline call (no torch needed)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from openproducer.engines.neural.batching import Batcher


class Recorder:
    def __init__(self, delay_s: float = 0.0, fail: bool = False) -> None:
        self.batches: list[list[int]] = []
        self.delay_s = delay_s
        self.fail = fail
        self.running = 0
        self.overlap = False
        self.lock = threading.Lock()

    def __call__(self, items: Sequence[int]) -> list[int]:
        with self.lock:
            self.running += 1
            self.overlap |= self.running > 1
        time.sleep(self.delay_s)
        with self.lock:
            self.running -= 1
            self.batches.append(list(items))
        if self.fail:
            raise RuntimeError("pipeline broke")
        return [i * 10 for i in items]


def submit_all(batcher: Batcher, calls: list[tuple[object, int]]) -> dict[int, object]:
    results: dict[int, object] = {}
    start = threading.Barrier(len(calls))

    def one(key: object, item: int) -> None:
        start.wait()
        try:
            results[item] = batcher.submit(key, item)
        except Exception as exc:
            results[item] = exc

    threads = [threading.Thread(target=one, args=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_one_call_runs_alone_and_returns_its_result() -> None:
    rec = Recorder()
    assert Batcher(rec, max_batch=4, wait_s=0.0).submit("k", 3) == 30
    assert rec.batches == [[3]]


def test_concurrent_calls_of_one_key_share_a_batch_without_waiting_out_the_timer() -> None:
    rec = Recorder()
    batcher = Batcher(rec, max_batch=3, wait_s=5.0)
    started = time.perf_counter()
    results = submit_all(batcher, [("k", 1), ("k", 2), ("k", 3)])
    assert time.perf_counter() - started < 4.0, "a full batch must start at once"
    assert results == {1: 10, 2: 20, 3: 30}
    assert len(rec.batches) == 1 and sorted(rec.batches[0]) == [1, 2, 3]
    assert batcher.stats.calls == 1 and batcher.stats.items == 3 and batcher.stats.largest == 3


def test_different_keys_and_keyless_calls_are_not_mixed() -> None:
    rec = Recorder(delay_s=0.01)
    batcher = Batcher(rec, max_batch=4, wait_s=0.2)
    results = submit_all(batcher, [("a", 1), ("a", 2), ("b", 3), (None, 4)])
    assert results == {1: 10, 2: 20, 3: 30, 4: 40}
    groups = sorted(sorted(b) for b in rec.batches)
    assert groups == [[1, 2], [3], [4]]
    assert not rec.overlap, "the pipeline must never run two batches at once"


def test_batches_hold_at_most_max_batch() -> None:
    rec = Recorder(delay_s=0.02)
    batcher = Batcher(rec, max_batch=2, wait_s=0.3)
    results = submit_all(batcher, [("k", i) for i in range(5)])
    assert results == {i: i * 10 for i in range(5)}
    assert max(len(b) for b in rec.batches) == 2 and sum(len(b) for b in rec.batches) == 5


def test_a_failed_batch_fails_every_caller_in_it() -> None:
    batcher = Batcher(Recorder(fail=True), max_batch=2, wait_s=1.0)
    results = submit_all(batcher, [("k", 1), ("k", 2)])
    assert all(isinstance(r, RuntimeError) for r in results.values())
    assert Batcher(Recorder(), max_batch=2).submit("k", 5) == 50  # a new batcher is unaffected


def test_wrong_result_count_is_an_error() -> None:
    batcher = Batcher(lambda items: [], max_batch=1)
    with pytest.raises(RuntimeError, match="gave 0 results"):
        batcher.submit(None, 1)


def test_max_batch_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Batcher(lambda items: items, max_batch=0)
