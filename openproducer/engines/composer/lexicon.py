"""Word lists the prompt reader understands: genres, moods, instruments.

A genre is a bundle of defaults (tempo range, groove, chord vocabulary and an
instrument per arrangement role). Everything is General MIDI: programs are
0-based GM program numbers, the drum kit is bank 128.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Genre:
    name: str
    tempo: tuple[int, int]
    groove: str  # a key of arrange_patterns.GROOVES
    mode: str  # "major" or "minor": the usual mode when the prompt names none
    progressions: str  # a key of harmony.PROGRESSIONS
    instruments: dict[str, int]  # role -> GM program
    lead: int  # GM program of the lead line that carries the melody
    comp_style: str = "block"  # block | strum | arp | stab | sustain
    bass_style: str = "root8"  # root8 | root4 | walking | octave | sub | pedal
    swing: float = 0.0  # 0 straight .. 0.33 full triplet swing of off-beat eighths
    energy: float = 0.6
    aliases: tuple[str, ...] = field(default_factory=tuple)


GENRES: dict[str, Genre] = {
    g.name: g
    for g in (
        Genre("pop", (96, 124), "backbeat", "major", "pop",
              {"bass": 33, "comp": 0, "pad": 48, "extra": 4}, 85, "block", "root8", energy=0.6),
        Genre("rock", (108, 140), "rock", "major", "rock",
              {"bass": 34, "comp": 29, "pad": 18, "extra": 30}, 29, "strum", "root8", energy=0.8,
              aliases=("grunge", "punk", "anthem", "indie")),
        Genre("edm", (122, 130), "four_on_floor", "minor", "edm",
              {"bass": 38, "comp": 81, "pad": 89, "extra": 80}, 81, "stab", "octave", energy=0.85,
              aliases=("house", "techno", "trance", "dance", "electronic", "club", "synthwave", "disco")),
        Genre("hiphop", (84, 98), "boombap", "minor", "hiphop",
              {"bass": 38, "comp": 4, "pad": 89, "extra": 11}, 80, "sustain", "sub", swing=0.18,
              energy=0.6, aliases=("hip-hop", "hip", "rap", "boom-bap", "trap", "lofi", "lo-fi", "drill")),
        Genre("jazz", (100, 140), "swing", "major", "jazz",
              {"bass": 32, "comp": 0, "pad": 61, "extra": 11}, 65, "block", "walking", swing=0.3,
              energy=0.5, aliases=("swing", "bebop", "blues", "soul", "funk", "r&b", "rnb")),
        Genre("ballad", (66, 84), "ballad", "major", "ballad",
              {"bass": 32, "comp": 0, "pad": 49, "extra": 48}, 85, "arp", "root4", energy=0.4,
              aliases=("love", "slow", "piano")),
        Genre("ambient", (70, 90), "none", "major", "ambient",
              {"bass": 89, "comp": 88, "pad": 94, "extra": 10}, 73, "sustain", "pedal", energy=0.25,
              aliases=("meditation", "meditative", "chill", "chillout", "drone", "new-age", "relaxing")),
        Genre("orchestral", (84, 110), "orchestral", "minor", "epic",
              {"bass": 42, "comp": 48, "pad": 52, "extra": 60}, 40, "sustain", "root4", energy=0.7,
              aliases=("cinematic", "epic", "trailer", "film", "soundtrack", "classical", "symphonic")),
        Genre("folk", (88, 116), "folk", "major", "folk",
              {"bass": 32, "comp": 25, "pad": 21, "extra": 105}, 73, "strum", "root4", energy=0.5,
              aliases=("country", "acoustic", "americana", "bluegrass", "singer-songwriter")),
        Genre("reggae", (70, 90), "one_drop", "major", "reggae",
              {"bass": 33, "comp": 27, "pad": 16, "extra": 61}, 85, "stab", "root4", energy=0.5,
              aliases=("dub", "ska", "dancehall")),
        Genre("latin", (90, 110), "bossa", "minor", "latin",
              {"bass": 32, "comp": 24, "pad": 48, "extra": 73}, 73, "arp", "root4", energy=0.55,
              aliases=("bossa", "bossa-nova", "samba", "salsa", "tango", "reggaeton")),
        Genre("metal", (130, 170), "metal", "minor", "metal",
              {"bass": 34, "comp": 30, "pad": 48, "extra": 30}, 30, "strum", "root8", energy=0.95,
              aliases=("heavy", "thrash", "hardcore")),
    )
}

# word -> (role, GM program). Role "lead" means the melody; others join the band.
INSTRUMENTS: dict[str, tuple[str, int]] = {
    "piano": ("comp", 0), "keys": ("comp", 4), "rhodes": ("comp", 4), "organ": ("pad", 16),
    "guitar": ("comp", 25), "guitars": ("comp", 29), "acoustic": ("comp", 25), "electric": ("comp", 27),
    "distorted": ("comp", 30), "nylon": ("comp", 24), "ukulele": ("comp", 24), "harp": ("extra", 46),
    "strings": ("pad", 48), "violin": ("lead", 40), "cello": ("extra", 42), "orchestra": ("pad", 48),
    "choir": ("pad", 52), "choirs": ("pad", 52), "brass": ("extra", 61), "horns": ("extra", 61),
    "trumpet": ("lead", 56), "trombone": ("extra", 57), "sax": ("lead", 65), "saxophone": ("lead", 65),
    "flute": ("lead", 73), "clarinet": ("lead", 71), "oboe": ("lead", 68), "harmonica": ("lead", 22),
    "accordion": ("comp", 21), "synth": ("comp", 81), "synths": ("comp", 81), "synthesizer": ("comp", 81),
    "pad": ("pad", 89), "pads": ("pad", 89), "arpeggio": ("extra", 81), "arp": ("extra", 81),
    "bells": ("extra", 14), "glockenspiel": ("extra", 9), "vibraphone": ("extra", 11),
    "marimba": ("extra", 12), "kalimba": ("extra", 108), "banjo": ("extra", 105), "sitar": ("extra", 104),
    "steel": ("extra", 114), "celesta": ("extra", 8), "music-box": ("extra", 10),
    "bass": ("bass", 33), "808": ("bass", 38), "sub": ("bass", 38), "upright": ("bass", 32),
    "slap": ("bass", 36), "fretless": ("bass", 35),
}

# word -> (energy delta, tempo factor, mode preference or "")
MOODS: dict[str, tuple[float, float, str]] = {
    "happy": (0.1, 1.05, "major"), "joyful": (0.1, 1.05, "major"), "uplifting": (0.15, 1.05, "major"),
    "upbeat": (0.2, 1.08, "major"), "bright": (0.05, 1.0, "major"), "cheerful": (0.1, 1.05, "major"),
    "sad": (-0.2, 0.9, "minor"), "melancholic": (-0.15, 0.92, "minor"), "melancholy": (-0.15, 0.92, "minor"),
    "dark": (0.0, 1.0, "minor"), "moody": (-0.05, 0.97, "minor"), "haunting": (-0.1, 0.95, "minor"),
    "calm": (-0.3, 0.88, ""), "gentle": (-0.25, 0.9, ""), "soft": (-0.25, 0.92, ""),
    "peaceful": (-0.3, 0.88, "major"), "dreamy": (-0.2, 0.92, ""), "romantic": (-0.1, 0.94, "major"),
    "energetic": (0.3, 1.1, ""), "powerful": (0.25, 1.0, ""), "aggressive": (0.35, 1.1, "minor"),
    "driving": (0.2, 1.05, ""), "intense": (0.3, 1.05, "minor"), "epic": (0.25, 1.0, "minor"),
    "fast": (0.2, 1.18, ""), "slow": (-0.2, 0.82, ""), "relaxed": (-0.2, 0.9, ""), "laid-back": (-0.15, 0.92, ""),
    "groovy": (0.1, 1.0, ""), "funky": (0.15, 1.0, ""), "catchy": (0.05, 1.0, ""), "anthemic": (0.25, 1.0, ""),
    "mysterious": (-0.1, 0.95, "minor"), "tense": (0.1, 1.0, "minor"), "nostalgic": (-0.1, 0.95, ""),
}

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = {"DB": 1, "EB": 3, "GB": 6, "AB": 8, "BB": 10, "CB": 11, "FB": 4}
