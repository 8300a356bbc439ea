"""Nuro's enumerated values, each mapped onto words the composer understands.

Every value a Nuro request may name is a key here (the request models take their allowed values
from these tables, so none can be accepted and then ignored). A value becomes prompt words
(``engines/composer/words.py``, ``genres.py``): genre names set the genre, mood words move
energy, tempo and mode, production words the mix, instrument words the arrangement. A singer's
timbre becomes voice words (``words.TIMBRE``) with an amount, which change the voice alone.

The song's prompt is the genre words first (the first genre named sets the genre; the others
add their mood and production words), then the moods, instruments and themes, then the
description. ``tests/families/test_nuro_words.py`` walks every value and shows what it changes.
"""

from __future__ import annotations

__all__ = [
    "BGM_GENRES",
    "BGM_INSTRUMENTS",
    "BGM_MOODS",
    "BGM_THEMES",
    "VOCAL_GENRES",
    "VOCAL_MOODS",
    "VOCAL_TIMBRES",
    "prompt_words",
]

# --- vocal songs (type "vocal") ---------------------------------------------------------------

VOCAL_GENRES: dict[str, str] = {
    "Folk": "folk acoustic guitar", "Pop": "pop catchy", "Rock": "rock", "Chinese Style": "ballad koto pan flute",
    "Hip Hop/Rap": "hip hop", "R&B/Soul": "r&b warm", "Punk": "punk", "Electronic": "electronic",
    "Jazz": "jazz", "Reggae": "reggae", "DJ": "house punchy", "Pop Punk": "pop punk", "Disco": "disco",
    "Future Bass": "edm lush wide", "Pop Rap": "hip hop catchy bright", "Trap Rap": "trap",
    "R&B Rap": "r&b 808 groovy", "Chinoiserie Electronic": "electronic koto", "GuFeng Music": "ballad koto flute",
    "Pop Rock": "rock catchy polished", "Jazz Pop": "jazz catchy bright", "Bossa Nova": "bossa nova",
    "Contemporary R&B": "contemporary r&b polished",
}

VOCAL_MOODS: dict[str, str] = {
    "Happy": "happy", "Dynamic/Energetic": "energetic punchy", "Sentimental/Melancholic/Lonely":
    "sentimental melancholic lonely", "Inspirational/Hopeful": "uplifting hopeful", "Nostalgic/Memory":
    "nostalgic vintage", "Excited": "energetic upbeat", "Sorrow/Sad": "sad", "Chill": "chill laid-back",
    "Romantic": "romantic", "Miss": "wistful", "Groovy/Funky": "groovy", "Dreamy/Ethereal": "dreamy ethereal",
    "Calm/Relaxing": "calm relaxed",
}

# Timbre -> voice words and how much of each (the singer alone changes, not the mix).
VOCAL_TIMBRES: dict[str, dict[str, float]] = {
    "Warm": {"warm": 1.0}, "Bright": {"bright": 1.0}, "Husky": {"husky": 1.0},
    "Electrified voice": {"autotuned": 1.0}, "Sweet_AUDIO_TIMBRE": {"soft": 1.0, "bright": 0.5},
    "Cute_AUDIO_TIMBRE": {"childlike": 0.6, "bright": 0.5}, "Loud and sonorous": {"belting": 1.0, "deep": 0.5},
    "Powerful": {"powerful": 1.5}, "Sexy/Lazy": {"breathy": 1.0, "smooth": 1.0},
}

GENDERS: dict[str, str] = {"Female": "female", "Male": "male"}

# --- instrumental songs (type "bgm") ------------------------------------------------------------

BGM_GENRES: dict[str, str] = {
    "corporate": "pop upbeat polished", "dance/edm": "edm", "orchestral": "orchestral", "chill out": "downtempo chill",
    "rock": "rock", "hip hop": "hip hop", "folk": "folk", "funk": "funk", "ambient": "ambient",
    "holiday": "pop festive bells", "jazz": "jazz", "kids": "pop playful glockenspiel", "world": "afrobeat warm",
    "travel": "folk upbeat", "commercial": "pop catchy glossy", "advertising": "pop upbeat catchy",
    "driving": "rock driving", "cinematic": "cinematic", "upbeat": "pop upbeat", "epic": "epic",
    "inspiring": "pop uplifting hopeful", "business": "pop confident polished", "video game": "video game",
    "dark": "dark moody", "pop": "pop catchy", "trailer": "trailer intense", "modern": "pop modern",
    "electronic": "electronic", "documentary": "soundtrack gentle", "soundtrack": "soundtrack",
    "fashion": "house glossy", "acoustic": "acoustic", "movie": "film", "tv": "pop bright punchy",
    "high tech": "synthpop crisp", "industrial": "industrial distorted", "dance": "dance", "video": "pop upbeat",
    "vlog": "indie pop upbeat", "marketing": "pop confident", "game": "chiptune", "radio": "pop catchy polished",
    "promotional": "pop energetic", "sports": "rock energetic punchy", "party": "dance festive",
    "summer": "afrobeats sunny", "beauty": "indie pop dreamy airy",
}

