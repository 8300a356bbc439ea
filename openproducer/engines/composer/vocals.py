"""Sung vocals: the melody's notes sung on their words, resynthesised from WORLD parameters (``vocoder``).

The notes of each word get its phoneme syllables (``phonemes.fit_to_notes``); a note without
a syllable of its own extends the one before (a melisma: one sung event, two pitches). Each
event takes its syllable's WORLD frames in three parts: the onset consonants keep their
spoken length and are sung *before* the beat (up to 140 ms, at most a third of the previous
note, which ends there, its coda sung before them), so the vowel lands on it; the vowel core
is stretched to fill the note (smoothly interpolated, holding the first vowel target of a
diphthong on long notes); the coda consonants keep their length at the note's end
(compressed only when the note is short). Consonant frames are lifted by 2 dB so they read.
The F0 is the written pitch with a short glide from the previous note and a vibrato that
starts a third of the way into long notes and grows in. Notes closer than 0.25 s form one
phrase, synthesised once (repeated choruses reuse it) and resampled on its own; a soft
breath is drawn before phrases that follow a rest. The lead sits in the centre; the chorus
harmony is a second voice placed mostly in the side signal, quieter, with its consonants
softened so the lead's words stay on top.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import lru_cache
from math import gcd
from typing import Any

import numpy as np
from scipy.signal import butter, resample_poly, sosfilt

from . import vocoder
from .mixing import Mix, VocalBalance, vocal_chain
from .phonemes import clean_word, fit_to_notes, pronounce
from .singer import (
    FRAME_MS,
    POOL,
    SPEECH_SR,
    Singer,
    SyllableSound,
    Voice,
    aperiodicity,
    harmony_voice,
    spelled_key,
    transcribe,
)

_SILENT_SP = 1e-12
_VIBRATO_HZ = 5.5
_MAX_HEAD = 14  # frames of onset consonant sung ahead of the beat, so the vowel lands on it
_GLIDE_FLOOR = 0.012
# (left, right) gains of the harmony voice: mostly in the side signal (L - R), so it widens the chorus
# and stays audible in stereo while the mid (mono) signal is nearly all lead
HARMONY_PAN = (0.55, -0.25)
HARMONY_DB = -5.0  # the harmony voice's level against the lead's where both sing (after the lead's chain)
LEAD_CONSONANTS = 1.6  # power gain of consonant (unvoiced) frames: +2 dB
HARMONY_CONSONANTS = 0.12  # the harmony's consonants are softened (-9 dB) so only its vowels add


def midi_hz(pitch: float) -> float:
    return 440.0 * 2.0 ** ((pitch - 69.0) / 12.0)


@dataclass
class Event:
    """One sung syllable: ``key`` into the singer's sounds, the pitches it moves through."""

    start: float  # beats
    dur: float  # beats
    key: str
    vel: float
    pitches: list[tuple[float, float]] = field(default_factory=list)  # (beats after start, MIDI pitch)
    word: int = -1


def plan_events(notes: list[list], words: list[str], spoken: dict[str, list[str]]) -> list[Event]:
    """The sung events of a line of notes: one per syllable, melismas merged into the note before."""
    events: list[Event] = []
    ordered = sorted((n for n in notes if n[1] > 0), key=lambda n: n[0])
    i = 0
    while i < len(ordered):
        j = i + 1
        idx = ordered[i][5]
        while j < len(ordered) and idx >= 0 and ordered[j][5] == idx:
            j += 1
        run = ordered[i:j]
        own = [n for n in run if n[4]]
        text = words[idx] if 0 <= idx < len(words) else "".join(n[4] for n in own)
        pieces = spoken.get(clean_word(text))
        keys = iter(fit_to_notes(pieces, len(own)) if pieces else [spelled_key(n[4]) for n in own])
        for n in run:
            key = next(keys, None) if n[4] else None
            if key is not None and pieces:
                key = "[" + key
            prev = events[-1] if events else None
            if key is None and prev is not None and prev.word == idx and n[0] - (prev.start + prev.dur) < 0.3:
                prev.pitches.append((n[0] - prev.start, float(n[2])))
                prev.dur = n[0] + n[1] - prev.start
                continue
            events.append(Event(float(n[0]), float(n[1]), key or spelled_key(n[4] or "ah"), float(n[3]),
                                [(0.0, float(n[2]))], idx))
        i = j
    return events


