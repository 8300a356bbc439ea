"""The render work: the clips of a task side by side where the engine allows it, progress that only
moves forward."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from openproducer.core.works.render import _at_once, _Together
from openproducer.engines.base import Operation


class _Reports:
    def __init__(self) -> None:
        self.seen: list[tuple[float, str]] = []

    def report(self, fraction: float, stage: str) -> None:
        self.seen.append((fraction, stage))


def test_clips_made_together_report_the_mean_and_never_go_back():
    ctx = _Reports()
    together = _Together(ctx, 2)  # type: ignore[arg-type]
    first, second = together.part(0), together.part(1)
    first(0.5, "singing")
    second(0.2, "playing")
    first(0.4, "late report")  # an older fraction from the same clip does not move it back
    second(1.0, "finishing")
    first(1.0, "finishing")
    fractions = [f for f, _ in ctx.seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert fractions[:2] == [0.25, 0.35]


def test_threads_reporting_at_once_keep_the_progress_whole():
    ctx = _Reports()
    together = _Together(ctx, 4)  # type: ignore[arg-type]
    parts = [together.part(i) for i in range(4)]
    threads = [threading.Thread(target=lambda p=p: [p(k / 100, "x") for k in range(101)]) for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fractions = [f for f, _ in ctx.seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_the_engine_says_how_many_clips_render_at_once(engines):
    def ctx(engine: str):
        return SimpleNamespace(engines=engines, task=SimpleNamespace(engine=engine))

    create = {"operation": Operation.CREATE.value}
    assert _at_once(ctx("composer"), create, 2) == 2  # type: ignore[arg-type]
    assert _at_once(ctx("composer"), create, 1) == 1  # type: ignore[arg-type]
    assert _at_once(ctx("no-such-engine"), create, 2) == 1  # type: ignore[arg-type]