BGM_MOODS: dict[str, str] = {
    "positive": "happy upbeat", "uplifting": "uplifting", "energetic": "energetic", "happy": "happy",
    "bright": "bright", "optimistic": "hopeful bright", "hopeful": "hopeful", "cool": "laid-back",
    "dreamy": "dreamy", "fun": "playful upbeat", "light": "gentle airy", "powerful": "powerful",
    "calm": "calm", "confident": "confident", "joyful": "joyful", "dramatic": "intense powerful",
    "peaceful": "peaceful", "playful": "playful", "soft": "soft", "groovy": "groovy",
    "reflective": "wistful calm", "easy": "laid-back relaxed", "relaxed": "relaxed", "lively": "upbeat playful",
    "smooth": "laid-back warm", "romantic": "romantic", "intense": "intense", "elegant": "gentle polished",
    "mellow": "soft laid-back", "emotional": "sentimental bittersweet", "sentimental": "sentimental",
    "cheerful happy": "cheerful happy", "contemplative": "calm wistful", "soothing": "calm gentle",
    "proud": "triumphant majestic", "passionate": "intense romantic", "sweet": "tender cozy",
    "mystical": "mysterious ethereal", "tranquil": "peaceful calm", "cheerful": "cheerful", "casual": "laid-back",
    "beautiful": "lush tender", "ethereal": "ethereal", "melancholy": "melancholy", "sad": "sad",
    "aggressive": "aggressive", "haunting": "haunting", "adventure": "heroic driving", "serene": "peaceful spacious",
    "sincere": "tender intimate", "funky": "funky", "funny": "quirky playful",
}

BGM_INSTRUMENTS: dict[str, str] = {
    "piano": "piano", "drums": "drums", "guitar": "guitar", "percussion": "percussion",
    "synth": "synth", "electric guitar": "electric guitar", "acoustic guitar": "acoustic guitar",
    "bass guitar": "bass", "brass": "brass", "violin": "violin", "cello": "cello", "flute": "flute",
    "organ": "organ", "trumpet": "trumpet", "ukulele": "ukulele", "saxophone": "saxophone",
    "double bass": "double bass", "harp": "harp", "glockenspiel": "glockenspiel", "synthesizer": "synthesizer",
    "keyboard": "keys", "marimba": "marimba", "bass": "bass", "banjo": "banjo", "strings": "strings",
}

BGM_THEMES: dict[str, str] = {
    "inspirational": "uplifting hopeful", "motivational": "driving uplifting", "achievement": "triumphant",
    "discovery": "mysterious hopeful", "every day": "laid-back cozy", "love": "romantic tender",
    "technology": "modern crisp", "lifestyle": "laid-back polished", "journey": "driving hopeful",
    "meditation": "meditation calm", "drama": "tense intense", "children": "playful cheerful",
    "hope": "hopeful", "fantasy": "majestic mysterious", "holiday": "festive", "health": "gentle airy",
    "family": "cozy warm", "real estate": "confident polished", "media": "modern punchy", "kids": "playful happy",
    "science": "mysterious crisp", "education": "gentle playful", "progress": "driving confident",
    "world": "spacious warm", "vacation": "sunny laid-back", "training": "energetic driving",
    "christmas": "festive sparkling", "sales": "upbeat confident",
}


def prompt_words(genres: list[str], moods: list[str], instruments: list[str], themes: list[str],
                 description: str = "", vocal: bool = False) -> str:
    """The composer prompt for a Nuro request's enumerated values (and a bgm description)."""
    genre_table = VOCAL_GENRES if vocal else BGM_GENRES
    mood_table = VOCAL_MOODS if vocal else BGM_MOODS
    parts = [genre_table[g] for g in genres] + [mood_table[m] for m in moods]
    parts += [BGM_INSTRUMENTS[i] for i in instruments] + [BGM_THEMES[t] for t in themes]
    if description.strip():
        parts.append(description.strip())
    return ", ".join(parts)
