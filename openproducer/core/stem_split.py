"""A song split into stems: exactly from its score where the composer made it, by separation otherwise.

* Composer clips: the clip keeps its pre-master parts (instrumental and vocals). Basic stems are
  those two; full stems render every instrument group of the score on its own, with the synth
  settings of the song (soundfont, room, channel volumes and pans), and split the voice into the
  lead (``vocals``) and the chorus harmony (``backing vocals``) by singing each alone. The instrumental bus's
  processing and then the master's are carried onto every part (``audio.stems``), so the stems
  sum back to the published mix. When the score's instruments do not rebuild the stored
  instrumental (a song whose accompaniment was kept from an upload), the instrumental is
  separated instead and the answer says so.
* Uploads and neural clips: the stored or computed vocal split (REPET-SIM), or the configured
  Demucs model, whose sources (drums, bass, other, …) make the full stems.

Each stem is (samples, 2) float32 over the whole song (its timeline); the work cuts the clip's own part.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from openproducer.audio.shape import as_stereo, fit_length, interleaved, planar
from openproducer.audio.stems import carry_processing, level_below
from openproducer.engines.base import ParentClip

__all__ = ["SongStems", "instrument_group", "split_song"]

log = logging.getLogger(__name__)

# Below this the score's instruments did not rebuild the stored instrumental: not exact.
_REBUILT_DB = 20.0
# The voices sung again must give the stored vocal stem back this exactly (float rounding: far more).
_SUNG_AGAIN_DB = 60.0

_FAMILIES = (  # General MIDI program // 8 -> stem
    "keys", "keys", "keys", "guitar", "bass", "strings", "strings", "brass",
    "woodwinds", "woodwinds", "synth", "synth", "fx", "plucked", "percussion", "fx",
)


@dataclass
class SongStems:
    stems: dict[str, np.ndarray]
    method: dict[str, str]  # stem -> "score" | "separation (repet-sim)" | "separation (demucs)"
    notes: list[str] = field(default_factory=list)
    residual_db: float | None = None  # how far below the mix lies what the carried processing left unexplained


def instrument_group(track: dict[str, Any]) -> str:
    """The stem an instrument track belongs to (drums, bass, keys, guitar, strings, …)."""
    if track.get("bank") == 128 or track.get("channel") == 9 or track.get("role") == "drums":
        return "drums"
    if track.get("role") == "bass":
        return "bass"
    program = int(track.get("program", 0))
    if 52 <= program <= 54:
        return "choir"
    return _FAMILIES[max(0, min(127, program)) // 8]


@functools.cache
def _soundfont(path: str, sample_rate: int) -> Any:
    from openproducer.engines.composer.render import SoundfontHandle

    return SoundfontHandle(Path(path), sample_rate)


def _render_groups(score: dict[str, Any], n: int, sr: int, soundfont: Path,
                   vocals: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every instrument group of the score's instrumental stem rendered alone with the song's synth
    settings, then through the instrumental bus's fixed processing (its filters, drive, echo and
    width; the bus compressor's moving gain is measured afterwards) and the room the backing makes
    for the voice (the vocal-keyed band dip, a linear filter once the voice is known):
    (samples, 2) each."""
    from dataclasses import replace

    from openproducer.engines.composer.balance import carve
    from openproducer.engines.composer.mixing import Mix, process_instrumental, room_settings, vocal_balance
    from openproducer.engines.composer.render import render_parts
    from openproducer.engines.composer.score import all_tracks, seconds_per_beat

    handle = _soundfont(str(soundfont), sr)
    mix = Mix.from_dict(score.get("style", {}).get("mix"))
    room = room_settings(mix)
    fixed = replace(mix, punch=0.0, vinyl=0.0)  # no bus compressor, no record noise (added apart)
    groups: dict[str, list[dict[str, Any]]] = {}
    for track in all_tracks(score):
        if track.get("stem") == "instrumental" and track.get("notes"):
            groups.setdefault(instrument_group(track), []).append(track)
    spb = seconds_per_beat(score)
    # where the song's synths were cut (a song made before the cut was recorded: not cut)
    at = (score.get("synth_cuts") or {}).get("instrumental")
    out = {}
    for name, tracks in sorted(groups.items()):
        played = render_parts(handle, tracks, spb, n, sr, room, at)
        played = process_instrumental(played, sr, fixed, float(score["bpm"]), int(score.get("seed", 0)))
        if vocals is not None and np.any(vocals):
            carve(played, np.ascontiguousarray(vocals[:, 0]), sr, vocal_balance(score.get("style")).carve_db)
        out[name] = interleaved(played)
    return out