def _phrases(events: list[Event], spb: float) -> list[list[Event]]:
    groups: list[list[Event]] = []
    for e in events:
        if groups and (e.start - (groups[-1][-1].start + groups[-1][-1].dur)) * spb < 0.25:
            groups[-1].append(e)
        else:
            groups.append([e])
    return groups


def _resample_index(idx: np.ndarray, n: int) -> np.ndarray:
    """``n`` entries of ``idx`` spread evenly (consonants compressed when there is no room)."""
    if n >= len(idx) or len(idx) == 0:
        return idx
    return idx[np.linspace(0, len(idx) - 1, max(n, 0)).round().astype(int)]


def _core_positions(c0: int, c1: int, body: int) -> np.ndarray:
    """Fractional source frames for ``body`` frames of vowel, from a core of ``c1 - c0`` frames.

    A short stretch is linear; a long one holds near the first third of the core (the
    first target of a diphthong) and moves through the rest at the end of the note.
    """
    span = max(c1 - c0 - 1, 0)
    p = np.linspace(0.0, 1.0, body)
    stretch = body / max(1, c1 - c0)
    hold = np.interp(p, (0.0, 0.12, 0.82, 1.0), (0.0, 0.3, 0.45, 1.0))
    w = float(np.clip((stretch - 1.5) / 2.0, 0.0, 1.0))
    return c0 + span * ((1.0 - w) * p + w * hold)


