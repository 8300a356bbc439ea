"""Song form: which sections, how many bars each, shaped to a target length.

The last bar of every song is the *final bar*: the tonic chord is struck on its
downbeat and held, then left to decay in the tail after it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .lyrics import LyricSection, syllables

TAIL_SECONDS = 1.6  # decay after the final bar's downbeat region (reverb and release)
# a sung eighth note shorter than this (tempi above ~158 BPM) is too fast to be understood: the voice
# sings in half time there, a syllable per beat over twice the bars (bench/intelligibility.py: the punk
# song at 176 BPM was heard at 0.69 in the mix, 0.76 in its stem; sung at 120 BPM, 0.84 and 0.88)
FAST_EIGHTH_S = 0.19

ENERGY = {
    "intro": 0.45, "verse": 0.55, "pre-chorus": 0.7, "chorus": 0.9, "bridge": 0.6, "instrumental": 0.8,
    "outro": 0.5, "theme": 0.85, "development": 0.6,
}


@dataclass
class SectionPlan:
    name: str
    kind: str
    bars: int
    lines: list[list[str]] = field(default_factory=list)  # words of each sung line
    line_bars: list[int] = field(default_factory=list)  # bars given to each line

    @property
    def energy(self) -> float:
        return ENERGY.get(self.kind, 0.6)


def bar_seconds(bpm: float, beats_per_bar: int = 4) -> float:
    return beats_per_bar * 60.0 / bpm


def bars_for_seconds(seconds: float, bpm: float, bpb: int = 4) -> int:
    """Whole bars that fit in ``seconds`` while leaving the decay tail."""
    return max(2, math.floor((seconds - TAIL_SECONDS) / bar_seconds(bpm, bpb) + 1e-6))


def vocal_pace(bpm: float | None) -> int:
    """2 where a sung eighth note would be shorter than ``FAST_EIGHTH_S`` (the voice sings in half time), else 1."""
    return 2 if bpm and 30.0 / bpm < FAST_EIGHTH_S else 1


def line_bar_count(words: list[str], bpb: int = 4, pace: int = 1) -> int:
    """Bars for a sung line: eighth notes plus a breath, 2 bars or a multiple of 4; ``pace`` times that."""
    n = sum(len(syllables(w)) for w in words)
    beats = n * 0.5 + 1.5  # eighth notes plus a breath
    return pace * (2 if beats <= 2 * bpb else 4 * math.ceil(beats / (4 * bpb)))


def instrumental_form(total_bars: int) -> list[SectionPlan]:
    """intro / theme / development / ... / outro filling ``total_bars``."""
    intro = 4 if total_bars >= 20 else 2 if total_bars >= 8 else 1
    outro = 2 if total_bars >= 8 else 1
    body = total_bars - intro - outro
    plan = [SectionPlan("intro", "intro", intro)]
    chunk = 8 if body >= 24 else 4
    sizes: list[int] = []
    while body > 0:
        take = min(chunk, body)
        if take < 4 and sizes:
            sizes[-1] += take
        else:
            sizes.append(take)
        body -= take
    names = ("theme", "development")
    for i, size in enumerate(sizes):
        kind = names[i % 2]
        if i == len(sizes) - 1 and len(sizes) >= 3:
            kind = "theme"
        plan.append(SectionPlan(kind, kind, size))
    plan.append(SectionPlan("outro", "outro", outro))
    return [s for s in plan if s.bars > 0]


def lyric_form(sections: list[LyricSection], bpm: float, bpb: int = 4, pace: int | None = None
               ) -> list[SectionPlan]:
    """Bars as the lyrics need them: a 2-bar phrase per line, 4 bars for long lines (twice that at fast tempi)."""
    pace = vocal_pace(bpm) if pace is None else pace
    plan: list[SectionPlan] = []
    for sec in sections:
        if sec.lines:
            line_bars = [line_bar_count(words, bpb, pace) for words in sec.lines]
            plan.append(SectionPlan(sec.name, sec.kind, sum(line_bars), list(sec.lines), line_bars))
        else:
            bars = {"intro": 4, "outro": 4, "instrumental": 8}.get(sec.kind, 4)
            plan.append(SectionPlan(sec.name, sec.kind if sec.kind in ENERGY else "instrumental", bars))
    if not plan or plan[0].kind != "intro":
        plan.insert(0, SectionPlan("intro", "intro", 4 if bpm >= 100 else 2))
    if plan[-1].kind != "outro" or plan[-1].lines:
        plan.append(SectionPlan("outro", "outro", 2))
    return plan


def fit_length(plan: list[SectionPlan], target_bars: int) -> list[SectionPlan]:
    """Grow or shrink instrumental bars so the form lasts ``target_bars`` when the lyrics allow."""
    plan = [SectionPlan(s.name, s.kind, s.bars, s.lines, s.line_bars) for s in plan]
    total = sum(s.bars for s in plan)
    instrumental = [s for s in plan if not s.lines]
    # shrink: intro/outro/instrumental sections, never below one bar (outro keeps its final bar + one)
    while total > target_bars:
        cands = [s for s in instrumental if s.bars > (2 if s.kind == "outro" else 1)]
        if not cands:
            break
        biggest = max(cands, key=lambda s: s.bars)
        biggest.bars -= 1
        total -= 1
    plan = [s for s in plan if s.bars > 0]
    for s in [s for s in plan if s.kind in ("intro", "outro")]:
        add = max(0, min(4 - s.bars, target_bars - total))
        s.bars += add
        total += add
    # then instrumental breaks after choruses (at most 8 bars per break per round)
    for _round in range(8):
        if total >= target_bars:
            break
        points = [i for i, s in enumerate(plan) if s.kind == "chorus"] or [len(plan) - 2]
        for i in reversed(points):
            if total >= target_bars:
                break
            add = min(8, target_bars - total)
            nxt = plan[i + 1] if i + 1 < len(plan) else None
            if nxt is not None and nxt.kind == "instrumental" and not nxt.lines:
                nxt.bars += add
            else:
                plan.insert(i + 1, SectionPlan("instrumental", "instrumental", add))
            total += add
    return plan


def lyric_form_within(sections: list[LyricSection], bpm: float, bpb: int, target_bars: int) -> list[SectionPlan]:
    """:func:`lyric_form`, in plain time when half time (a fast song) would make the sung bars outlast
    ``target_bars``."""
    plan = lyric_form(sections, bpm, bpb)
    if vocal_pace(bpm) > 1 and sum(s.bars for s in plan if s.lines) > target_bars:
        plan = lyric_form(sections, bpm, bpb, pace=1)
    return plan


def plan_form(
    lyric_sections: list[LyricSection] | None, bpm: float, length: float | None, bpb: int = 4
) -> tuple[list[SectionPlan], float]:
    """The form and the song's duration in seconds (``length`` when given).

    A fast song's lines are sung in half time unless that makes the sung bars outlast ``length``.
    """
    if lyric_sections:
        if length:
            target = bars_for_seconds(length, bpm, bpb)
            plan = fit_length(lyric_form_within(lyric_sections, bpm, bpb, target), target)
        else:
            plan = lyric_form(lyric_sections, bpm, bpb)
        bars = sum(s.bars for s in plan)
        duration = max(length or 0.0, bars * bar_seconds(bpm, bpb) + TAIL_SECONDS)
        return plan, duration
    seconds = length or 30.0
    return instrumental_form(bars_for_seconds(seconds, bpm, bpb)), seconds
