"""Moods: how a song feels, each with its own words (same notation as ``fields.py``).

``triggers`` are description words that set the mood. ``feelings`` are noun phrases with their
determiner ("my_heart"); ``tverbs`` take any noun as object ("I miss the station"), so they are
kept to verbs of seeing, feeling and wanting. ``calls`` are the interjections a line may open with.
"""

from __future__ import annotations

MOODS: dict[str, dict[str, str]] = {
    "sad": dict(
        triggers="sad sadness bittersweet melancholy melancholic lonely heartbroken heartbreak blue blues grief "
                 "loss lost tears cry crying goodbye leaving missing miss gone sorrow mourning regret "
                 "broken somber sombre tragic farewell departure rainy nostalgic",
        feelings="my_heart the_tears+ this_ache the_memory every_goodbye the_silence my_shadow the_pain",
        adjs="lonely empty cold gray quiet heavy faded distant hollow silent",
        verbs="cry fade fall_apart wait break_down wander",
        tverbs="miss remember leave lose forget",
        scenes="light:fade rain:fall tears+:fall clock:tick",
        times="without_you every_night one_last_time",
        calls="oh",
    ),
    "happy": dict(
        triggers="happy upbeat joy joyful fun party summer celebrate celebration bright cheerful feelgood "
                 "euphoric energetic uplifting anthem dance sunny playful carefree good vibes",
        feelings="the_feeling this_moment the_music my_smile the_laughter the_fire good_times+",
        adjs="bright golden electric shining wild sweet young",
        verbs="dance shine sing jump fly move celebrate",
        tverbs="love feel chase",
        scenes="music:play lights+:flash sun:shine crowd:sing",
        times="tonight all_night_long right_now",
        calls="oh hey yeah",
    ),
    "love": dict(
        triggers="love romance romantic tender lover crush valentine wedding darling sweetheart kiss "
                 "passion devotion intimate sensual",
        feelings="my_heart your_love your_smile this_feeling your_kiss your_touch",
        adjs="tender sweet gentle warm precious",
        verbs="fall stay shine hold_on",
        tverbs="need love hold want",
        scenes="heart:beat candle:burn stars+:shine",
        times="forever every_night tonight",
        calls="oh baby",
    ),
    "hope": dict(
        triggers="hope hopeful hoping bittersweet uplifting inspiring inspirational dream dreams dreaming "
                 "rise rising new beginning start tomorrow future optimistic brave courage",
        feelings="the_hope a_new_day my_dreams+ the_light tomorrow this_chance",
        adjs="new bright open clear endless",
        verbs="rise fly shine climb grow believe",
        tverbs="find reach chase build",
        scenes="sun:rise light:break sky:clear",
        times="someday tomorrow one_day",
        calls="oh",
    ),
    "defiant": dict(
        triggers="angry anger rage defiant rebel rebellious fight fighting hustle hustling grind aggressive "
                 "hard tough fierce power powerful empowering strong unstoppable savage gritty street "
                 "punk metal rap hiphop",
        feelings="my_pride the_fire my_name the_crown the_hunger my_rage",
        adjs="fearless hungry restless loud strong wild",
        verbs="fight rise run win grind stand_tall",
        tverbs="take own chase run",
        scenes="thunder:roll fire:burn crowd:roar",
        times="every_day right_now tonight",
        calls="yeah hey",
    ),
    "calm": dict(
        triggers="calm chill chilled relaxing relaxed peaceful mellow lazy soft gentle dreamy lullaby "
                 "ambient slow quiet serene lofi sleepy",
        feelings="the_quiet my_breath this_moment the_stillness a_dream",
        adjs="slow soft easy quiet gentle lazy",
        verbs="drift breathe float rest sway dream",
        tverbs="watch feel hear",
        scenes="breeze:blow waves+:roll moon:glow",
        times="slowly tonight for_a_while",
        calls="oh",
    ),
    "dark": dict(
        triggers="dark darkness haunted haunting eerie spooky creepy gothic horror ghost ghosts sinister "
                 "evil demon doom ominous",
        feelings="the_shadows+ the_fear my_ghost the_cold the_dark",
        adjs="dark cold hollow black wicked",
        verbs="burn hide fall run",
        tverbs="fear hunt chase",
        scenes="shadows+:crawl wind:howl candle:die",
        times="at_midnight forever",
        calls="oh",
    ),
}

# When a description names no mood, its genre's mood (genres.py) or this one.
DEFAULT_MOOD = "happy"