def event_frames(snd: SyllableSound, count: int, pitches: list[tuple[int, float]], prev_hz: float | None,
                 vel: float, voice: Voice, max_head: int, consonants: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(f0, sp, ap, head): ``head`` onset frames that go *before* the note, then ``count`` frames."""
    onset = np.arange(snd.a0, snd.c0)
    coda = np.arange(snd.c1, snd.a1)
    head = min(len(onset), max_head)
    late = min(len(onset) - head, count // 4)  # onset frames that did not fit before the beat
    onset = _resample_index(onset, head + late)
    tail = min(len(coda), max(1, int(0.35 * count)))
    coda = _resample_index(coda, tail)
    body = count - late - len(coda)
    if body < 2:
        coda = coda[: max(0, count - late - 2)]
        body = count - late - len(coda)
    pos = _core_positions(snd.c0, snd.c1, body)
    i0 = np.floor(pos).astype(int)
    i1 = np.minimum(i0 + 1, snd.c1 - 1)
    frac = (pos - i0)[:, None].astype(np.float32)
    core = snd.sp[i0] * (1.0 - frac) + snd.sp[i1] * frac
    sp = np.concatenate([snd.sp[onset], core, snd.sp[coda]])
    voiced = np.concatenate([snd.voiced[onset], np.ones(body, np.int8), snd.voiced[coda]])
    gain = np.where(voiced > 0, 1.0, consonants) * (vel / 100.0) ** 2
    sp = sp * gain[:, None].astype(np.float32)
    ap = aperiodicity(snd.sp.shape[1])[voiced]
    # pitch: the written notes with glides between them, then a vibrato on long notes
    total = head + count
    t = (np.arange(total) - head) * FRAME_MS / 1000.0
    hz0 = midi_hz(pitches[0][1])
    cents = np.zeros(total)
    glide = max(voice.glide, _GLIDE_FLOOR)
    before = 1200 * np.log2(prev_hz / hz0) if prev_hz else 0.0
    for k, (frame, pitch) in enumerate(pitches):
        level = 100.0 * (pitch - pitches[0][1])
        mask = t >= (frame * FRAME_MS / 1000.0 if k else -1.0)
        start = frame * FRAME_MS / 1000.0 if k else 0.0
        cents[mask] = level + (before - level) * np.exp(-np.maximum(t[mask] - start, 0.0) / glide)
        before = level
    length = count * FRAME_MS / 1000.0
    if length > 0.4 and voice.vibrato > 0:
        delay = min(0.6, max(0.2, length / 3.0))
        grow = np.clip((t - delay) / 0.3, 0.0, 1.0)
        cents += voice.vibrato * grow * np.sin(2 * np.pi * _VIBRATO_HZ * np.maximum(t - delay, 0.0))
    f0 = hz0 * 2.0 ** (cents / 1200.0)
    f0[voiced == 0] = 0.0
    return f0, sp, ap, head


def _timbre(sp: np.ndarray, ap: np.ndarray, voice: Voice) -> tuple[np.ndarray, np.ndarray]:
    """Shift the envelope along frequency (formant) and add breath to the aperiodicity."""
    if abs(voice.formant) > 1e-3:
        bins = sp.shape[1]
        src = np.clip(np.arange(bins) / (1.0 + voice.formant), 0, bins - 1)
        i0 = np.floor(src).astype(int)
        i1 = np.minimum(i0 + 1, bins - 1)
        frac = (src - i0)[None, :]
        sp = sp[:, i0] * (1 - frac) + sp[:, i1] * frac
    if voice.breath > 1e-3:  # breath is noise above the low harmonics, which stay periodic
        tilt = np.clip(np.linspace(0.0, 1.0, ap.shape[1]) / 0.3, 0.0, 1.0)[None, :] ** 1.5
        ap = ap + (1.0 - ap) * (0.6 * min(voice.breath, 1.0)) * tilt
    return sp, ap


def note_layout(singer: Singer, phrase: list[Event], frames: float, total: int) -> list[tuple[int, int, int]]:
    """(first frame of the note, frames of the note, onset frames sung ahead of it) per event of a phrase.

    An onset takes at most a third of the note before it; that note then ends where the onset
    starts (its coda moves ahead with it), so a syllable's closing consonants are sung, not
    overwritten by the next syllable's opening ones ("kept the" kept its "pt").
    """
    t0 = phrase[0].start
    starts = [int(round((e.start - t0) * frames)) + _MAX_HEAD for e in phrase]
    counts = [min(max(3, int(round(e.dur * frames))), total - a) for e, a in zip(phrase, starts, strict=True)]
    heads, prev_count = [], 4 * _MAX_HEAD
    for e, a, count in zip(phrase, starts, counts, strict=True):
        sound = singer.sound(e.key)
        heads.append(min(sound.c0 - sound.a0, _MAX_HEAD, prev_count // 3, a))
        prev_count = count if count >= 3 else prev_count
    for i in range(len(phrase) - 1):
        room = starts[i + 1] - heads[i + 1] - starts[i]
        if counts[i] >= 3 and room >= 3:
            counts[i] = min(counts[i], room)
    return list(zip(starts, counts, heads, strict=True))


def _phrase_audio(singer: Singer, phrase: list[Event], spb: float, voice: Voice, consonants: float) -> np.ndarray:
    t0 = phrase[0].start
    end = max(e.start + e.dur for e in phrase)
    total = int(round((end - t0) * spb * 1000 / FRAME_MS)) + 2 + _MAX_HEAD
    bins = singer.sound(phrase[0].key).sp.shape[1]
    f0 = np.zeros(total)
    sp = np.full((total, bins), _SILENT_SP, dtype=np.float32)
    ap = np.ones((total, bins), dtype=np.float32)
    prev_hz: float | None = None
    frames = 1000.0 / FRAME_MS * spb  # frames per beat
    for e, (a, count, head) in zip(phrase, note_layout(singer, phrase, frames, total), strict=True):
        if count < 3:
            continue
        pitches = [(int(round(off * frames)), p) for off, p in e.pitches]
        nf0, nsp, nap, head = event_frames(singer.sound(e.key), count, pitches, prev_hz, e.vel, voice, head,
                                           consonants)
        a -= head
        f0[a:a + len(nf0)], sp[a:a + len(nf0)], ap[a:a + len(nf0)] = nf0, nsp, nap
        prev_hz = midi_hz(e.pitches[-1][1])
    sp, ap = _timbre(sp, ap, voice)
    y = vocoder.synthesize(f0, sp, ap, SPEECH_SR, FRAME_MS, seed=int(round(t0 * 1000)))
    fade = min(len(y) // 2, int(0.01 * SPEECH_SR))
    if fade:
        y[:fade] *= np.linspace(0, 1, fade)
        y[-fade:] *= np.linspace(1, 0, fade)
    return y


def _phrase_resampled(singer: Singer, phrase: list[Event], spb: float, voice: Voice, consonants: float, up: int,
                      down: int) -> np.ndarray:
    return resample_poly(_phrase_audio(singer, phrase, spb, voice, consonants), up, down).astype(np.float32)


@lru_cache(maxsize=4)
def _breath_band(sample_rate: int) -> np.ndarray:
    """The breath's band-pass (designing it costs ~9 ms: once per rate, not once per breath)."""
    return butter(2, (500.0, 4000.0), btype="bandpass", fs=sample_rate, output="sos")  # (sosfilt only reads it)


def _breath(length: int, sample_rate: int, seed: int) -> np.ndarray:
    """A soft inhale: band-limited noise (0.5 to 4 kHz) that swells and stops, unit RMS."""
    rng = np.random.default_rng(seed)
    noise = sosfilt(_breath_band(sample_rate), rng.standard_normal(length))
    x = np.linspace(0.0, 1.0, length)
    shape = np.sin(np.pi * np.minimum(x / 0.7, 1.0) * 0.5) ** 2 * np.clip((1.0 - x) / 0.15, 0.0, 1.0)
    y = noise * shape
    return (y / max(float(np.sqrt(np.mean(y**2))), 1e-9)).astype(np.float32)


def _sing_line(singer: Singer, events: list[Event], spb: float, voice: Voice, out: np.ndarray,
               gains: tuple[float, float], sample_rate: int, consonants: float, breaths: float = 0.0) -> None:
    """Add one voice's events into the planar stereo ``out`` with (left, right) ``gains``.

    Each phrase is synthesised at the speech rate and resampled on its own; with
    ``breaths`` (relative level) a breath is drawn in the rest before each phrase.
    """
    g = gcd(sample_rate, SPEECH_SR)
    up, down = sample_rate // g, SPEECH_SR // g
    n_samples = out.shape[1]
    made: dict[tuple, Future] = {}  # repeated phrases (choruses) are synthesised once
    lead_in = _MAX_HEAD * FRAME_MS / 1000.0
    phrases = _phrases(events, spb)
    keys = []
    for phrase in phrases:  # two threads synthesise the distinct phrases; they are added in order
        key = tuple((e.start - phrase[0].start, e.dur, e.key, e.vel, tuple(e.pitches)) for e in phrase)
        if key not in made:
            made[key] = POOL.submit(_phrase_resampled, singer, phrase, spb, voice, consonants, up, down)
        keys.append(key)
    prev_end = -10.0
    for phrase, key in zip(phrases, keys, strict=True):
        y = made[key].result()
        start_s = phrase[0].start * spb
        a = int(round((start_s - lead_in) * sample_rate))
        rest = start_s - prev_end
        prev_end = (phrase[-1].start + phrase[-1].dur) * spb
        if breaths > 0 and rest >= 0.6 and start_s > 0.5:
            length = int(min(0.35, 0.4 * rest) * sample_rate)
            b0 = int(round((start_s - 0.14) * sample_rate)) - length
            if b0 >= 0 and length > 0:
                level = breaths * float(np.sqrt(np.mean(y**2)))
                breath = _breath(length, sample_rate, int(b0)) * np.float32(level)
                b1 = min(n_samples, b0 + length)
                for ch, gain in enumerate(gains):
                    if gain:
                        out[ch, b0:b1] += breath[: b1 - b0] * np.float32(gain)
        y = y[max(0, -a):]
        a = max(0, a)
        b = min(n_samples, a + len(y))
        if b > a:
            for ch, gain in enumerate(gains):
                if gain:
                    out[ch, a:b] += y[: b - a] * np.float32(gain)


def _spoken(words: list[str]) -> dict[str, list[str]]:
    """Phoneme syllables per word, or {} when espeak-ng cannot transcribe (spelling is used then)."""
    import subprocess

    try:
        return pronounce(words, transcribe)
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return {}


def _settle_harmony(out: np.ndarray, side_gain: float) -> None:
    """Scale the side row (the harmony) so the harmony sits ``HARMONY_DB`` under the lead where both sing.

    The lead has been through the chain (compressed); the harmony has not, so its
    level is set here. In each channel it is then 10 dB or more under the lead.
    """
    side, mid = out[1, ::4], out[0, ::4]
    both = np.abs(side) > 1e-5
    if both.sum() < 100:
        return
    harmony = float(np.sqrt(np.mean(side[both] ** 2))) / side_gain
    lead = float(np.sqrt(np.mean(mid[both] ** 2)))
    if harmony > 0 and lead > 0:
        out[1] *= np.float32(lead * 10.0 ** (HARMONY_DB / 20.0) / harmony)


def sing(melody: dict[str, Any], bpm: float, n_samples: int, sample_rate: int, mix: Mix | None = None,
         balance: VocalBalance | None = None) -> np.ndarray:
    """The vocal stem, planar (2, n_samples) float32 -- lead centred, harmony off-centre -- before levelling."""
    spb = 60.0 / bpm
    voice = Voice.from_dict(melody.get("singer"), melody.get("voice"))
    words = list(melody.get("words", []))
    notes = [n for n in melody["notes"] if n[1] > 0]
    harmony = [n for n in melody.get("harmony", []) if n[1] > 0]
    used = sorted({n[5] for n in notes + harmony if 0 <= n[5] < len(words)})
    spoken = _spoken([words[i] for i in used])
    lead_events = plan_events(notes, words, spoken)
    harmony_events = plan_events(harmony, words, spoken)
    singer = Singer(voice.espeak)
    singer.prepare([e.key for e in lead_events + harmony_events])
    balance = balance or VocalBalance()
    # the chain runs once, on the mono mid signal (the room is mono); the side is the harmony alone
    mid_gain, side_gain = (HARMONY_PAN[0] + HARMONY_PAN[1]) / 2, (HARMONY_PAN[0] - HARMONY_PAN[1]) / 2
    out = np.zeros((2, n_samples), dtype=np.float32)  # row 0: the mid signal, row 1: the side signal
    _sing_line(singer, lead_events, spb, voice, out, (1.0, 0.0), sample_rate, LEAD_CONSONANTS, balance.breath)
    if harmony_events:
        _sing_line(singer, harmony_events, spb, harmony_voice(voice), out, (mid_gain, side_gain), sample_rate,
                   HARMONY_CONSONANTS)
    from openproducer.audio.master import apply_in_place

    # the chain runs from just before the first breath to the tails after the last note: before it the
    # input is silence (so is the output), after it only a tail more than 60 dB down would be left
    first = min(e.start for e in lead_events + harmony_events) * spb - 0.8
    last = max(e.start + e.dur for e in lead_events + harmony_events) * spb + 4.0
    a, b = max(0, int(first * sample_rate)), min(n_samples, int(last * sample_rate))
    apply_in_place(vocal_chain(mix or Mix(), bpm, voice.rasp, balance), out[:1, a:b], sample_rate)
    out[:, b:] = 0.0
    _settle_harmony(out, side_gain)
    out[0] += out[1]  # left = mid + side
    out[1] *= -2.0
    out[1] += out[0]  # right = (mid + side) - 2 side = mid - side
    return out
