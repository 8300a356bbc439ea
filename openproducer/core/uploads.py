"""Upload tasks: a user's audio becomes a clip that edits can build on."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from openproducer.audio import analyse, artwork, encode
from openproducer.audio.separate import DemucsSeparator
from openproducer.core.lease import Lease
from openproducer.core.outputs import ClipDraft
from openproducer.core.services import Services
from openproducer.engines.base import ClipMeta, EngineError
from openproducer.media import fetch
from openproducer.store.tables import Task

__all__ = ["UploadRejected", "import_audio", "import_upload", "load_separator"]

SAMPLE_RATE = 44100
_FALLBACK_BPM = 120.0
# Shorter than this is no usable parent (an edit's window is at least 1 s): a truncated file or a
# header with next to no samples behind it is refused rather than stored as a blip.
MIN_UPLOAD_SECONDS = 1.0


class UploadRejected(EngineError):
    """The fetched file is not audio we can use; the message says why."""


def import_upload(services: Services, task: Task, lease: Lease) -> ClipDraft:
    """The upload task's clip (queued uploads: Producer)."""
    return import_audio(services, task.params["audio_url"], task.clip_ids[0], task.api_key_id, task.id,
                        lambda percent, stage: lease.report(percent, stage))


def import_audio(
    services: Services, url: str, clip_id: str, api_key_id: int, task_id: str,
    report: Callable[[float, str], None] = lambda _percent, _stage: None,
) -> ClipDraft:
    """Fetch ``url`` (the SSRF-safe path, size and length limits), decode, analyse and split it:
    the draft of an uploaded clip. ``report(percent, stage)`` hears each stage."""
    settings = services.settings
    report(5, "fetching")
    try:
        fetched = fetch.fetch_url(
            url, max_bytes=settings.upload_max_bytes, timeout_s=settings.fetch_timeout_s,
            allow_private=settings.allow_private_urls, accept="audio",
        )
    except fetch.FetchError as exc:
        raise UploadRejected(f"audio_url: {exc}") from exc
    if encode.sniff_audio_kind(fetched.data[:65536]) is None:
        raise UploadRejected("audio_url: the file is not a recognised audio format")
    report(25, "decoding")
    with tempfile.TemporaryDirectory(prefix="op-upload-") as tmp:
        source = Path(tmp) / "source"
        source.write_bytes(fetched.data)
        try:
            audio = encode.decode_audio(source, sr=SAMPLE_RATE, max_seconds=settings.upload_max_seconds)
        except encode.AudioDecodeError as exc:
            raise UploadRejected(f"audio_url: {exc}") from exc
    if len(audio) < MIN_UPLOAD_SECONDS * SAMPLE_RATE:
        raise UploadRejected(
            f"audio_url: the audio is too short ({len(audio) / SAMPLE_RATE:.2f} s); "
            f"at least {MIN_UPLOAD_SECONDS:g} s is needed"
        )
    report(45, "analysing")
    found = analyse.analyse_audio(audio, SAMPLE_RATE)
    report(60, "separating")
    model = settings.separation_model
    stems = load_separator(model).split(audio, SAMPLE_RATE) if model else analyse.split_vocals(audio, SAMPLE_RATE)
    title = Path(urlsplit(url).path).stem[:80] or "Upload"
    notes = ["Uploaded audio: tempo, key and a rough vocal/accompaniment split were measured."]
    bpm = round(float(found.bpm), 2)
    if bpm <= 0:  # no steady pulse: edits still need a grid to compose on
        bpm = _FALLBACK_BPM
        notes.append(f"No steady beat was found; edits assume {_FALLBACK_BPM:g} bpm.")
    meta = ClipMeta(
        bpm=bpm, key=found.key, duration=len(audio) / SAMPLE_RATE,
        sections=list(found.sections),
        notes=notes,
        extra={"source_url_host": urlsplit(url).hostname or ""},
    )
    report(75, "finishing")
    return ClipDraft(
        clip_id=clip_id, api_key_id=api_key_id, task_id=task_id, source="upload",
        engine="upload", sample_rate=SAMPLE_RATE, mix=audio, stems=stems, score=None,
        meta=meta.to_dict(), cover_png=artwork.draw_cover(title, "uploaded audio", 0), title=title,
    )


@functools.cache
def load_separator(path: Path) -> DemucsSeparator:
    """One loaded separation model per worker process."""
    return DemucsSeparator(path)
