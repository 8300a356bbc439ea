"""A form the request names: sections and their seconds (Nuro's ``segments``, Studio's lyric placement).

``EngineRequest.form`` is ``[(name, seconds), ...]``. Sections are laid out in whole bars, so the
tempo moves a little (at most ``TEMPO_SLACK`` either way, unless the request fixed it) to the
tempo at which every section boundary falls on a bar line nearest where the request puts it;
a boundary is then off by at most a beat for all but the most awkward lists of durations.

Without lyrics each segment becomes one section under its own name; its kind (what the
arrangement and the melody do there) comes from the name. With lyrics the lyrics keep their
own sections: the instrumental segments at the start and the end (intro, outro, instrumental)
keep their seconds, and the sung sections fill the span between them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .compose import compose
from .form import SectionPlan, fit_length, line_bar_count
from .lyrics import LyricSection, section_kind
from .prompt import Style

__all__ = ["TEMPO_SLACK", "fit_tempo", "score_in_form", "segment_kind"]

TEMPO_SLACK = 0.12
_INSTRUMENTAL = ("intro", "outro", "instrumental")
# What a section of an instrumental does: the melody writer plays in "theme" and "development".
_WITHOUT_WORDS = {"chorus": "theme", "verse": "development", "pre-chorus": "development", "bridge": "development",
                  "instrumental": "theme"}


def segment_kind(name: str, sung: bool) -> str:
    """The composer's section kind for a segment name ("inst" is Nuro's instrumental)."""
    low = name.strip().lower()
    kind = "instrumental" if low in ("inst", "instr") else section_kind(low)
    return kind if sung else _WITHOUT_WORDS.get(kind, kind)


def _bars_at(boundaries: Sequence[float], bar_s: float) -> list[int]:
    """Bar numbers of increasing boundaries, each at least one bar after the one before."""
    out: list[int] = []
    for b in boundaries:
        out.append(max(out[-1] + 1 if out else 1, int(round(b / bar_s))))
    return out


def _worst_beats(boundaries: Sequence[float], bpm: float, bpb: int) -> float:
    beat = 60.0 / bpm
    bars = _bars_at(boundaries, bpb * beat)
    return max((abs(b - n * bpb * beat) / beat for b, n in zip(boundaries, bars, strict=True)), default=0.0)


def fit_tempo(bpm: float, boundaries: Sequence[float], bpb: int, fixed: bool = False,
              fits: Callable[[float], bool] | None = None) -> float:
    """The tempo near ``bpm`` at which ``boundaries`` (seconds) fall nearest bar lines; among the
    tempos for which ``fits`` holds when there are any (else the fastest: the music needs room)."""
    if fixed or not boundaries:
        return bpm
    candidates = [float(c) for c in np.arange(max(40.0, bpm * (1 - TEMPO_SLACK)),
                                              min(220.0, bpm * (1 + TEMPO_SLACK)) + 1e-9, 0.1)]
    if fits is not None:
        candidates = [c for c in candidates if fits(c)] or candidates[-1:]
    scored = [(round(_worst_beats(boundaries, c, bpb), 3), abs(c - bpm), c) for c in candidates]
    return round(min(scored)[2], 1) if scored else bpm


def _cumulative(seconds: Sequence[float]) -> list[float]:
    return [float(x) for x in np.cumsum(seconds)]


def _instrumental_plan(form: Sequence[tuple[str, float]], bars: list[int]) -> list[SectionPlan]:
    plan, previous = [], 0
    for (name, _), end in zip(form, bars, strict=True):
        plan.append(SectionPlan(name, segment_kind(name, sung=False), end - previous))
        previous = end
    return plan


def _sung_plan(sections: list[LyricSection], bpb: int) -> list[SectionPlan]:
    plan = []
    for sec in sections:
        if sec.lines:
            line_bars = [line_bar_count(words, bpb) for words in sec.lines]
            plan.append(SectionPlan(sec.name, sec.kind, sum(line_bars), list(sec.lines), line_bars))
        elif sec.kind not in ("intro", "outro"):
            plan.append(SectionPlan(sec.name, "instrumental", 4))
    return plan


def _frame(form: Sequence[tuple[str, float]]) -> tuple[float, float, float]:
    """(seconds before the singing, seconds of the sung span, seconds after it)."""
    kinds = [segment_kind(name, sung=True) for name, _ in form]
    head = tail = 0.0
    i, j = 0, len(form)
    while i < j and kinds[i] in _INSTRUMENTAL:
        head += form[i][1]
        i += 1
    while j > i and kinds[j - 1] in _INSTRUMENTAL:
        tail += form[j - 1][1]
        j -= 1
    span = sum(seconds for _, seconds in form[i:j])
    if span <= 0:  # nothing left to sing in: the whole form is the span
        return 0.0, head + tail, 0.0
    return head, span, tail


def _lyric_plan(form: Sequence[tuple[str, float]], sections: list[LyricSection], style: Style,
                fixed: bool) -> list[SectionPlan]:
    head, span, tail = _frame(form)
    bpb = style.beats_per_bar
    sung = _sung_plan(sections, bpb)
    needed = sum(s.bars for s in sung if s.lines)

    def span_bars(bpm: float) -> int:
        bar_s = bpb * 60.0 / bpm
        return max(1, int(round((head + span) / bar_s)) - int(round(head / bar_s)))

    edges = [x for x in _cumulative([head, span, tail]) if x > 0]
    style.bpm = fit_tempo(style.bpm, sorted(set(edges)), bpb, fixed, fits=lambda bpm: span_bars(bpm) >= needed)
    bar_s = bpb * 60.0 / style.bpm
    head_bars = int(round(head / bar_s))
    tail_bars = max(1, int(round((head + span + tail) / bar_s)) - head_bars - span_bars(style.bpm))
    sung = fit_length(sung, span_bars(style.bpm))
    plan = ([SectionPlan("intro", "intro", head_bars)] if head_bars else []) + sung
    plan.append(SectionPlan("outro", "outro", tail_bars + 1 if tail <= 0 else tail_bars))
    return plan


def score_in_form(form: Sequence[tuple[str, float]], fixed_tempo: bool = False) -> Callable[..., dict[str, Any]]:
    """A stand-in for ``compose.create_score`` that lays the song out in ``form``."""
    form = [(str(name), float(seconds)) for name, seconds in form if float(seconds) > 0]

    def create(style: Style, lyric_sections: list[LyricSection] | None, length: float | None, *, profile: str,
               rng: np.random.Generator, weirdness: float, lead_stem: str | None, seed: int, register: int = 0,
               lyrics_strength: float = 0.5) -> dict[str, Any]:
        total = sum(seconds for _, seconds in form)
        if lyric_sections:
            plan = _lyric_plan(form, lyric_sections, style, fixed_tempo)
        else:
            ends = _cumulative([seconds for _, seconds in form])
            style.bpm = fit_tempo(style.bpm, ends, style.beats_per_bar, fixed_tempo)
            plan = _instrumental_plan(form, _bars_at(ends, style.beats_per_bar * 60.0 / style.bpm))
        return compose(style, plan, total, profile=profile, rng=rng, weirdness=weirdness, lead_stem=lead_stem,
                       seed=seed, lyric=bool(lyric_sections), register=register, lyrics_strength=lyrics_strength)

    return create
