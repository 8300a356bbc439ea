"""Engines by name. A worker loads each engine once, on first use, and keeps it resident."""

from __future__ import annotations

import threading
from collections.abc import Callable

from openproducer.core.config import Settings
from openproducer.engines.base import Engine, EngineError

__all__ = ["ENGINE_FACTORIES", "EngineNotAvailable", "EngineRegistry"]


class EngineNotAvailable(EngineError):
    """No engine of that name is installed or configured on this worker."""


def _composer(settings: Settings) -> Engine:
    from openproducer.engines.composer.engine import ComposerEngine

    return ComposerEngine(soundfont=settings.composer.soundfont)


# The one place engines are registered: name -> factory(settings).
ENGINE_FACTORIES: dict[str, Callable[[Settings], Engine]] = {"composer": _composer}


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

    def close(self) -> None:
        with self._lock:
            for engine in self._loaded.values():
                engine.close()
            self._loaded.clear()
