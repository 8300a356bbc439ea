"""The prompt lexicon: genres with their own decisions, instrument/mood/production/voice words, explicit numbers."""

from __future__ import annotations

import itertools

import pytest

from openproducer.engines.composer.drums import GROOVES
from openproducer.engines.composer.genres import GENRES, find_genre
from openproducer.engines.composer.mixing import Mix
from openproducer.engines.composer.progressions import PROGRESSIONS
from openproducer.engines.composer.prompt import read_prompt
from openproducer.engines.composer.seeds import rng_for
from openproducer.engines.composer.singer import choose_voice, register_for
from openproducer.engines.composer.words import INSTRUMENTS, MOODS, PRODUCTION, TIMBRE

SAMPLE = ("house", "techno", "trance", "synthwave", "disco", "trap", "drill", "lofi", "boom bap", "funk", "blues",
          "soul", "r&b", "country", "bluegrass", "punk", "grunge", "metal", "indie", "ska", "dub", "dancehall",
          "bossa nova", "latin", "afrobeat", "k-pop", "gospel", "reggae", "jazz", "rock", "pop", "waltz")


def decisions(name: str) -> tuple:
    g = GENRES[name]
    return (g.tempo, g.groove, g.progressions, tuple(sorted(g.instruments.items())), g.lead, g.comp_style,
            g.bass_style, g.swing, g.meter, tuple(sorted(g.mix.items())))


def test_lexicon_size() -> None:
    assert len(GENRES) >= 40
    assert len({decisions(n) for n in GENRES}) == len(GENRES), "every genre has its own set of decisions"
    words = set(INSTRUMENTS) | set(MOODS) | set(PRODUCTION)
    assert len(words) >= 80 and len(PRODUCTION) >= 30
    for g in GENRES.values():  # every decision points at something that exists
        assert g.groove in GROOVES and g.progressions in PROGRESSIONS and g.mode in ("major", "minor")


def test_sample_genres_are_their_own_entries() -> None:
    found = {s: find_genre(f"a {s} song") for s in SAMPLE}
    assert all(found[s] is not None for s in SAMPLE)
    assert len(set(found.values())) == len(SAMPLE)
    for a, b in itertools.combinations(SAMPLE, 2):
        ga, gb = GENRES[found[a]], GENRES[found[b]]
        assert (ga.tempo, ga.groove, ga.instruments, ga.progressions) != (gb.tempo, gb.groove, gb.instruments,
                                                                           gb.progressions), (a, b)
    styles = {s: read_prompt(f"{s}", rng=rng_for(3)) for s in ("house", "trap", "bluegrass", "bossa nova", "punk")}
    assert len({round(st.bpm) for st in styles.values()}) == 5
    assert len({st.groove for st in styles.values()}) == 5
    assert len({st.instruments["comp"] for st in styles.values()}) >= 4
    assert styles["punk"].bpm > 150 and styles["trap"].bass_style == "808" and styles["bluegrass"].groove == "none"


def test_genre_matching() -> None:
    assert find_genre("heavy metal, distorted guitars") == "metal"
    assert find_genre("lo-fi hip hop beats to study to") == "lofi"
    assert find_genre("Drum & Bass with a liquid feel") == "drum and bass"
    assert find_genre("energetic pop rock") == "pop"
    assert find_genre("zxqv flibbertigibbet") is None


def test_production_words_change_the_mix() -> None:
    def mix(text: str, strength: float = 0.5) -> Mix:
        return Mix.from_dict(read_prompt(f"pop {text}", sound_strength=strength, rng=rng_for(1)).mix)

    plain = mix("")
    assert 0 < mix("lo-fi").lowpass < 8000 and mix("lo-fi").vinyl > 0 and mix("lo-fi").crush > 0
    assert mix("reverb-drenched").reverb > plain.reverb > mix("dry").reverb
    assert mix("distorted").drive > plain.drive and mix("saturated").drive > plain.drive
    assert mix("punchy").punch > plain.punch and mix("warm").warmth > plain.warmth
    assert mix("crisp").brightness > plain.brightness and mix("vinyl").vinyl > 0
    assert mix("analog").warmth > 0 and mix("wide").width > plain.width and mix("sparse").density < 0
    assert mix("distorted", 1.0).drive > mix("distorted", 0.0).drive, "sound_strength scales the words"


def test_explicit_numbers_win() -> None:
    assert read_prompt("house 128 bpm", rng=rng_for(2)).bpm == 128.0
    assert read_prompt("house 128 bpm", bpm=100, rng=rng_for(2)).bpm == 100.0
    s = read_prompt("happy pop in D minor", rng=rng_for(2))
    assert (s.tonic, s.mode) == (2, "minor"), "a named key beats the mood's mode"
    assert read_prompt("folk song in 3/4", rng=rng_for(2)).beats_per_bar == 3
    assert read_prompt("folk song in 6/8", rng=rng_for(2)).meter == "6/8"
    assert read_prompt("a waltz", rng=rng_for(2)).meter == "3/4"
    assert read_prompt("pop in 7/8", rng=rng_for(2)).meter == "4/4"


def test_moods_instruments_and_strength() -> None:
    sad = read_prompt("sad slow pop", rng=rng_for(4))
    happy = read_prompt("happy energetic pop", rng=rng_for(4))
    assert sad.mode == "minor" and happy.mode == "major" and sad.bpm < happy.bpm and sad.energy < happy.energy
    strong = read_prompt("rock with violin, flute, organ and marimba", sound_strength=1.0, rng=rng_for(4))
    weak = read_prompt("rock with violin, flute, organ and marimba", sound_strength=0.0, rng=rng_for(4))
    assert strong.lead == 40 and strong.instruments["pad"] == 16 and strong.instruments["extra"] == 12
    assert weak.instruments != strong.instruments, "a weak prompt keeps more of the genre's instruments"
    assert read_prompt("zxqv flibbertigibbet", rng=rng_for(1)).genre == "pop"


def test_voice_gender_and_timbre() -> None:
    style = read_prompt("soul ballad, breathy raspy male vocals", rng=rng_for(5))
    assert style.voice == "male" and style.timbre["breath"] > 0 and style.timbre["rasp"] > 0
    voice = choose_voice(style.voice, style.timbre, rng_for(5))
    assert voice.gender == "male" and voice.breath > 0 and voice.rasp > 0 and register_for(voice) == -12
    female = choose_voice("female", {"vibrato": -100.0}, rng_for(5))
    assert female.gender == "female" and female.vibrato == 0.0 and register_for(female) == 0
    assert {"breathy", "raspy", "deep", "nasal"} <= set(TIMBRE)


@pytest.mark.parametrize("name", sorted(GENRES))
def test_every_genre_reads(name: str) -> None:
    style = read_prompt(name, rng=rng_for(6))
    assert style.genre == name
    lo, hi = GENRES[name].tempo
    assert lo * 0.85 <= style.bpm <= hi * 1.15
