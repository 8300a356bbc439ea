"""Genre records and the twelve base families the other genres derive from.

A genre is a bundle of musical decisions: tempo range, meter, drum groove,
chord vocabulary, an instrument and register per arrangement role, comping and
bass styles, swing, energy and a mix (see ``mixing.Mix``). Programs are 0-based
General MIDI program numbers; the drum kit is bank 128. Genres such as house or
trap are their own entries in ``genres.py``, derived from a family with
overrides (:func:`derive`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = {"DB": 1, "EB": 3, "GB": 6, "AB": 8, "BB": 10, "CB": 11, "FB": 4}
METERS = {"4/4": 4, "3/4": 3, "6/8": 3}  # time signature -> quarter-note beats per bar


@dataclass(frozen=True)
class Genre:
    name: str
    family: str
    tempo: tuple[int, int]
    groove: str  # a key of drums.GROOVES
    mode: str  # "major" or "minor": the usual mode when the prompt names none
    progressions: str  # a key of progressions.PROGRESSIONS
    instruments: dict[str, int]  # role -> GM program (bass, comp, pad, extra, counter)
    lead: int  # GM program of the lead line that carries the melody
    comp_style: str = "block"  # see arrange_parts.comp_bar
    bass_style: str = "root8"  # see arrange_parts.bass_bar
    swing: float = 0.0  # 0 straight .. 0.33 full triplet swing of off-beat eighths
    energy: float = 0.6
    meter: str = "4/4"
    comp_center: int = 62  # MIDI pitch the comping voicings centre on
    pad_center: int = 67
    bass_octave: int = 0  # octaves added to the bass line
    mix: dict[str, float] = field(default_factory=dict)  # overrides of mixing.Mix fields
    aliases: tuple[str, ...] = ()


def derive(base: Genre, name: str, **over: Any) -> Genre:
    """A genre that starts from ``base``; ``instruments`` and ``mix`` overrides are merged."""
    instruments = {**base.instruments, **over.pop("instruments", {})}
    mix = {**base.mix, **over.pop("mix", {})}
    over.setdefault("aliases", ())
    return replace(base, name=name, instruments=instruments, mix=mix, **over)


def _family(name: str, tempo: tuple[int, int], groove: str, mode: str, prog: str, inst: dict[str, int],
            lead: int, **kw: Any) -> Genre:
    return Genre(name, name, tempo, groove, mode, prog, inst, lead, **kw)


FAMILIES: dict[str, Genre] = {g.name: g for g in (
    _family("pop", (96, 124), "backbeat", "major", "pop",
            {"bass": 33, "comp": 0, "pad": 48, "extra": 4, "counter": 11}, 85,
            comp_style="block", bass_style="root8", energy=0.6, mix={"punch": 0.5, "brightness": 1.5}),
    _family("rock", (108, 140), "rock", "major", "rock",
            {"bass": 34, "comp": 29, "pad": 18, "extra": 30, "counter": 27}, 29,
            comp_style="strum", bass_style="root8", energy=0.8, comp_center=57,
            mix={"drive": 0.25, "punch": 0.6, "reverb": 0.3}, aliases=("anthem", "alternative")),
    _family("edm", (122, 130), "four_on_floor", "minor", "edm",
            {"bass": 38, "comp": 81, "pad": 89, "extra": 80, "counter": 81}, 81,
            comp_style="stab", bass_style="octave", energy=0.85, comp_center=64,
            mix={"punch": 0.8, "width": 1.3, "brightness": 2.0, "reverb": 0.4},
            aliases=("dance", "electronic", "club", "big room", "electro")),
    _family("hiphop", (84, 98), "boombap", "minor", "hiphop",
            {"bass": 38, "comp": 4, "pad": 89, "extra": 11, "counter": 4}, 80,
            comp_style="sustain", bass_style="sub", swing=0.18, energy=0.6, bass_octave=-1,
            mix={"punch": 0.7, "reverb": 0.2}, aliases=("hip hop", "hip-hop", "hip", "rap")),
    _family("jazz", (100, 140), "swing", "major", "jazz",
            {"bass": 32, "comp": 0, "pad": 61, "extra": 11, "counter": 65}, 65,
            comp_style="block", bass_style="walking", swing=0.3, energy=0.5, comp_center=60,
            mix={"reverb": 0.35, "warmth": 1.5, "punch": 0.2}, aliases=("jazzy",)),
    _family("ballad", (66, 84), "ballad", "major", "ballad",
            {"bass": 32, "comp": 0, "pad": 49, "extra": 48, "counter": 42}, 85,
            comp_style="arp", bass_style="root4", energy=0.4,
            mix={"reverb": 0.55, "punch": 0.2}, aliases=("love song", "power ballad")),
    _family("ambient", (70, 90), "none", "major", "ambient",
            {"bass": 89, "comp": 88, "pad": 94, "extra": 10, "counter": 92}, 73,
            comp_style="sustain", bass_style="pedal", energy=0.25, comp_center=64, pad_center=70,
            mix={"reverb": 0.85, "width": 1.4, "punch": 0.0},
            aliases=("meditation", "meditative", "drone", "new age", "new-age", "relaxing", "soundscape")),
    _family("orchestral", (84, 110), "orchestral", "minor", "epic",
            {"bass": 42, "comp": 48, "pad": 52, "extra": 60, "counter": 60}, 40,
            comp_style="sustain", bass_style="root4", energy=0.7, comp_center=60,
            mix={"reverb": 0.7, "width": 1.2}, aliases=("cinematic", "epic", "trailer", "film", "soundtrack",
                                                        "symphonic", "score")),
    _family("folk", (88, 116), "folk", "major", "folk",
            {"bass": 32, "comp": 25, "pad": 21, "extra": 105, "counter": 73}, 73,
            comp_style="strum", bass_style="root4", energy=0.5, comp_center=58,
            mix={"reverb": 0.3, "warmth": 1.0}, aliases=("acoustic", "americana", "singer-songwriter")),
    _family("reggae", (70, 90), "one_drop", "major", "reggae",
            {"bass": 33, "comp": 27, "pad": 16, "extra": 61, "counter": 16}, 85,
            comp_style="skank", bass_style="reggae", energy=0.5, bass_octave=-1,
            mix={"reverb": 0.35, "warmth": 1.5}, aliases=("rocksteady", "roots reggae")),
    _family("latin", (90, 110), "bossa", "minor", "latin",
            {"bass": 32, "comp": 24, "pad": 48, "extra": 73, "counter": 56}, 73,
            comp_style="arp", bass_style="tumbao", energy=0.55, comp_center=60,
            mix={"reverb": 0.3, "warmth": 1.0}),
    _family("metal", (130, 170), "metal", "minor", "metal",
            {"bass": 34, "comp": 30, "pad": 48, "extra": 30, "counter": 30}, 30,
            comp_style="power", bass_style="drive", energy=0.95, comp_center=52,
            mix={"drive": 0.6, "punch": 0.8, "reverb": 0.2, "brightness": 1.0},
            aliases=("heavy metal", "thrash", "hardcore", "metalcore")),
)}
