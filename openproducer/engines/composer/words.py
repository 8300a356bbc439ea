"""Prompt vocabulary besides genres: instruments, moods, production words and voice words.

* ``INSTRUMENTS``: word -> (arrangement role, GM program); role "lead" carries the melody.
* ``MOODS``: word -> (energy delta, tempo factor, mode preference or "").
* ``PRODUCTION``: word -> changes to the mix (``mixing.Mix`` fields, added; ``lowpass`` takes
  the lowest cutoff named) and ``density`` (-1 sparse .. +1 dense arrangement).
* ``TIMBRE``: word -> changes to the singing voice (``voices.Voice`` fields, added).
"""

from __future__ import annotations

INSTRUMENTS: dict[str, tuple[str, int]] = {
    "piano": ("comp", 0), "keys": ("comp", 4), "rhodes": ("comp", 4), "wurlitzer": ("comp", 4),
    "organ": ("pad", 16), "hammond": ("comp", 16), "harpsichord": ("comp", 6), "clavinet": ("comp", 7),
    "clav": ("comp", 7), "guitar": ("comp", 25), "guitars": ("comp", 29), "acoustic": ("comp", 25),
    "electric": ("comp", 27), "nylon": ("comp", 24), "ukulele": ("comp", 24), "mandolin": ("comp", 24),
    "harp": ("extra", 46), "strings": ("pad", 48), "violin": ("lead", 40), "fiddle": ("lead", 110),
    "viola": ("extra", 41), "cello": ("counter", 42), "orchestra": ("pad", 48), "choir": ("pad", 52),
    "choirs": ("pad", 52), "brass": ("extra", 61), "horns": ("extra", 61), "trumpet": ("lead", 56),
    "trombone": ("counter", 57), "tuba": ("bass", 58), "sax": ("lead", 65), "saxophone": ("lead", 65),
    "flute": ("lead", 73), "piccolo": ("lead", 72), "recorder": ("lead", 74), "whistle": ("lead", 78),
    "ocarina": ("lead", 79), "clarinet": ("lead", 71), "oboe": ("lead", 68), "bassoon": ("counter", 70),
    "harmonica": ("lead", 22), "accordion": ("comp", 21), "bandoneon": ("comp", 23), "synth": ("comp", 81),
    "synths": ("comp", 81), "synthesizer": ("comp", 81), "pad": ("pad", 89), "pads": ("pad", 89),
    "arpeggio": ("extra", 81), "arp": ("extra", 81), "bells": ("extra", 14), "glockenspiel": ("extra", 9),
    "vibraphone": ("extra", 11), "vibes": ("extra", 11), "marimba": ("extra", 12), "xylophone": ("extra", 13),
    "kalimba": ("extra", 108), "banjo": ("extra", 105), "sitar": ("extra", 104), "koto": ("extra", 107),
    "shamisen": ("extra", 106), "bagpipes": ("extra", 109), "steel": ("extra", 114), "celesta": ("extra", 8),
    "music-box": ("extra", 10), "timpani": ("extra", 47), "bass": ("bass", 33), "808": ("bass", 38),
    "sub": ("bass", 38), "upright": ("bass", 32), "slap": ("bass", 36), "fretless": ("bass", 35),
}

BIGRAMS: dict[str, tuple[str, int]] = {
    "electric guitar": ("comp", 27), "acoustic guitar": ("comp", 25), "distorted guitar": ("comp", 30),
    "electric guitars": ("comp", 29), "synth bass": ("bass", 38), "electric piano": ("comp", 4),
    "upright bass": ("bass", 32), "double bass": ("bass", 32), "string section": ("pad", 48),
    "synth lead": ("lead", 81), "lead synth": ("lead", 81), "steel drums": ("extra", 114),
    "music box": ("extra", 10), "grand piano": ("comp", 0), "soft piano": ("comp", 0),
    "french horn": ("counter", 60), "tenor sax": ("lead", 66), "pan flute": ("lead", 75),
    "muted trumpet": ("lead", 59), "jazz guitar": ("comp", 26), "slide guitar": ("counter", 25),
    "steel guitar": ("counter", 25), "string quartet": ("pad", 48), "brass section": ("extra", 61),
}

