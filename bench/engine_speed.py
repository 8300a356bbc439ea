"""Speed and memory of the composer engine: warm renders, peak memory, first task after a cold start.

Run ``python bench/engine_speed.py`` (``--repeat N`` renders each song N times, with
seeds 1..N, after one warm-up render). Prints JSON with, for each song, the median,
minimum and maximum wall time and the median CPU time of the process (all threads)
per render, the targets (``*_new_words``: the same songs with the singer's cache of analysed
syllables emptied before each render, as for lyrics the process has not sung before), the
peak resident memory of the process
(``resource.getrusage``: the high-water mark of RSS) and a cold start: a fresh
Python subprocess that imports the engine, loads it and renders its first 30 s song
with vocals. Last (after the peak memory is read), the two clips of a two-clip task (the 30 s
sung song, two seeds) are rendered one after the other and then side by side, as many at once as
the engine's ``clips_at_once`` (the render work does the same); and the time to draw a cover
(``cover_ms``, the median of five styles against its 60 ms budget). The load average is printed before
and after, since a shared machine makes wall times noisy; CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from openproducer.engines.composer import ComposerEngine

SOUND = "upbeat pop song with piano, bass and drums, 120 bpm"
LYRICS_30 = """[Verse]
Walking through the city lights
Feeling the rhythm of the night

[Chorus]
We're alive, we're free tonight
Dancing till the morning light
"""
LYRICS_180 = """[Verse 1]
Walking through the city lights
Feeling the rhythm of the night
Every step a new surprise
Under these electric skies

[Pre-Chorus]
Hold on, hold on to me
This is where we want to be

[Chorus]
We're alive, we're free tonight
Dancing till the morning light
Hearts on fire, burning bright
Nothing ever felt so right

[Verse 2]
Neon signs and falling rain
Whisper softly out your name
Every corner, every street
Moving to the city beat

[Pre-Chorus]
Hold on, hold on to me
This is where we want to be

[Chorus]
We're alive, we're free tonight
Dancing till the morning light
Hearts on fire, burning bright
Nothing ever felt so right

[Bridge]
When the music fades away
We will find another day
Every echo, every sound
Lifts us up above the ground

