"""``/sonic/upsample-tags``: a short tag string expanded into a fuller style description.

The tags are read with the composer's own prompt lexicon (``engines/composer/prompt.py``: genres,
moods, instruments, production and voice words), so the expansion says what the composer would
make of them: the genre and its mood, a tempo and a key, the instrument of each part, the groove,
the mix's character and the voice. The description reads back to the same genre, tempo, key and
instruments when it is sent as ``tags`` (the tests check that round trip). The same tags always
expand the same way (the choices are seeded by the text).
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["expand_tags"]

_ROLE_WORDS = {"comp": "{} comping", "pad": "{} pads", "extra": "{} colour lines", "counter": "{} counter-melody",
               "bass": "{}"}
_GROOVE_WORDS = {"none": "no drums", "halftime": "half-time drums", "four_on_floor": "four-on-the-floor kick",
                 "boombap": "boom-bap drums", "dnb": "drum and bass breaks", "twostep": "two-step drums"}


def _program_names() -> dict[int, str]:
    from openproducer.engines.composer.words import BIGRAMS, INSTRUMENTS

    names: dict[int, str] = {}
    for table in (BIGRAMS, INSTRUMENTS):  # the two-word names first ("electric piano"), then single words
        for word, (_role, program) in table.items():
            names.setdefault(program, word)
    names.update({program: "synth" for program, name in names.items() if name in ("pad", "pads")})
    return names


def _energy_word(energy: float) -> str:
    return "high-energy" if energy >= 0.75 else "mid-tempo feel" if energy >= 0.45 else "laid-back"


def _mix_words(mix: dict[str, float]) -> list[str]:
    words = []
    if mix.get("reverb", 0.3) >= 0.5:
        words.append("spacious reverb")
    elif mix.get("reverb", 0.3) <= 0.12:
        words.append("dry close sound")
    if mix.get("drive", 0.0) >= 0.3:
        words.append("distorted saturated tone")
    if mix.get("lowpass", 0.0) > 0 or mix.get("vinyl", 0.0) >= 0.2:
        words.append("lo-fi vinyl texture")
    if mix.get("warmth", 0.0) >= 1.0:
        words.append("warm low end")
    if mix.get("brightness", 0.0) >= 1.0:
        words.append("bright top end")
    if mix.get("punch", 0.4) >= 0.6:
        words.append("punchy compressed mix")
    if mix.get("delay", 0.0) >= 0.2:
        words.append("echoing delays")
    if mix.get("width", 1.0) >= 1.2:
        words.append("wide stereo")
    return words


def expand_tags(tags: str) -> str:
    """A fuller style for ``tags``: "synthwave, nostalgic, 104 bpm, in A minor, synth bass, …"."""
    from openproducer.engines.composer.prompt import read_prompt
    from openproducer.engines.composer.words import MOODS, TIMBRE

    seed = int.from_bytes(hashlib.sha256(tags.strip().lower().encode()).digest()[:4], "big")
    style = read_prompt(tags, rng=np.random.default_rng(seed))
    names = _program_names()
    given = [w for w in style.words if w in MOODS]
    moods = given or [_energy_word(style.energy)]
    parts = [style.genre, *moods, f"{int(round(style.bpm))} bpm", f"in {style.key_name}"]
    if style.meter != "4/4":
        parts.append(f"{style.meter} time")
    for role in ("bass", "comp", "pad", "extra", "counter"):
        program = style.instruments.get(role)
        if program is not None and program in names:
            parts.append(_ROLE_WORDS[role].format(names[program]))
    if style.lead in names:
        lead = names[style.lead]
        parts.append(lead if lead.endswith("lead") else f"{lead} melody")
    parts.append(_GROOVE_WORDS.get(style.groove, f"{style.groove.replace('_', ' ')} groove"))
    if style.swing >= 0.15:
        parts.append("swung rhythm")
    parts += _mix_words(style.mix)
    if style.voice in ("female", "male"):
        voice = [w for w in style.words if w in TIMBRE]
        parts.append(" ".join([*voice, style.voice, "vocals"]))
    return ", ".join(dict.fromkeys(p for p in parts if p))
