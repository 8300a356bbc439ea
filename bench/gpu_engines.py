"""Speed, throughput and GPU memory of the neural engines (ace-step, stable-audio-3).

Run on a machine with a CUDA GPU and the gpu extra (``pip install 'openproducer[gpu]'``)::

    python bench/gpu_engines.py --ace-step /models/ace-step --stable-audio-3 /models/sa3
    python bench/gpu_engines.py --random-full-size        # no weights: random values, released shapes

Weights come from the arguments, else from the settings (``ace_step.path``,
``stable_audio_3.path``), else -- with ``--random-full-size`` -- from full-size pipelines with
random values built from the released architectures' shapes (speed and memory are those of the
real models; the audio is noise). Each engine is loaded through the same path the server uses
(settings -> registry factory -> ``Engine.load``, warm-up included), then for every operation in
its ``capabilities``: seconds of compute per minute of generated audio and peak GPU memory; for
ace-step, a ``--target-seconds`` (180 s) song with lyrics timed against the target of 3 s of
pipeline (GPU) time on one H100; and for creates: tasks per minute from ``--tasks`` concurrent
requests, batched (``--batch``) and one at a time.

Without CUDA, torch or weights it prints why and exits 0. ``--device cpu`` runs it on the CPU
anyway: with ``--tiny`` as a plumbing check whose numbers mean nothing; with
``--random-full-size`` to prove that the released shapes load and run through our engines on a
machine without a GPU (slow: use ``--seconds 10 --repeat 1``; CPU figures say nothing of a GPU's).
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openproducer.core.config import load_settings  # noqa: E402
from openproducer.engines.base import EngineRequest, Operation, ParentClip  # noqa: E402
from openproducer.engines.neural.weights import gpu_packages_missing  # noqa: E402

ENGINES = ("ace-step", "stable-audio-3")
SOUND = "upbeat pop song with piano, bass and drums, 120 bpm in A minor"
TARGET_S = 3.0  # seconds of GPU time for a 3-minute ACE-Step song on one H100
LYRICS = "[verse]\nWalking through the city lights\nFeeling the rhythm of the night\n" * 4


def skip(reason: str) -> None:
    print(f"gpu_engines: skipped: {reason}")
    raise SystemExit(0)


def quiet(fraction: float, stage: str) -> None:
    return None


def weights_for(name: str, args: argparse.Namespace, scratch: Path) -> Path | None:
    given = getattr(args, name.replace("-", "_"))
    if given:
        return Path(given)
    settings = load_settings()
    configured = {"ace-step": settings.ace_step.path, "stable-audio-3": settings.stable_audio_3.path}[name]
    if configured is not None:
        return Path(configured)
    if args.random_full_size or args.tiny:
        import torch

        from openproducer.engines.neural.random_init import save_random_pipeline

        size = "tiny" if args.tiny else "full"
        print(f"building a random {size} {name} pipeline in {scratch} ...", flush=True)
        started = time.perf_counter()
        options: dict[str, Any] = {} if args.tiny else {"dtype": torch.bfloat16}
        folder = save_random_pipeline(name, scratch / name, size, **options)
        print(f"  built and saved in {time.perf_counter() - started:.0f} s", flush=True)
        return folder
    return None


def load_engine(name: str, folder: Path, args: argparse.Namespace) -> tuple[Any, float]:
    from openproducer.engines.registry import EngineRegistry

    section = {"path": folder, "device": args.device, "dtype": args.dtype, "steps": args.steps,
               "batch_size": args.batch, "batch_wait_ms": args.wait_ms}
    key = name.replace("-", "_")
    settings = load_settings(**{key: section})
    registry = EngineRegistry(settings)
    started = time.perf_counter()
    engine = registry.get(name)  # loads and warms up
    return engine, time.perf_counter() - started


class GpuMemory:
    def __init__(self, torch: Any, device: Any) -> None:
        self.torch, self.cuda = torch, device.type == "cuda"

    def reset(self) -> None:
        if self.cuda:
            self.torch.cuda.synchronize()
            self.torch.cuda.reset_peak_memory_stats()

    def peak_gib(self) -> float | None:
        if not self.cuda:
            return None
        self.torch.cuda.synchronize()
        return round(self.torch.cuda.max_memory_allocated() / 2**30, 2)


def operation_requests(engine: Any, parent: ParentClip, seconds: float) -> list[tuple[Operation, EngineRequest, float]]:
    """(operation, request, seconds of new audio) for every operation the engine can do."""
    lyrics = "" if not engine.sings else LYRICS
    wanted = [
        (Operation.CREATE, EngineRequest(Operation.CREATE, sound=SOUND, lyrics=lyrics, length=seconds, seed=2),
         seconds),
        (Operation.EXTEND, EngineRequest(Operation.EXTEND, sound=SOUND, starts_at=seconds, length=seconds / 2,
                                         seed=3, parent=parent), seconds / 2),
        (Operation.REPLACE, EngineRequest(Operation.REPLACE, sound=SOUND, starts_at=seconds / 3,
                                          ends_at=2 * seconds / 3, seed=4, parent=parent), seconds / 3),
        (Operation.COVER, EngineRequest(Operation.COVER, sound="orchestral arrangement", seed=5, parent=parent),
         seconds),
        (Operation.VARIATION, EngineRequest(Operation.VARIATION, sound=SOUND, seed=6, parent=parent), seconds),
        (Operation.SWAP_VOCALS, EngineRequest(Operation.SWAP_VOCALS, sound=SOUND, lyrics=LYRICS, seed=7,
                                              parent=parent), seconds),
        (Operation.SWAP_SOUND, EngineRequest(Operation.SWAP_SOUND, sound="jazz trio", seed=8, parent=parent),
         seconds),
    ]
    return [item for item in wanted if item[0] in engine.capabilities]


def time_operations(engine: Any, memory: GpuMemory, args: argparse.Namespace) -> list[dict[str, Any]]:
    first = engine.render(EngineRequest(Operation.CREATE, sound=SOUND, lyrics=LYRICS if engine.sings else "",
                                        length=args.seconds, seed=1), quiet)
    parent = ParentClip("bench", first.sample_rate, first.mix, first.stems, None, first.meta, engine.name,
                        sound=SOUND, lyrics=LYRICS if engine.sings else "", seed=1)
    rows = []
    for op, request, new_seconds in operation_requests(engine, parent, args.seconds):
        render_s, pipeline_s = timed_renders(engine, request, memory, args.repeat)
        rows.append({"operation": op.value, "new_audio_s": round(new_seconds, 1), "render_s": round(render_s, 3),
                     "pipeline_s": round(pipeline_s, 3), "s_per_min_audio": round(render_s / new_seconds * 60.0, 2),
                     "peak_gpu_gib": memory.peak_gib()})
        print(f"  {op.value:<12} {render_s:7.2f} s for {new_seconds:5.1f} s "
              f"({rows[-1]['s_per_min_audio']:6.2f} s per minute of audio; pipeline {pipeline_s:.2f} s), "
              f"peak GPU {rows[-1]['peak_gpu_gib']} GiB", flush=True)
    return rows


def timed_renders(engine: Any, request: EngineRequest, memory: GpuMemory, repeat: int) -> tuple[float, float]:
    """Median seconds of the whole render and of the pipeline calls inside it (the GPU's share:
    the batcher times each call up to the copy of its output to the host, which waits for the GPU)."""
    renders, pipelines = [], []
    memory.reset()
    for _ in range(repeat):
        busy = engine.batcher.stats.busy_s
        started = time.perf_counter()
        engine.render(request, quiet)
        renders.append(time.perf_counter() - started)
        pipelines.append(engine.batcher.stats.busy_s - busy)
    return statistics.median(renders), statistics.median(pipelines)


def target_song(engine: Any, memory: GpuMemory, args: argparse.Namespace) -> dict[str, Any]:
    """The issue's target: a 3-minute song with vocals from ACE-Step in at most 3 s of GPU time."""
    request = EngineRequest(Operation.CREATE, sound=SOUND, lyrics=LYRICS, length=args.target_seconds, seed=9)
    render_s, pipeline_s = timed_renders(engine, request, memory, args.repeat)
    row = {"song_s": args.target_seconds, "render_s": round(render_s, 3), "pipeline_s": round(pipeline_s, 3),
           "target_pipeline_s": TARGET_S, "met": pipeline_s <= TARGET_S, "peak_gpu_gib": memory.peak_gib()}
    print(f"  target: a {args.target_seconds:.0f} s song in {pipeline_s:.2f} s of pipeline time "
          f"({render_s:.2f} s with mastering and encoding on the CPU); target <= {TARGET_S:.0f} s: "
          f"{'met' if row['met'] else 'NOT met'}", flush=True)
    return row