def _master_filter(parent: ParentClip) -> Callable[[np.ndarray], np.ndarray] | None:
    """The master's fixed equaliser, for a mastered clip (a raw one was only scaled)."""
    if not (parent.meta.extra.get("master") or {}).get("mastered", True):
        return None
    import pedalboard

    from openproducer.audio.master import master_filters

    sr = parent.sample_rate

    def apply(audio: np.ndarray) -> np.ndarray:
        return interleaved(pedalboard.Pedalboard(master_filters())(planar(audio), sr))
    return apply


def _vinyl(score: dict[str, Any], n: int, sr: int) -> np.ndarray | None:
    """The seeded record noise the instrumental chain adds, alone (None when the song has none)."""
    from openproducer.engines.composer.mixing import Mix, add_vinyl

    mix = Mix.from_dict(score.get("style", {}).get("mix"))
    if mix.vinyl <= 0.02:
        return None
    noise = np.zeros((2, n), dtype=np.float32)
    add_vinyl(noise, sr, mix.vinyl, int(score.get("seed", 0)))
    return interleaved(noise)


def _sung_apart(score: dict[str, Any], vocals: np.ndarray, n: int, sr: int) -> dict[str, np.ndarray] | None:
    """The vocal stem as ``vocals`` (the lead) and ``backing vocals`` (the chorus harmony voice), or
    None for a song with one voice. The singer is deterministic (the same notes give the same
    sound), so the song's voices are sung again, together and the lead alone: together they must
    give the stored stem back (up to its level), which proves the lead alone is the lead as it
    sounds in the song; the backing is the rest, the harmony with what it does to the shared
    vocal chain."""
    melody = score.get("melody") or {}
    if not melody.get("harmony") or not melody.get("notes") or not melody.get("voice"):
        return None
    from openproducer.engines.composer.mixing import Mix, vocal_balance
    from openproducer.engines.composer.vocals import sing

    style = score.get("style") or {}
    bpm, mix, balance = float(score["bpm"]), Mix.from_dict(style.get("mix")), vocal_balance(style)
    both = sing(melody, bpm, n, sr, mix, balance).T
    wide = both.astype(np.float64)
    level = float(np.sum(wide * vocals)) / max(float(np.sum(wide**2)), 1e-30)
    if level_below(vocals, vocals - level * both) < _SUNG_AGAIN_DB:
        log.info("stems: the voices sung again do not give the stored vocal stem back; kept as one stem")
        return None
    lead = (sing({**melody, "harmony": []}, bpm, n, sr, mix, balance).T * np.float32(level)).astype(np.float32)
    return {"vocals": lead, "backing vocals": (vocals - lead).astype(np.float32)}


