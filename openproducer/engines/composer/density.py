"""How full each section is, by genre family and section kind, and the parts that step aside for the voice.

Only the "full" profile (the default) is shaped here; "standard", "simple" and
"basic" keep the arrangement they always had.

* Density 0 (sparse): no drums, no pad, no colour line, no counter-melody; the
  comping is softer and the bass plays long notes. A ballad's verse: piano and bass.
* Density 1 (medium): drums softer and thinner, no colour line.
* Density 2 (full): everything the section's energy asks for. Choruses are always
  full, so a sparse verse makes the chorus lift.

While the voice sings, comping, pad and colour-line notes inside its range (two
semitones either side) step aside: pad notes move an octave down when they stay
clear of the bass, comping (and pad notes that cannot move) plays softer, the
colour line rests.
"""

from __future__ import annotations

import numpy as np

SPARSE, MEDIUM, FULL = 0, 1, 2
_QUIET_FAMILIES = ("ballad", "ambient")
_GENTLE_FAMILIES = ("folk", "jazz", "orchestral", "latin", "reggae")
_BY_KIND = {  # section kind -> density for (quiet, gentle, other) families
    "intro": (SPARSE, MEDIUM, FULL), "verse": (SPARSE, MEDIUM, MEDIUM), "pre-chorus": (MEDIUM, MEDIUM, FULL),
    "bridge": (MEDIUM, MEDIUM, MEDIUM), "outro": (MEDIUM, MEDIUM, FULL),
}
_STEP_ROLES = ("comp", "pad", "extra")
_MARGIN = 2  # semitones around the sung range
_FLOOR = 50  # a chord note moved down stays at or above D3, clear of the bass


def section_density(family: str, kind: str, profile: str) -> int:
    if profile != "full":
        return FULL
    column = 0 if family in _QUIET_FAMILIES else 1 if family in _GENTLE_FAMILIES else 2
    return _BY_KIND.get(kind, (FULL, FULL, FULL))[column]


def sung_windows(melody: dict | None, pad: float = 0.25) -> list[tuple[float, float]]:
    """(start, end) beats of each sung phrase of the lead, a little wider."""
    if not melody or melody.get("stem") != "vocals":
        return []
    spans: dict[int, list[float]] = {}
    for n in melody.get("notes", []):
        if n[4]:
            span = spans.setdefault(n[6], [n[0], n[0] + n[1]])
            span[0], span[1] = min(span[0], n[0]), max(span[1], n[0] + n[1])
    return sorted((a - pad, b + pad) for a, b in spans.values())


def step_aside(parts: dict[str, list[list]], melody: dict | None) -> None:
    """Clear the voice's range in ``parts`` (role -> notes) while it sings, in place."""
    windows = sung_windows(melody)
    if not windows:
        return
    sung = [n[2] for n in melody["notes"] if n[4]]
    lo, hi = min(sung) - _MARGIN, max(sung) + _MARGIN
    starts = np.array([a for a, _ in windows])
    ends = np.array([b for _, b in windows])
    for role in _STEP_ROLES:
        if not parts.get(role):
            continue
        notes = parts[role]
        on = np.array([n[0] for n in notes])
        off = on + np.array([n[1] for n in notes])
        i = np.minimum(np.searchsorted(ends, on, side="right"), len(ends) - 1)
        overlap = (on < ends[i]) & (off > starts[i])
        kept = []
        for n, hit in zip(notes, overlap.tolist(), strict=True):
            if hit and lo <= n[2] <= hi:
                if role == "extra":
                    continue
                if role == "pad" and n[2] - 12 >= _FLOOR:
                    n = [n[0], n[1], n[2] - 12, *n[3:]]
                else:
                    n = [n[0], n[1], n[2], max(20, int(n[3] * 0.7)), *n[4:]]
            kept.append(n)
        parts[role] = kept
