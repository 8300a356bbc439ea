"""Reading a description, and whether the mood of the words comes back in the lyrics."""

from statistics import mean

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from openproducer.lyrics import write_lyrics
from openproducer.lyrics.forms import find_genre
from openproducer.lyrics.sheet import sung_lines
from openproducer.lyrics.theme import analyse

SAD = [
    "a sad piano ballad about a lost love and empty rooms",
    "heartbreak pop song about a phone that never rings",
    "melancholy song about an old photograph in a drawer",
    "sad song about a goodbye at the airport",
    "a lonely song about the rain and an empty house",
    "a song about missing my father who passed away",
]
HAPPY = [
    "upbeat summer party anthem",
    "happy song about my dog and sunny mornings in the park",
    "cheerful song about a bicycle ride through the countryside in spring",
    "happy birthday party song for my best friend",
    "latin dance song about a hot night on the beach",
    "joyful song about a wedding day with all our friends",
]


def test_genre_words_count_only_as_genres_next_to_music_words():
    assert find_genre("country song about a dirt road")[0].name == "country"
    assert find_genre("a song about my country")[0].name == "pop"
    assert find_genre("a haunting song about a ghost in an abandoned house")[0].name == "pop"
    assert find_genre("deep house track about summer")[0].name == "dance"
    assert find_genre("90s hip hop track about hustling")[0].name == "hip hop"
    assert find_genre("punk rock song about skateboarding") == (find_genre("punk rock")[0], {"punk", "rock"})


def test_nouns_keep_their_determiner_and_place():
    theme = analyse("a bittersweet song about leaving my hometown by train at dawn")
    nouns = {n.words: n for n in theme.nouns}
    assert nouns["hometown"].det == "my"
    assert nouns["train"].prep == "on"  # from the lexicon: "on the train"
    assert nouns["dawn"].prep is None  # a time, sung "at dawn"
    verb, obj = theme.actions[0]
    assert verb.ing == "leaving" and obj.words == "hometown"
    assert theme.mood == "sad" and "hope" in theme.moods  # bittersweet
    assert {"train", "dawn", "hometown"} <= set(theme.fields)


def test_descriptors_and_participles():
    theme = analyse("a sad piano ballad about a lost love and empty rooms")
    assert [(n.words, n.adj) for n in theme.nouns] == [("love", "lost"), ("rooms", "empty")]
    assert "music" not in theme.fields  # "piano ballad" says how it sounds, not what it is about
    theme = analyse("jazz tune about a smoky bar and a saxophone at midnight")
    assert [n.words for n in theme.nouns] == ["bar", "saxophone", "midnight"]
    theme = analyse("gospel song about faith, grace and the light of heaven")
    assert [(n.words, n.det) for n in theme.nouns][:2] == [("faith", ""), ("grace", "")]  # no "faith grace"


def _sentiment(description: str) -> float:
    analyser = SentimentIntensityAnalyzer()
    scores = []
    for seed in (1, 2):
        lines = sung_lines(write_lyrics(description, seed).lyrics)
        scores.append(mean(analyser.polarity_scores(line)["compound"] for line in lines))
    return mean(scores)


def test_a_sad_description_gives_sadder_words_than_a_happy_one():
    """Judged by VADER's lexicon (an independent sentiment lexicon, not ours)."""
    sad = [_sentiment(d) for d in SAD]
    happy = [_sentiment(d) for d in HAPPY]
    assert mean(sad) + 0.15 < mean(happy), (sad, happy)
    assert mean(sad) < 0.05 < 0.15 < mean(happy)
    assert sum(s < min(happy) for s in sad) >= len(sad) - 1