MOODS: dict[str, tuple[float, float, str]] = {
    "happy": (0.1, 1.05, "major"), "joyful": (0.1, 1.05, "major"), "uplifting": (0.15, 1.05, "major"),
    "upbeat": (0.2, 1.08, "major"), "bright": (0.05, 1.0, "major"), "cheerful": (0.1, 1.05, "major"),
    "sunny": (0.1, 1.04, "major"), "summery": (0.1, 1.04, "major"), "hopeful": (0.05, 1.0, "major"),
    "triumphant": (0.25, 1.02, "major"), "heroic": (0.25, 1.0, "major"), "festive": (0.2, 1.06, "major"),
    "playful": (0.05, 1.06, "major"), "quirky": (0.0, 1.04, ""), "confident": (0.15, 1.0, ""),
    "sad": (-0.2, 0.9, "minor"), "melancholic": (-0.15, 0.92, "minor"), "melancholy": (-0.15, 0.92, "minor"),
    "lonely": (-0.2, 0.9, "minor"), "somber": (-0.2, 0.88, "minor"), "sombre": (-0.2, 0.88, "minor"),
    "solemn": (-0.15, 0.9, "minor"), "bittersweet": (-0.1, 0.95, ""), "wistful": (-0.1, 0.94, ""),
    "dark": (0.0, 1.0, "minor"), "moody": (-0.05, 0.97, "minor"), "haunting": (-0.1, 0.95, "minor"),
    "eerie": (-0.1, 0.95, "minor"), "spooky": (0.0, 1.0, "minor"), "sinister": (0.05, 1.0, "minor"),
    "angry": (0.3, 1.08, "minor"), "rebellious": (0.3, 1.08, ""), "chaotic": (0.3, 1.1, "minor"),
    "calm": (-0.3, 0.88, ""), "gentle": (-0.25, 0.9, ""), "soft": (-0.25, 0.92, ""), "tender": (-0.25, 0.9, ""),
    "peaceful": (-0.3, 0.88, "major"), "dreamy": (-0.2, 0.92, ""), "romantic": (-0.1, 0.94, "major"),
    "sensual": (-0.1, 0.92, "minor"), "sentimental": (-0.15, 0.93, "major"), "cozy": (-0.2, 0.92, "major"),
    "energetic": (0.3, 1.1, ""), "powerful": (0.25, 1.0, ""), "aggressive": (0.35, 1.1, "minor"),
    "driving": (0.2, 1.05, ""), "intense": (0.3, 1.05, "minor"), "epic": (0.25, 1.0, "minor"),
    "majestic": (0.2, 0.97, "major"), "fast": (0.2, 1.18, ""), "slow": (-0.2, 0.82, ""),
    "relaxed": (-0.2, 0.9, ""), "chill": (-0.2, 0.92, ""), "laid-back": (-0.15, 0.92, ""),
    "hypnotic": (0.0, 1.0, "minor"),
    "groovy": (0.1, 1.0, ""), "funky": (0.15, 1.0, ""), "catchy": (0.05, 1.0, ""), "anthemic": (0.25, 1.0, ""),
    "mysterious": (-0.1, 0.95, "minor"), "tense": (0.1, 1.0, "minor"), "nostalgic": (-0.1, 0.95, ""),
}

