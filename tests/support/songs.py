"""Example inputs shared by the tests: the vendor page's own lyrics and prompt."""

LYRICS = """[Verse 1]
Walking through the city lights
Feeling the rhythm of the night
Every step a new surprise
Under these electric skies

[Chorus]
We're alive, we're free tonight
Dancing till the morning light
"""
ROCK = "Energetic rock anthem with distorted electric guitars, driving drums, and powerful vocals"
