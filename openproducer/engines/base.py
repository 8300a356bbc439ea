"""The contract between the task runner and every music engine.

An engine turns an :class:`EngineRequest` into a :class:`RenderResult`: the
mastered mixdown, the stems it was made from, the symbolic score (when the
engine has one) and metadata. Engines never touch the database, storage or
HTTP; the runner (``openproducer.core.run``) loads parents, calls the engine,
splices edits onto the parent's samples and stores the outputs.

Conventions every engine follows:

* Audio is ``float32`` with shape ``(samples, 2)`` at ``RenderResult.sample_rate``.
* Stems are *pre-master*, at mix level: ``"instrumental"`` always, ``"vocals"``
  when the song has a vocal part. The mixdown is the master of their sum.
* The result of ``extend`` and ``replace`` is the *whole* song, time-aligned
  with the parent: sample ``i`` of the result corresponds to sample ``i`` of the
  parent before ``starts_at``; ``replace`` keeps the parent's length. The runner
  then copies the parent's own samples outside the edited window (with short
  crossfades), so engines need only be musically continuous there.
* The same request (seed included) gives bit-identical audio.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import numpy as np

from openproducer.audio.shape import as_stereo, fit_length

__all__ = [
    "ClipMeta",
    "Engine",
    "EngineError",
    "EngineRequest",
    "Operation",
    "OperationNotSupported",
    "ParentClip",
    "ProgressFn",
    "RenderResult",
    "Section",
    "guarded_render",
    "WordTiming",
]


class Operation(StrEnum):
    CREATE = "create"
    EXTEND = "extend"
    COVER = "cover"
    REPLACE = "replace"
    SWAP_VOCALS = "swap_vocals"
    SWAP_SOUND = "swap_sound"
    VARIATION = "variation"


class EngineError(Exception):
    """An engine could not produce audio; the task fails and is refunded."""


class OperationNotSupported(EngineError):
    """The engine cannot perform this operation; the registry routes elsewhere."""


@dataclass(frozen=True)
class Section:
    name: str  # "intro", "verse 1", "chorus", ...
    start: float  # seconds
    end: float


@dataclass(frozen=True)
class WordTiming:
    word: str
    start: float
    end: float


@dataclass
class ClipMeta:
    bpm: float
    key: str  # e.g. "A minor", "F# major"
    duration: float  # seconds
    time_signature: str = "4/4"
    sections: list[Section] = field(default_factory=list)
    lyrics_timing: list[WordTiming] = field(default_factory=list)
    has_vocals: bool = False
    # "sung" for a synthesised singer, "lead-instrument" when an instrument carries the melody.
    vocal_kind: str | None = None
    # Sentences worth telling the user ("the vocal stem is a lead instrument ...").
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bpm": self.bpm,
            "key": self.key,
            "duration": self.duration,
            "time_signature": self.time_signature,
            "sections": [vars(s) for s in self.sections],
            "lyrics_timing": [vars(w) for w in self.lyrics_timing],
            "has_vocals": self.has_vocals,
            "vocal_kind": self.vocal_kind,
            "notes": list(self.notes),
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClipMeta:
        return cls(
            bpm=float(data["bpm"]),
            key=str(data["key"]),
            duration=float(data["duration"]),
            time_signature=str(data.get("time_signature", "4/4")),
            sections=[Section(**s) for s in data.get("sections", [])],
            lyrics_timing=[WordTiming(**w) for w in data.get("lyrics_timing", [])],
            has_vocals=bool(data.get("has_vocals", False)),
            vocal_kind=data.get("vocal_kind"),
            notes=list(data.get("notes", [])),
            extra=dict(data.get("extra", {})),
        )


@dataclass
class ParentClip:
    """A clip an edit builds on, as the runner loads it from storage."""

    clip_id: str
    sample_rate: int
    audio: np.ndarray  # the final (mastered) mix, (samples, 2) float32
    stems: dict[str, np.ndarray]
    score: dict[str, Any] | None  # the engine's symbolic score; None for uploads
    meta: ClipMeta
    engine: str  # the engine that made it; "upload" for uploaded audio
    sound: str = ""
    lyrics: str = ""
    seed: int = 0
    # Where this clip's own part begins in ``audio`` (seconds). A clip made by extending with
    # "new part only" (Sonic's extend) keeps the whole song it belongs to, so it can be
    # concatenated and extended again; its own part is ``audio[offset:]``.
    offset: float = 0.0

    def vocal_parts(self) -> dict[str, np.ndarray]:
        """``vocals`` and ``instrumental``, each (samples, 2) as long as the mix, for the swaps.

        The stored stems when the clip has both; silence for vocals when it has none; otherwise a
        split of the mix (REPET-SIM), made here because the neural engines store a sung song
        without stems rather than make every create wait for a split few clips ever need.
        """
        n = len(self.audio)
        if "vocals" in self.stems and "instrumental" in self.stems:
            return {name: fit_length(as_stereo(self.stems[name]), n) for name in ("vocals", "instrumental")}
        if not self.meta.has_vocals:
            instrumental = fit_length(as_stereo(self.stems.get("instrumental", self.audio)), n)
            return {"vocals": np.zeros_like(instrumental), "instrumental": instrumental}
        from openproducer.audio.analyse import split_vocals  # librosa: imported only when a split is needed

        return split_vocals(as_stereo(self.audio), self.sample_rate)


@dataclass
class EngineRequest:
    operation: Operation
    sound: str = ""
    lyrics: str = ""
    title: str = ""
    make_instrumental: bool = False
    seed: int = 0
    bpm: float | None = None
    # create: target song length; extend: seconds to add after starts_at.
    length: float | None = None
    lyrics_strength: float = 0.5
    sound_strength: float = 0.5
    weirdness: float = 0.5
    cover_strength: float = 0.5
    starts_at: float | None = None
    ends_at: float | None = None
    instruction: str = ""
    profile: str = "full"  # arrangement profile chosen by the mv registry
    mastered: bool = True  # False for "FUZZ-2.0 Raw"
    parent: ParentClip | None = None
    # Instruments and traits to leave out (Sonic's negative_tags), as lower-case words.
    avoid: tuple[str, ...] = ()
    # The singer asked for: {"gender": "female"|"male", "low": midi, "high": midi, "timbre": {word: amount}};
    # any key may be missing (a vocal_gender alone gives only "gender").
    voice: dict[str, Any] | None = None
    # A form to lay a new song out in: (section name, seconds) in order (Nuro's segments); None: the
    # engine's own form. Only the composer lays songs out in sections; the neural engines ignore it.
    form: list[tuple[str, float]] | None = None


@dataclass
class RenderResult:
    sample_rate: int
    mix: np.ndarray  # (samples, 2) float32, mastered unless the request said not to
    stems: dict[str, np.ndarray]
    score: dict[str, Any] | None
    meta: ClipMeta


# progress(fraction in [0, 1], stage name) -- called from the engine as it works.
ProgressFn = Callable[[float, str], None]


@runtime_checkable
class Engine(Protocol):
    name: str
    capabilities: frozenset[Operation]

    def load(self) -> None:
        """Load soundfonts, weights, caches. Called once per worker before any render."""

    def render(self, request: EngineRequest, progress: ProgressFn) -> RenderResult:
        """Perform ``request.operation``. Raises EngineError (or a subclass) on failure."""

    def close(self) -> None:
        """Release what load() took."""


# Library errors an engine turns into EngineError (the task then fails with a refund).
_WRAPPED_ERRORS = (RuntimeError, ValueError, KeyError, IndexError, TypeError)


def guarded_render(
    engine: Engine,
    request: EngineRequest,
    progress: ProgressFn,
    render_op: Callable[[Operation, EngineRequest, ProgressFn], RenderResult],
) -> RenderResult:
    """The checks every ``Engine.render`` makes before its own work, and the wrapping of library
    errors into EngineError at the engine's edge."""
    op = Operation(request.operation)
    if op not in engine.capabilities:
        raise OperationNotSupported(f"{engine.name} cannot {op.value.replace('_', ' ')}")
    if op is not Operation.CREATE and request.parent is None:
        raise EngineError(f"{op} needs a parent clip")
    try:
        return render_op(op, request, progress)
    except EngineError:
        raise
    except _WRAPPED_ERRORS as exc:
        raise EngineError(f"{engine.name} failed to {op}: {exc}") from exc
