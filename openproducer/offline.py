"""`openproducer generate`: one song straight from an engine to a file, no server, no database."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tqdm import tqdm

from openproducer.audio import encode
from openproducer.core.config import Settings
from openproducer.core.errors import InvalidParameter
from openproducer.core.validation import check_lyrics, check_sound, normalise_seed
from openproducer.engines.base import EngineRequest, Operation
from openproducer.engines.registry import EngineRegistry

__all__ = ["generate_song"]


def generate_song(settings: Settings, args: argparse.Namespace, lyrics: str) -> int:
    try:
        check_sound(args.sound)
        if lyrics and not args.instrumental:
            check_lyrics(lyrics)
    except InvalidParameter as exc:
        print(f"generate: {exc.message}", file=sys.stderr)
        return 2
    mv = args.mv or settings.default_mv
    route = settings.models.get(mv)
    if route is None:
        print(f"generate: --mv must be one of {', '.join(settings.models)}", file=sys.stderr)
        return 2
    output = Path(args.output)
    if output.suffix.lower() not in (".mp3", ".wav"):
        print("generate: -o must end in .mp3 or .wav", file=sys.stderr)
        return 2
    request = EngineRequest(
        operation=Operation.CREATE, sound=args.sound, lyrics="" if args.instrumental else lyrics,
        title=args.title, make_instrumental=args.instrumental, seed=normalise_seed(args.seed),
        bpm=args.bpm, length=args.length, profile=route.profile, mastered=route.mastered,
    )
    registry = EngineRegistry(settings)
    with tqdm(total=100, desc="loading", unit="%", file=sys.stderr, bar_format="{desc:<12}{bar}| {n:.0f}%") as bar:
        registry.get(route.engine)  # load before the first progress report

        def progress(fraction: float, stage: str) -> None:
            bar.set_description_str(stage)
            bar.update(max(0.0, 90 * fraction - bar.n))

        _, result = registry.render(route.engine, request, progress)  # or its fallback, for what it cannot do
        bar.set_description_str("encoding")
        output.parent.mkdir(parents=True, exist_ok=True)
        if output.suffix.lower() == ".wav":
            encode.write_wav(output, result.mix, result.sample_rate)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                wav = Path(tmp) / "mix.wav"
                encode.write_wav(wav, result.mix, result.sample_rate)
                encode.encode_mp3(wav, output)
        bar.update(100 - bar.n)
        bar.set_description_str("done")
    registry.close()
    meta = result.meta
    print(f"{output}: {meta.duration:.1f} s, {meta.bpm:g} bpm, {meta.key}, seed {request.seed}")
    return 0