[Chorus]
We're alive, we're free tonight
Dancing till the morning light
Hearts on fire, burning bright
Nothing ever felt so right
"""
SONGS = {
    "song_30s_vocals": ({"sound": SOUND, "lyrics": LYRICS_30, "length": 30.0}, 1.5),
    "song_180s_vocals": ({"sound": SOUND, "lyrics": LYRICS_180, "length": 180.0}, 6.0),
    "instrumental_30s": ({"sound": SOUND, "make_instrumental": True, "length": 30.0}, None),
    # the same songs with the singer's cache emptied first: every syllable is spoken and analysed
    # again, as for lyrics the process has not sung before (the usual case for a new request)
    "song_30s_vocals_new_words": ({"sound": SOUND, "lyrics": LYRICS_30, "length": 30.0, "fresh_voice": True},
                                  None),
    "song_180s_vocals_new_words": ({"sound": SOUND, "lyrics": LYRICS_180, "length": 180.0, "fresh_voice": True},
                                   None),
}
COLD = textwrap.dedent("""
    import json, resource, sys, time
    t0 = time.perf_counter()
    sys.path.insert(0, {root!r})
    from openproducer.engines.base import EngineRequest, Operation
    from openproducer.engines.composer import ComposerEngine
    t1 = time.perf_counter()
    engine = ComposerEngine()
    engine.load()
    t2 = time.perf_counter()
    result = engine.render(EngineRequest(operation=Operation.CREATE, sound={sound!r}, lyrics={lyrics!r},
                                         length=30.0, seed=1), lambda fraction, stage: None)
    t3 = time.perf_counter()
    print(json.dumps({{"import_s": t1 - t0, "load_s": t2 - t1, "first_render_s": t3 - t2, "total_s": t3 - t0,
                      "audio_s": len(result.mix) / result.sample_rate, "vocal_kind": result.meta.vocal_kind,
                      "librosa_imported": "librosa" in sys.modules, "numba_imported": "numba" in sys.modules,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
""")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cold_start() -> dict:
    """Import, load and the first render of a 30 s song with vocals, in a fresh interpreter."""
    code = COLD.format(root=str(ROOT), sound=SOUND, lyrics=LYRICS_30)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_wall_s"] = time.perf_counter() - start  # includes the interpreter's own start
    out["target_s"] = 5.0
    out["meets_target"] = out["total_s"] <= 5.0
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}


def forget_voice() -> None:
    """Empty the singer's cache of analysed sounds, as for a song whose words are all new."""
    from openproducer.engines.composer import singer

    clear = getattr(singer, "clear_cache", None)
    if clear is not None:
        clear()
    else:
        singer._cache.clear()


def timed_render(engine: ComposerEngine, seed: int, fresh_voice: bool = False,
                 **kwargs: object) -> tuple[float, float, float]:
    from openproducer.engines.base import EngineRequest, Operation

    if fresh_voice:
        forget_voice()
    wall, cpu = time.perf_counter(), time.process_time()
    result = engine.render(EngineRequest(operation=Operation.CREATE, seed=seed, **kwargs), lambda f, s: None)
    return time.perf_counter() - wall, time.process_time() - cpu, len(result.mix) / result.sample_rate


def two_clips(engine: ComposerEngine, repeat: int) -> dict:
    """Wall time of a two-clip task's renders, one after the other and side by side (median of ``repeat``)."""
    from concurrent.futures import ThreadPoolExecutor

    kwargs = SONGS["song_30s_vocals"][0]
    at_once = int(getattr(engine, "clips_at_once", 1))
    apart, together = [], []
    for seed in range(1, repeat + 1):
        wall = time.perf_counter()
        for clip in range(2):
            timed_render(engine, seed + 100 * clip, **kwargs)
        apart.append(time.perf_counter() - wall)
        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=at_once) as pool:
            list(pool.map(lambda clip, seed=seed: timed_render(engine, seed + 100 * clip, **kwargs), range(2)))
        together.append(time.perf_counter() - wall)
    return {"clips_at_once": at_once, "one_after_the_other_median_s": round(statistics.median(apart), 3),
            "side_by_side_median_s": round(statistics.median(together), 3)}


def cover_times() -> dict[str, float]:
    """Drawing a cover (``audio.artwork.draw_cover``, done beside every render): the median of five
    styles after a warm-up, against its 60 ms budget."""
    from openproducer.audio.artwork import draw_cover

    draw_cover("warm up", "rock", 0)
    times = []
    for seed, style in enumerate(["rock", "calm ambient", "synthwave", "folk", "pop"]):
        start = time.perf_counter()
        draw_cover("A Title Of Some Length", style, seed)
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    return {"median": round(median, 1), "target": 60, "meets_target": median <= 60}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    report: dict = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                    "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                "python": platform.python_version()},
                    "load_average_before": load_average()}
    report["cold_start"] = cold_start()

    from openproducer.engines.composer import ComposerEngine

    engine = ComposerEngine()
    engine.load()
    timed_render(engine, 0, **SONGS["song_30s_vocals"][0])  # warm-up
    report["warm"] = {}
    for name, (kwargs, target) in SONGS.items():
        runs = [timed_render(engine, seed, **kwargs) for seed in range(1, args.repeat + 1)]
        walls = [r[0] for r in runs]
        entry = {"audio_s": round(runs[0][2], 2), "wall_median_s": round(statistics.median(walls), 3),
                 "wall_min_s": round(min(walls), 3), "wall_max_s": round(max(walls), 3),
                 "cpu_median_s": round(statistics.median(r[1] for r in runs), 3)}
        if target is not None:
            entry["target_s"] = target
            entry["meets_target"] = entry["wall_median_s"] <= target
        report["warm"][name] = entry
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report["peak_rss_mb"] = {"value": round(peak, 1), "target": 600, "meets_target": peak <= 600}
    report["librosa_imported_in_process"] = "librosa" in sys.modules
    report["two_clips_30s_vocals"] = two_clips(engine, args.repeat)
    report["cover_ms"] = cover_times()
    report["load_average_after"] = load_average()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