def _score_stems(parent: ParentClip, full: bool, soundfont: Path | None,
                 separate: Callable[[np.ndarray], dict[str, np.ndarray]] | None,
                 progress: Callable[[float, str], None]) -> SongStems | None:
    score = parent.score or {}
    if score.get("engine") != "composer" or "instrumental" not in parent.stems:
        return None
    n, sr = len(parent.audio), parent.sample_rate
    instrumental = fit_length(as_stereo(parent.stems["instrumental"]), n)
    vocals = fit_length(as_stereo(parent.stems["vocals"]), n) if "vocals" in parent.stems else np.zeros_like(
        instrumental)
    notes: list[str] = []
    bus_db = float("inf")
    method = {"vocals": "score", "instrumental": "score"}
    parts: dict[str, np.ndarray] = {"vocals": vocals, "instrumental": instrumental}
    if full and soundfont is not None:
        progress(0.1, "rendering instruments")
        groups = _render_groups(score, n, sr, soundfont, vocals if "vocals" in parent.stems else None)
        noise = _vinyl(score, n, sr)
        if noise is not None:
            groups["vinyl"] = noise
        progress(0.5, "mixing stems")
        carried = carry_processing(groups, instrumental) if groups else None
        if carried is not None and carried.residual_db >= _REBUILT_DB:
            voices = _sung_apart(score, vocals, n, sr) if "vocals" in parent.stems else None
            parts = {**(voices or {"vocals": vocals}), **carried.parts}
            method = dict.fromkeys(parts, "score")
            bus_db = carried.residual_db
        else:
            found = f"{carried.residual_db:.1f} dB" if carried is not None else "no instruments"
            log.info("stems: the score does not rebuild the instrumental (%s); separating it", found)
            notes.append("The accompaniment was not rendered from this song's score (it was kept from another "
                         "clip), so its instruments were separated from the audio.")
            if separate is not None:
                split = separate(instrumental)
                parts = {"vocals": vocals, **{k: v for k, v in split.items() if k != "vocals"}}
                method = {k: ("score" if k == "vocals" else "separation (demucs)") for k in parts}
                if "vocals" in split:  # what the model hears as voice in the accompaniment stays in it
                    parts["other"] = parts.get("other", np.zeros_like(vocals)) + split["vocals"]
            else:
                method["instrumental"] = "kept (no separation model for instruments)"
    progress(0.7, "carrying the master")
    carried = carry_processing(parts, parent.audio, linear=_master_filter(parent), quiet=("vocals", "backing vocals"))
    return SongStems(carried.parts, method, notes, round(min(carried.residual_db, bus_db), 2))


def _separated(parent: ParentClip, full: bool,
               separate: Callable[[np.ndarray], dict[str, np.ndarray]] | None) -> SongStems:
    audio = as_stereo(parent.audio)
    if separate is not None:
        sources = separate(audio)
        if not full:
            vocals = sources.get("vocals", np.zeros_like(audio))
            sources = {"vocals": vocals, "instrumental": (audio - vocals).astype(np.float32)}
        return SongStems(sources, dict.fromkeys(sources, "separation (demucs)"))
    split = parent.vocal_parts()  # an upload's stored split, or REPET-SIM on the mix
    how = "separation (repet-sim)"
    if not parent.meta.has_vocals and parent.engine != "upload":
        how = "instrumental (no vocals)"
    notes = ["Only vocals and instrumental can be separated without a separation model "
             "(settings: separation_model)."] if full else []
    return SongStems(split, dict.fromkeys(split, how), notes)


def split_song(parent: ParentClip, full: bool, soundfont: Path | None, demucs: Any | None,
               progress: Callable[[float, str], None] = lambda _f, _s: None) -> SongStems:
    """The stems of ``parent``'s whole song (exact from its score where it has one)."""
    separate = None
    if demucs is not None:
        def separate(audio: np.ndarray) -> dict[str, np.ndarray]:
            return demucs.split_sources(audio, parent.sample_rate)
    exact = _score_stems(parent, full, soundfont, separate, progress)
    if exact is not None:
        return exact
    return _separated(parent, full, separate)


def residual_db(stems: dict[str, np.ndarray], mix: np.ndarray) -> float:
    """How far below ``mix`` the difference between it and the sum of ``stems`` lies (dB)."""
    total = sum(fit_length(as_stereo(s), len(mix)) for s in stems.values())
    return level_below(mix, mix - total)