def throughput(engine: Any, memory: GpuMemory, args: argparse.Namespace, batch: int) -> dict[str, Any]:
    """``--tasks`` concurrent creates from ``batch`` threads, the batcher set to ``batch``."""
    engine.batcher.max_batch = batch
    engine.batcher.wait_s = args.wait_ms / 1000.0 if batch > 1 else 0.0
    calls_before = engine.batcher.stats.calls
    seeds = iter(range(100, 100 + args.tasks))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                seed = next(seeds, None)
            if seed is None:
                return
            engine.render(EngineRequest(Operation.CREATE, sound=SOUND, lyrics="", make_instrumental=True,
                                        length=args.seconds, seed=seed), quiet)

    memory.reset()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(batch)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"batch": batch, "tasks": args.tasks, "wall_s": round(wall, 2),
            "tasks_per_min": round(args.tasks / wall * 60.0, 2),
            "pipeline_calls": engine.batcher.stats.calls - calls_before, "peak_gpu_gib": memory.peak_gib()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=(*ENGINES, "all"), default="all")
    parser.add_argument("--ace-step", help="ACE-Step weights folder (default: ace_step.path)")
    parser.add_argument("--stable-audio-3", help="Stable Audio 3 weights folder (default: stable_audio_3.path)")
    parser.add_argument("--random-full-size", action="store_true",
                        help="no weights: random values in the released shapes (several GB of disk, minutes)")
    parser.add_argument("--tiny", action="store_true", help="tiny random models: a plumbing check, not a benchmark")
    parser.add_argument("--device", default="auto",
                        help="auto, cuda, cuda:N or cpu (a plumbing check, not a benchmark)")
    parser.add_argument("--dtype", default="auto", choices=("auto", "bf16", "fp16", "fp32"),
                        help="auto: bf16 on CUDA, fp32 on the CPU")
    parser.add_argument("--seconds", type=float, default=30.0, help="song length per task")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--batch", type=int, default=4, help="batch size for the throughput run")
    parser.add_argument("--wait-ms", type=float, default=50.0, help="batch_wait_ms for the throughput run")
    parser.add_argument("--tasks", type=int, default=16, help="creates in each throughput run")
    parser.add_argument("--repeat", type=int, default=2, help="renders per operation (the median is reported)")
    parser.add_argument("--target-seconds", type=float, default=180.0,
                        help="length of the song timed against the <= 3 s target (ace-step only)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    missing = gpu_packages_missing()
    if missing:
        skip(f"the gpu extra is not installed (pip install 'openproducer[gpu]'); missing: {', '.join(missing)}")
    import torch

    if not torch.cuda.is_available() and args.device != "cpu":
        skip("no CUDA device here (this benchmark needs a GPU; --device cpu checks the plumbing only)")
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    memory = GpuMemory(torch, device)
    results: dict[str, Any] = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": platform.node(), "torch": torch.__version__,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "weights": "random tiny" if args.tiny else ("random full-size" if args.random_full_size else "configured"),
        "dtype": args.dtype, "seconds": args.seconds, "steps": args.steps, "engines": {},
    }
    print(f"device: {results['device']}  torch {torch.__version__}  steps {args.steps}  {args.seconds:.0f} s songs")
    with tempfile.TemporaryDirectory(prefix="gpu-bench-") as scratch:
        for name in ENGINES if args.engine == "all" else (args.engine,):
            folder = weights_for(name, args, Path(scratch))
            if folder is None:
                print(f"{name}: skipped: no weights (pass --{name} PATH, set "
                      f"{name.replace('-', '_')}.path, or use --random-full-size)")
                continue
            engine, load_s = load_engine(name, folder, args)
            print(f"{name}: loaded and warmed up in {load_s:.1f} s; can {', '.join(sorted(engine.capabilities))}")
            entry: dict[str, Any] = {"load_s": round(load_s, 1), "operations": time_operations(engine, memory, args)}
            if name == "ace-step":
                entry["target"] = target_song(engine, memory, args)
            entry["throughput"] = [throughput(engine, memory, args, 1), throughput(engine, memory, args, args.batch)]
            for row in entry["throughput"]:
                print(f"  creates, batch {row['batch']}: {row['tasks_per_min']:.1f} tasks/min "
                      f"({row['pipeline_calls']} pipeline calls), peak GPU {row['peak_gpu_gib']} GiB")
            results["engines"][name] = entry
            engine.close()
            del engine
            if device.type == "cuda":
                torch.cuda.empty_cache()
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
