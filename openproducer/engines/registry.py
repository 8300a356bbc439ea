"""Engines by name. A worker loads each engine once, on first use, and keeps it resident.

An operation an engine cannot perform (not in its ``capabilities``, or refused at render time
with OperationNotSupported) goes to the engine's configured fallback (``ace_step.fallback``,
``stable_audio_3.fallback``; "composer" by default). Nothing here imports torch: the neural
engines are imported inside their factories.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from openproducer.core.config import NeuralEngineSettings, Settings
from openproducer.engines.base import (
    Engine,
    EngineError,
    EngineRequest,
    Operation,
    OperationNotSupported,
    ProgressFn,
    RenderResult,
)

__all__ = ["ENGINE_FACTORIES", "EngineNotAvailable", "EngineRegistry", "EngineStatus", "engine_status"]


class EngineNotAvailable(EngineError):
    """No engine of that name is installed or configured on this worker."""


def _composer(settings: Settings) -> Engine:
    from openproducer.engines.composer.engine import ComposerEngine

    return ComposerEngine(soundfont=settings.composer.soundfont)


def _ace_step(settings: Settings) -> Engine:
    from openproducer.engines.neural.ace_step import AceStepEngine

    return AceStepEngine(settings.ace_step)


def _stable_audio_3(settings: Settings) -> Engine:
    from openproducer.engines.neural.stable_audio import StableAudio3Engine

    return StableAudio3Engine(settings.stable_audio_3)


# The one place engines are registered: name -> factory(settings).
ENGINE_FACTORIES: dict[str, Callable[[Settings], Engine]] = {
    "composer": _composer,
    "ace-step": _ace_step,
    "stable-audio-3": _stable_audio_3,
}


def _neural_settings(settings: Settings, name: str) -> NeuralEngineSettings | None:
    return {"ace-step": settings.ace_step, "stable-audio-3": settings.stable_audio_3}.get(name)


@dataclass(frozen=True)
class EngineStatus:
    name: str
    configured: bool
    available: bool
    reason: str | None = None  # why it is not available
    fallback: str | None = None


def engine_status(settings: Settings, name: str) -> EngineStatus:
    """Whether ``name`` can be served here, from settings and the file system alone (nothing is loaded)."""
    if name == "composer":
        return EngineStatus(name, configured=True, available=True)
    neural = _neural_settings(settings, name)
    if neural is None:
        return EngineStatus(name, configured=False, available=False, reason="no such engine")
    from openproducer.engines.neural.weights import WeightsError, check_weights, gpu_packages_missing

    if neural.path is None:
        return EngineStatus(name, configured=False, available=False, fallback=neural.fallback or None,
                            reason="not configured (no weights path)")
    try:
        check_weights(name, neural.path, neural.allow_download)
    except WeightsError as exc:
        return EngineStatus(name, configured=True, available=False, fallback=neural.fallback or None,
                            reason=str(exc))
    missing = gpu_packages_missing()
    if missing:
        return EngineStatus(name, configured=True, available=False, fallback=neural.fallback or None,
                            reason="the gpu extra is not installed (missing " + ", ".join(missing) + ")")
    return EngineStatus(name, configured=True, available=True, fallback=neural.fallback or None)


class EngineRegistry:
    def __init__(self, settings: Settings, factories: dict[str, Callable[[Settings], Engine]] | None = None):
        self._settings = settings
        self._factories = dict(ENGINE_FACTORIES if factories is None else factories)
        self._loaded: dict[str, Engine] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        return sorted(self._factories)

    def get(self, name: str) -> Engine:
        with self._lock:
            engine = self._loaded.get(name)
            if engine is None:
                factory = self._factories.get(name)
                if factory is None:
                    raise EngineNotAvailable(f"engine {name!r} is not available on this worker")
                engine = factory(self._settings)
                engine.load()
                self._loaded[name] = engine
            return engine

    def fallback_of(self, name: str) -> str | None:
        """The engine that performs what ``name`` cannot (None: no fallback)."""
        neural = _neural_settings(self._settings, name)
        return (neural.fallback or None) if neural is not None else None

    def for_operation(self, name: str, operation: Operation) -> Engine:
        """Engine ``name`` when it can perform ``operation``, else the first fallback along its chain that can."""
        engine = self.get(name)
        tried = [name]
        while Operation(operation) not in engine.capabilities:
            fallback = self.fallback_of(engine.name)
            if fallback is None or fallback in tried:
                raise OperationNotSupported(f"no engine here can {Operation(operation).value} "
                                            f"(tried {', '.join(tried)})")
            tried.append(fallback)
            engine = self.get(fallback)
        return engine

    def render(self, name: str, request: EngineRequest, progress: ProgressFn) -> tuple[Engine, RenderResult]:
        """Render with ``name`` or, for what it cannot do, its fallback; (the engine that did it, result)."""
        engine = self.for_operation(name, request.operation)
        try:
            result = engine.render(request, progress)
        except OperationNotSupported as exc:  # refused for this request (e.g. lyrics for an instrumental model)
            fallback = self.fallback_of(engine.name)
            if fallback is None or fallback == name:
                raise
            why = str(exc)
            engine = self.for_operation(fallback, request.operation)
            result = engine.render(request, progress)
            result.meta.notes.append(f"The {engine.name} engine made this clip: {why}.")
            return engine, result
        if engine.name != name:
            result.meta.notes.append(f"The {engine.name} engine made this clip: {name} cannot "
                                     f"{Operation(request.operation).value.replace('_', ' ')} on this server.")
        return engine, result

    def close(self) -> None:
        with self._lock:
            for engine in self._loaded.values():
                engine.close()
            self._loaded.clear()