PRODUCTION: dict[str, dict[str, float]] = {
    "lo-fi": {"lowpass": 5000.0, "crush": 0.3, "vinyl": 0.5, "warmth": 2.0},
    "lofi": {"lowpass": 5000.0, "crush": 0.3, "vinyl": 0.5, "warmth": 2.0},
    "distorted": {"drive": 0.6}, "fuzzy": {"drive": 0.5, "lowpass": 9000.0}, "fuzz": {"drive": 0.55},
    "overdriven": {"drive": 0.4}, "crunchy": {"drive": 0.35}, "gritty": {"drive": 0.3, "crush": 0.15},
    "dirty": {"drive": 0.35, "brightness": -1.0}, "saturated": {"drive": 0.3, "warmth": 1.0},
    "reverb-drenched": {"reverb": 0.5}, "drenched": {"reverb": 0.5}, "reverberant": {"reverb": 0.35},
    "cavernous": {"reverb": 0.5}, "spacious": {"reverb": 0.3, "width": 0.2}, "roomy": {"reverb": 0.25},
    "cathedral": {"reverb": 0.6}, "washed-out": {"reverb": 0.4, "lowpass": 10000.0},
    "ethereal": {"reverb": 0.4, "brightness": 1.0}, "dry": {"reverb": -0.5, "delay": -0.5},
    "intimate": {"reverb": -0.3, "width": -0.2, "density": -0.5}, "close": {"reverb": -0.25},
    "punchy": {"punch": 0.4}, "compressed": {"punch": 0.5}, "squashed": {"punch": 0.6},
    "dynamic": {"punch": -0.3}, "raw": {"punch": -0.2, "drive": 0.1, "reverb": -0.2},
    "warm": {"warmth": 2.0, "brightness": -1.0}, "analog": {"warmth": 1.5, "drive": 0.1},
    "analogue": {"warmth": 1.5, "drive": 0.1}, "tape": {"warmth": 1.5, "lowpass": 11000.0, "vinyl": 0.15},
    "cassette": {"warmth": 1.0, "lowpass": 8000.0, "vinyl": 0.25}, "vintage": {"warmth": 1.5, "lowpass": 10000.0},
    "retro": {"warmth": 1.0, "lowpass": 12000.0}, "crisp": {"brightness": 2.5}, "sparkling": {"brightness": 2.0},
    "shimmering": {"brightness": 1.5, "reverb": 0.2}, "airy": {"brightness": 2.0, "reverb": 0.15},
    "muffled": {"lowpass": 3000.0, "brightness": -2.0}, "muddy": {"lowpass": 5000.0, "warmth": 2.0},
    "murky": {"lowpass": 6000.0, "brightness": -1.5}, "underwater": {"lowpass": 1500.0, "reverb": 0.3},
    "vinyl": {"vinyl": 0.6}, "crackle": {"vinyl": 0.6}, "dusty": {"vinyl": 0.4, "lowpass": 9000.0},
    "bitcrushed": {"crush": 0.7}, "crushed": {"crush": 0.5}, "clean": {"drive": -0.5, "crush": -0.5, "vinyl": -0.5},
    "polished": {"brightness": 1.5, "punch": 0.3, "vinyl": -1.0}, "glossy": {"brightness": 2.0, "punch": 0.2},
    "slick": {"brightness": 1.0, "punch": 0.3}, "modern": {"brightness": 1.0, "punch": 0.2},
    "wide": {"width": 0.4}, "stereo": {"width": 0.3}, "mono": {"width": -1.0}, "narrow": {"width": -0.5},
    "lush": {"reverb": 0.3, "width": 0.3, "density": 0.5}, "sparse": {"density": -1.0},
    "minimal": {"density": -1.0}, "stripped": {"density": -1.0}, "stripped-back": {"density": -1.0},
    "dense": {"density": 1.0}, "layered": {"density": 1.0}, "huge": {"density": 1.0, "punch": 0.2},
    "echo": {"delay": 0.5}, "echoing": {"delay": 0.5}, "delay": {"delay": 0.4}, "dubby": {"delay": 0.5},
    "hazy": {"lowpass": 8000.0, "reverb": 0.3},
}

TIMBRE: dict[str, dict[str, float]] = {
    "breathy": {"breath": 0.35}, "whispery": {"breath": 0.6}, "whispered": {"breath": 0.6},
    "airy": {"breath": 0.25, "formant": 0.03}, "raspy": {"rasp": 0.5, "breath": 0.1},
    "husky": {"rasp": 0.35, "breath": 0.15, "formant": -0.03}, "gravelly": {"rasp": 0.6},
    "hoarse": {"rasp": 0.5, "breath": 0.2}, "smooth": {"breath": -0.1, "vibrato": -8.0},
    "silky": {"breath": 0.05, "vibrato": -5.0}, "soulful": {"vibrato": 15.0, "glide": 0.02},
    "powerful": {"formant": 0.02, "vibrato": 10.0}, "belting": {"formant": 0.03, "vibrato": 8.0},
    "operatic": {"vibrato": 40.0}, "nasal": {"formant": 0.07}, "deep": {"formant": -0.08},
    "bright": {"formant": 0.04}, "warm": {"formant": -0.03}, "soft": {"breath": 0.15},
    "childlike": {"formant": 0.12}, "robotic": {"vibrato": -100.0, "glide": -1.0},
    "autotuned": {"vibrato": -100.0, "glide": -1.0}, "auto-tune": {"vibrato": -100.0, "glide": -1.0},
}

GENDER_WORDS = {
    "female": "female", "woman": "female", "girl": "female", "soprano": "female", "alto": "female",
    "feminine": "female", "diva": "female", "male": "male", "man": "male", "boy": "male",
    "baritone": "male", "tenor": "male", "deep": "male", "masculine": "male",
}
