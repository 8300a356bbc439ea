"""The rhyme judge every lyric test uses: the CMU Pronouncing Dictionary, last stressed vowel onward."""

from openproducer.lyrics import phonetics


def test_perfect_rhymes_share_the_last_stressed_vowel_and_what_follows():
    assert phonetics.rhymes("train", "rain")
    assert phonetics.rhymes("dawn", "gone")
    assert phonetics.rhymes("hometown", "down")  # secondary stress on the last syllable counts
    assert phonetics.rhymes("train", "again")  # one of "again"'s two pronunciations
    assert phonetics.rhymes("city", "pretty")  # two syllables from the stress
    assert phonetics.rhymes("fire", "higher")


def test_non_rhymes_and_identical_words_are_not_rhymes():
    assert not phonetics.rhymes("train", "tree")
    assert not phonetics.rhymes("city", "sit")
    assert not phonetics.rhymes("night", "night")
    assert not phonetics.rhymes("love", "move")  # an eye rhyme, not a sound rhyme
    assert not phonetics.rhymes("zzqx", "train")  # unknown words rhyme with nothing


def test_near_rhymes_keep_the_vowel_and_the_consonant_classes():
    assert phonetics.near_rhymes("time", "line")  # m/n: nasals
    assert phonetics.near_rhymes("home", "alone")
    assert not phonetics.near_rhymes("time", "lied")
    assert not phonetics.near_rhymes("time", "team")


def test_syllables_and_articles():
    assert phonetics.syllables("bittersweet") == 3
    assert phonetics.syllables("train") == 1
    assert phonetics.line_syllables("I left my hometown at dawn".split()) == 7
    assert phonetics.indefinite_article("hour") == "an"
    assert phonetics.indefinite_article("unicorn") == "a"
