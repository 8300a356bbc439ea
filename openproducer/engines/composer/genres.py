"""The genre table: the twelve families plus genres derived from them with their own decisions.

Every entry differs from its family in at least its tempo range, groove, chord
vocabulary, instruments or mix; ``find_genre`` matches names and aliases (longest
phrase first, earliest in the prompt wins).
"""

from __future__ import annotations

import re

from .lexicon import FAMILIES, Genre, derive

_F = FAMILIES


def _table() -> dict[str, Genre]:
    pop, rock, edm, hiphop, jazz = _F["pop"], _F["rock"], _F["edm"], _F["hiphop"], _F["jazz"]
    folk, reggae, latin, metal, orch = _F["folk"], _F["reggae"], _F["latin"], _F["metal"], _F["orchestral"]
    ambient, ballad = _F["ambient"], _F["ballad"]
    derived = [
        # pop and its neighbours
        derive(pop, "k-pop", tempo=(112, 132), groove="kpop", progressions="kpop", comp_style="stab",
               bass_style="octave", energy=0.8, instruments={"comp": 81, "bass": 38, "extra": 80, "pad": 90},
               mix={"brightness": 3.0, "punch": 0.8, "width": 1.3}, aliases=("kpop", "j-pop", "jpop", "idol")),
        derive(pop, "synthpop", tempo=(108, 126), groove="synthpop", progressions="synth", comp_style="pulse",
               bass_style="octave", instruments={"comp": 81, "bass": 38, "pad": 90, "extra": 80, "counter": 81},
               lead=80, mix={"reverb": 0.45, "width": 1.3}, aliases=("synth-pop", "electropop", "new wave")),
        derive(pop, "synthwave", tempo=(84, 108), groove="synthwave", mode="minor", progressions="synth",
               comp_style="pulse", bass_style="octave", energy=0.65,
               instruments={"comp": 90, "bass": 38, "pad": 89, "extra": 81, "counter": 81}, lead=81,
               mix={"reverb": 0.65, "warmth": 2.0, "drive": 0.1, "width": 1.4},
               aliases=("retrowave", "outrun", "vaporwave", "80s")),
        derive(pop, "disco", tempo=(112, 124), groove="disco", progressions="disco", comp_style="funk16",
               bass_style="octave", energy=0.8, instruments={"comp": 28, "bass": 33, "pad": 48, "extra": 61},
               mix={"brightness": 2.0, "punch": 0.6, "reverb": 0.35}, aliases=("nu-disco", "70s")),
        derive(pop, "indie pop", tempo=(100, 124), groove="indie", progressions="indie", comp_style="arp",
               instruments={"comp": 27, "extra": 9, "counter": 9}, mix={"reverb": 0.45, "warmth": 1.5},
               aliases=("bedroom pop", "dream pop", "twee")),
        derive(pop, "gospel", tempo=(70, 96), groove="gospel", progressions="gospel", swing=0.2, energy=0.7,
               comp_style="block", instruments={"comp": 16, "pad": 52, "extra": 0, "counter": 52}, lead=52,
               mix={"reverb": 0.55, "warmth": 1.5}, aliases=("church", "worship", "choir music", "spiritual")),
        derive(pop, "soul", tempo=(72, 104), groove="soul", progressions="soul", comp_style="block",
               bass_style="root4", instruments={"comp": 0, "pad": 16, "extra": 61, "counter": 61}, lead=65,
               mix={"warmth": 2.0, "reverb": 0.35}, aliases=("motown", "neo-soul", "neo soul")),
        derive(pop, "r&b", tempo=(64, 92), groove="rnb", mode="minor", progressions="rnb", swing=0.12,
               comp_style="sustain", bass_style="sub", energy=0.55, bass_octave=-1,
               instruments={"comp": 4, "bass": 38, "pad": 89, "extra": 11}, mix={"warmth": 1.5, "punch": 0.5},
               aliases=("rnb", "r'n'b", "rhythm and blues", "contemporary r&b")),
        derive(pop, "chiptune", tempo=(130, 160), groove="chiptune", progressions="pop", comp_style="arp",
               bass_style="octave", energy=0.8, instruments={"comp": 80, "bass": 80, "pad": 81, "extra": 80},
               lead=80, mix={"crush": 0.6, "reverb": 0.1, "width": 0.6}, aliases=("8-bit", "8bit", "video game")),
        # rock
        derive(rock, "punk", tempo=(160, 196), groove="punk", progressions="punk", comp_style="power",
               bass_style="drive", energy=0.95, mix={"drive": 0.55, "reverb": 0.12, "punch": 0.7},
               aliases=("punk rock", "pop punk", "pop-punk", "skate punk")),
        derive(rock, "grunge", tempo=(96, 124), groove="grunge", mode="minor", progressions="grunge",
               comp_style="power", energy=0.85, instruments={"comp": 30, "extra": 29},
               mix={"drive": 0.6, "lowpass": 9000.0, "reverb": 0.25}, aliases=("seattle",)),
        derive(rock, "indie", tempo=(104, 132), groove="indie", progressions="indie", comp_style="arp",
               energy=0.65, instruments={"comp": 27, "extra": 27, "pad": 16},
               mix={"drive": 0.1, "reverb": 0.4, "warmth": 1.0}, aliases=("indie rock", "garage rock")),
        derive(rock, "shoegaze", tempo=(90, 118), groove="rock", progressions="indie", comp_style="sustain",
               energy=0.7, instruments={"comp": 30, "pad": 95, "extra": 29}, pad_center=72,
               mix={"reverb": 0.9, "drive": 0.4, "width": 1.5}, aliases=("post-rock", "post rock")),
        derive(rock, "hard rock", tempo=(112, 140), groove="rock", mode="minor", progressions="rock",
               comp_style="power", energy=0.9, mix={"drive": 0.45}, aliases=("arena rock", "classic rock")),
        derive(metal, "doom", tempo=(60, 80), groove="doom", progressions="metal", energy=0.85, comp_center=50,
               mix={"drive": 0.7, "reverb": 0.4, "lowpass": 8000.0}, aliases=("doom metal", "sludge", "stoner")),
        # electronic
        derive(edm, "house", tempo=(120, 128), groove="house", progressions="house", comp_style="stab",
               instruments={"comp": 0, "pad": 89, "extra": 81}, mix={"punch": 0.8, "reverb": 0.35},
               aliases=("deep house", "tech house", "garage house")),
        derive(edm, "techno", tempo=(126, 140), groove="techno", progressions="techno", comp_style="stab",
               bass_style="offbeat", energy=0.85, instruments={"comp": 81, "pad": 95, "extra": 118},
               mix={"drive": 0.2, "reverb": 0.3, "width": 1.1}, aliases=("minimal techno", "industrial", "acid")),
        derive(edm, "trance", tempo=(132, 140), groove="trance", progressions="trance", comp_style="pulse",
               bass_style="offbeat", energy=0.9, instruments={"pad": 90, "extra": 81, "comp": 81},
               mix={"reverb": 0.6, "width": 1.5}, aliases=("uplifting trance", "psytrance", "goa")),
        derive(edm, "dubstep", tempo=(138, 142), groove="halftime", progressions="trap", bass_style="sub",
               energy=0.9, instruments={"bass": 39, "comp": 81, "extra": 87}, mix={"drive": 0.45, "punch": 0.9},
               aliases=("brostep", "riddim")),
        derive(edm, "drum and bass", tempo=(168, 176), groove="dnb", progressions="trance", comp_style="sustain",
               bass_style="sub", instruments={"pad": 89, "comp": 4}, mix={"punch": 0.8, "reverb": 0.45},
               aliases=("drum & bass", "drum n bass", "dnb", "jungle", "liquid")),
        derive(edm, "uk garage", tempo=(130, 136), groove="twostep", progressions="house", swing=0.2,
               comp_style="stab", instruments={"comp": 16, "bass": 38}, aliases=("2-step", "two-step", "garage")),
        # hip-hop
        derive(hiphop, "boom bap", tempo=(86, 96), groove="boombap", progressions="boombap", swing=0.2,
               instruments={"bass": 33, "comp": 0, "extra": 61}, bass_octave=0,
               mix={"vinyl": 0.3, "warmth": 1.5, "lowpass": 12000.0}, aliases=("boom-bap", "boombap", "90s rap")),
        derive(hiphop, "trap", tempo=(130, 150), groove="trap", progressions="trap", swing=0.0, bass_style="808",
               energy=0.75, instruments={"comp": 14, "extra": 9, "pad": 52}, comp_center=72,
               mix={"punch": 0.9, "reverb": 0.25, "brightness": 2.0}, aliases=("808s", "mumble rap")),
        derive(hiphop, "drill", tempo=(138, 146), groove="drill", progressions="drill", swing=0.0,
               bass_style="808", energy=0.75, instruments={"comp": 48, "extra": 0, "pad": 52},
               mix={"punch": 0.85, "reverb": 0.3}, aliases=("uk drill", "ny drill")),
        derive(hiphop, "lofi", tempo=(70, 88), groove="lofi", progressions="lofi", swing=0.25, energy=0.4,
               instruments={"comp": 4, "bass": 33, "extra": 11, "pad": 89}, bass_octave=0,
               mix={"lowpass": 5000.0, "vinyl": 0.6, "crush": 0.25, "warmth": 2.5, "punch": 0.4},
               aliases=("lo-fi", "lo fi", "lofi hip hop", "chillhop", "study beats")),
        derive(hiphop, "reggaeton", tempo=(88, 100), groove="dembow", progressions="reggaeton", swing=0.0,
               comp_style="stab", energy=0.8, instruments={"comp": 81, "extra": 24}, mix={"punch": 0.8},
               aliases=("latin trap", "perreo")),
        derive(hiphop, "downtempo", tempo=(84, 100), groove="downtempo", progressions="lofi", swing=0.1,
               energy=0.45, instruments={"comp": 4, "pad": 92, "extra": 11}, mix={"reverb": 0.55},
               aliases=("trip hop", "trip-hop", "chillout", "chillwave")),
        # jazz, blues, funk
        derive(jazz, "blues", tempo=(70, 100), groove="shuffle", progressions="blues", swing=0.33,
               comp_style="strum", bass_style="boogie", energy=0.6, lead=22,
               instruments={"comp": 27, "pad": 16, "extra": 0, "counter": 22},
               mix={"warmth": 2.0, "drive": 0.15}, aliases=("delta blues", "chicago blues", "shuffle")),
        derive(jazz, "funk", tempo=(96, 116), groove="funk", mode="minor", progressions="funk", swing=0.05,
               comp_style="funk16", bass_style="funk", energy=0.8,
               instruments={"comp": 28, "bass": 36, "pad": 16, "extra": 61, "counter": 61},
               mix={"punch": 0.7, "reverb": 0.15, "brightness": 1.5}, aliases=("funky", "p-funk")),
        derive(jazz, "bebop", tempo=(170, 210), progressions="jazz", energy=0.7, lead=65,
               instruments={"extra": 56, "counter": 56}, mix={"reverb": 0.25}, aliases=("hard bop", "bop")),
        derive(jazz, "big band", tempo=(120, 160), comp_style="stab", energy=0.75,
               instruments={"comp": 61, "pad": 57, "extra": 56, "counter": 65}, lead=56,
               mix={"reverb": 0.45, "brightness": 1.0}, aliases=("swing", "big-band")),
        derive(jazz, "smooth jazz", tempo=(84, 100), groove="rnb", progressions="rnb", swing=0.1,
               comp_style="sustain", bass_style="root4", instruments={"comp": 4, "bass": 35, "pad": 89}, lead=64,
               mix={"reverb": 0.5, "brightness": 1.5}, aliases=("lounge", "cocktail", "elevator")),
        # Latin and African
        derive(latin, "bossa nova", tempo=(118, 140), groove="bossa", mode="major", progressions="bossa",
               bass_style="root4", energy=0.45, mix={"reverb": 0.25, "warmth": 1.5},
               aliases=("bossa", "bossa-nova", "brazilian")),
        derive(latin, "samba", tempo=(96, 108), groove="samba", mode="major", progressions="bossa",
               comp_style="stab", energy=0.8, instruments={"extra": 56, "counter": 73},
               aliases=("carnival", "batucada")),
        derive(latin, "salsa", tempo=(92, 104), groove="clave", progressions="latin", comp_style="montuno",
               energy=0.8, instruments={"comp": 0, "extra": 56, "pad": 61, "counter": 57}, lead=56,
               mix={"brightness": 2.0}, aliases=("mambo", "cuban", "timba")),
        derive(latin, "tango", tempo=(112, 128), groove="none", progressions="tango", comp_style="stab",
               bass_style="root4", energy=0.65, instruments={"comp": 23, "pad": 48, "extra": 40, "counter": 40},
               lead=40, aliases=("milonga", "argentine")),
        derive(latin, "cumbia", tempo=(88, 100), groove="cumbia", mode="major", progressions="folk",
               comp_style="skank", bass_style="root4", energy=0.65, instruments={"comp": 21, "extra": 73}, lead=21,
               aliases=("vallenato", "chicha")),
        derive(latin, "afrobeat", tempo=(104, 124), groove="afrobeat", progressions="afro", comp_style="funk16",
               bass_style="funk", energy=0.8, instruments={"comp": 27, "bass": 33, "pad": 16, "extra": 61},
               lead=66, mix={"warmth": 1.5, "punch": 0.6}, aliases=("afro", "highlife", "fela")),
        derive(latin, "afrobeats", tempo=(98, 112), groove="afroswing", mode="major", progressions="afropop",
               comp_style="stab", bass_style="sub", swing=0.12, energy=0.7,
               instruments={"comp": 24, "bass": 38, "extra": 108, "pad": 89}, lead=85,
               aliases=("afropop", "afro pop", "amapiano", "afroswing")),
        # reggae and Caribbean
        derive(reggae, "dub", tempo=(66, 80), progressions="reggae", energy=0.45, instruments={"extra": 118},
               mix={"reverb": 0.7, "delay": 0.6, "lowpass": 10000.0}, aliases=("dub reggae", "steppers")),
        derive(reggae, "ska", tempo=(140, 172), groove="ska", progressions="ska", bass_style="walking",
               energy=0.85, instruments={"extra": 61, "counter": 57}, mix={"brightness": 1.5, "reverb": 0.2},
               aliases=("two tone", "2 tone", "ska punk")),
        derive(reggae, "dancehall", tempo=(92, 108), groove="dembow", mode="minor", progressions="reggaeton",
               comp_style="stab", bass_style="sub", energy=0.75, instruments={"comp": 81, "bass": 38},
               mix={"punch": 0.7}, aliases=("ragga", "soca")),
        # folk, country and acoustic
        derive(folk, "country", tempo=(92, 120), groove="train", progressions="country", bass_style="twostep",
               energy=0.6, instruments={"extra": 110, "counter": 27, "comp": 25}, lead=110,
               mix={"brightness": 1.0, "reverb": 0.3}, aliases=("country pop", "nashville", "honky tonk",
                                                                "western", "cowboy")),
        derive(folk, "bluegrass", tempo=(120, 150), groove="none", progressions="bluegrass", comp_style="chop",
               bass_style="twostep", energy=0.7, instruments={"extra": 105, "counter": 110, "pad": 22}, lead=110,
               mix={"reverb": 0.2}, aliases=("appalachian", "banjo music", "old-time")),
        derive(folk, "celtic", tempo=(96, 118), groove="jig", meter="6/8", progressions="celtic",
               comp_style="arp", energy=0.65, instruments={"extra": 109, "counter": 110, "comp": 25}, lead=73,
               aliases=("irish", "scottish", "jig", "reel", "sea shanty", "shanty")),
        # classical, film and calm
        derive(orch, "classical", tempo=(72, 104), groove="none", mode="major", progressions="classical",
               comp_style="arp", energy=0.5, instruments={"comp": 0, "pad": 48, "extra": 71, "counter": 42},
               lead=40, mix={"reverb": 0.55}, aliases=("baroque", "romantic era", "chamber", "string quartet")),
        derive(orch, "waltz", tempo=(84, 104), groove="waltz", meter="3/4", mode="major", progressions="waltz",
               comp_style="waltz", bass_style="waltz", energy=0.5, instruments={"comp": 0, "pad": 48, "extra": 73},
               lead=40, mix={"reverb": 0.5}, aliases=("viennese", "three four", "ballroom")),
        derive(ballad, "piano ballad", tempo=(62, 78), groove="none", comp_style="arp", energy=0.35,
               instruments={"pad": 49, "extra": 42}, mix={"reverb": 0.6},
               aliases=("piano song", "torch song")),
        derive(ambient, "lullaby", tempo=(60, 76), groove="none", meter="3/4", progressions="waltz",
               comp_style="waltz", bass_style="waltz", energy=0.2, instruments={"comp": 10, "extra": 8},
               lead=73, mix={"reverb": 0.6, "brightness": -1.0}, aliases=("nursery", "cradle song")),
    ]
    table = dict(FAMILIES)
    for g in derived:
        table[g.name] = g
    return table


GENRES: dict[str, Genre] = _table()


def _norm(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9&'#]+", " ", text.lower()).strip() + " "


_NAMES: list[tuple[str, str]] = sorted(
    ((_norm(n).strip(), g.name) for g in GENRES.values() for n in (g.name, *g.aliases)),
    key=lambda p: -len(p[0]),
)


def find_genre(text: str) -> str | None:
    """The genre named earliest in ``text`` (the longest name wins at a position)."""
    padded = _norm(text)
    best: tuple[int, int, str] | None = None
    for phrase, genre in _NAMES:
        pos = padded.find(f" {phrase} ")
        if pos >= 0 and (best is None or (pos, -len(phrase)) < (best[0], best[1])):
            best = (pos, -len(phrase), genre)
    return best[2] if best else None
