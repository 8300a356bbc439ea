"""Try the built-in writer: ``python -m openproducer.lyrics "a song about ..." --seed 3``;
``--bench`` times it on the test descriptions (CPU time of this process, so other load counts less)."""

from __future__ import annotations

import argparse
import statistics
import time

from openproducer.lyrics import preload, write_lyrics

_SAMPLES = (
    "a bittersweet song about leaving my hometown by train at dawn",
    "upbeat summer party anthem",
    "90s hip hop track about hustling in the city",
    "a sad piano ballad about a lost love and empty rooms",
    "country song about a dirt road and an old pickup truck",
    "dreamy lofi song about rain on the window late at night",
)


def _bench(descriptions: list[str]) -> None:
    started = time.process_time()
    preload()
    print(f"first sheet (loads the dictionary and tables): {1000 * (time.process_time() - started):.0f} ms")
    for label, seeds in (("new description", (1,)), ("same description, another seed", (2, 3, 4))):
        times = []
        for description in descriptions:
            for seed in seeds:
                t = time.process_time()
                write_lyrics(description, seed)
                times.append(1000 * (time.process_time() - t))
        times.sort()
        print(f"{label}: median {statistics.median(times):.1f} ms, p95 {times[int(0.95 * len(times))]:.1f} ms, "
              f"max {times[-1]:.1f} ms over {len(times)} sheets")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m openproducer.lyrics")
    parser.add_argument("description", nargs="?", default="a bittersweet song about leaving my hometown by train")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bench", action="store_true", help="time the writer on the test descriptions")
    args = parser.parse_args()
    if args.bench:
        try:  # in a checkout: the fifty descriptions of the tests
            from tests.lyrics.descriptions import DESCRIPTIONS

            _bench([d for d, _ in DESCRIPTIONS])
        except ImportError:
            _bench(list(_SAMPLES))
        return
    sheet = write_lyrics(args.description, args.seed)
    print(f"# {sheet.title}\n{sheet.scheme}\n\n{sheet.lyrics}")


if __name__ == "__main__":
    main()
