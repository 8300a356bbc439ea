"""Vocal/accompaniment split of uploads with a Demucs model from a local file (optional extra).

Without it, uploads are split by REPET-SIM (``analyse.split_vocals``). With
``separation_model`` set to a Demucs model file (as Demucs saves them: a torch package of class,
arguments and weights; the operator puts it there, nothing is downloaded), uploads are split by
the model: "vocals" is the model's vocals source, "instrumental" the rest, so the two stems
always sum back to the upload exactly.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from openproducer.engines.base import EngineError

__all__ = ["DemucsSeparator", "SeparationUnavailable"]


class SeparationUnavailable(EngineError):
    """The configured model cannot be used; the message says why."""


class DemucsSeparator:
    def __init__(self, path: Path) -> None:
        if not Path(path).is_file():
            raise SeparationUnavailable(f"separation_model: no model file at {path}")
        try:
            import torch  # noqa: F401 - the extra's presence is checked here, at start-up
            from demucs.apply import apply_model
            from demucs.states import load_model
        except ImportError as exc:
            raise SeparationUnavailable(
                "separation_model is set but the 'separation' extra is not installed "
                "(pip install openproducer[separation])"
            ) from exc
        self._apply = apply_model
        self.model = load_model(str(path))
        self.model.eval()
        if "vocals" not in self.model.sources:
            raise SeparationUnavailable(f"separation_model: the model has no 'vocals' source ({self.model.sources})")
        self._lock = threading.Lock()  # one model, one forward pass at a time

    def split(self, audio: np.ndarray, sr: int) -> dict[str, np.ndarray]:
        """{"vocals", "instrumental"}, stereo float32 at ``sr``, same length as ``audio``."""
        vocals = self.split_sources(audio, sr)["vocals"]
        return {"vocals": vocals, "instrumental": (audio - vocals).astype(np.float32)}

    def split_sources(self, audio: np.ndarray, sr: int) -> dict[str, np.ndarray]:
        """Every source of the model (drums, bass, other, vocals, …), stereo float32 at ``sr``; what
        the model leaves over goes to its last non-vocal source, so they sum back to ``audio``."""
        import torch
        from scipy.signal import resample_poly

        model_sr = int(self.model.samplerate)
        x = audio.T.astype(np.float32)
        if model_sr != sr:
            x = resample_poly(x, model_sr, sr, axis=1).astype(np.float32)
        with self._lock, torch.no_grad():
            sources = self._apply(self.model, torch.from_numpy(x)[None], split=True, overlap=0.25, progress=False)
        out: dict[str, np.ndarray] = {}
        for index, name in enumerate(self.model.sources):
            source = sources[0, index].numpy()
            if model_sr != sr:
                source = resample_poly(source, sr, model_sr, axis=1)
            out[name] = np.ascontiguousarray(_fit(source, audio.shape[0]).T, dtype=np.float32)
        rest = next((name for name in reversed(self.model.sources) if name != "vocals"), None)
        if rest is not None:
            out[rest] += (audio - sum(out.values())).astype(np.float32)
        return out


def _fit(planar: np.ndarray, n: int) -> np.ndarray:
    if planar.shape[1] >= n:
        return planar[:, :n]
    return np.pad(planar, ((0, 0), (0, n - planar.shape[1])))
