"""The Sonic helper routes (``/api/v1/sonic/...``): stems, WAV, MIDI, word timings, tempo, vocal
segments, tag expansion, voices, mashups, section replacement, samples and one-shot uploads; the
share links of clips (``/api/v1/clips/{id}/share``), ``/suno/get-song`` and the public share page.

Answer shapes are the official client's (``sibling-contract.md`` §3.3-3.10): most are exact key sets.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from openproducer.api.deps import ApiKeyId, RateLimitedKeyId, ServicesDep, call_db
from openproducer.api.origin import request_origin
from openproducer.api.routes.tasks import ERRORS, IdempotencyKey, submit_body, task_header
from openproducer.api.schemas import ErrorPublic, TaskAccepted
from openproducer.core import clip_tools, shares
from openproducer.core.errors import InvalidParameter
from openproducer.core.submit import submit
from openproducer.families.base import with_origin
from openproducer.families.sonic import SONIC
from openproducer.families.sonic_helpers import (
    ClipOnly,
    CreateVoice,
    GetSong,
    Mashup,
    ReplaceSection,
    Sample,
    UploadCover,
    UploadExtend,
    UploadUrl,
    UpsampleTags,
    Vox,
)

router = APIRouter(tags=["sonic"])
public = APIRouter(tags=["share"])


def _origin(request: Request, services: Any) -> str:
    return request_origin(request.scope, services.settings)


def _ok(done: tuple[str | None, Any], request: Request, services: Any) -> JSONResponse:
    """``{code, data, message}`` of a synchronous task ``done`` = (task id, data), with media paths made
    URLs on the origin the client used; the task is named in ``X-Task-Id``."""
    task_id, data = done
    return JSONResponse({"code": 200, "data": with_origin(data, _origin(request, services)), "message": "success"},
                        headers=task_header(task_id))


# --- stems (tasks) ---------------------------------------------------------------------------------
@router.post("/sonic/stems/basic", response_model=TaskAccepted, responses=ERRORS)
def stems_basic(body: ClipOnly, services: ServicesDep, api_key_id: RateLimitedKeyId,
                idempotency_key: IdempotencyKey = None):
    """Vocals and instrumental as two clips (exact for composer songs); poll ``/sonic/task/{task_id}``."""
    return submit_body(services, api_key_id, SONIC, "stems_basic", body, idempotency_key)


@router.post("/sonic/stems/full", response_model=TaskAccepted, responses=ERRORS)
def stems_full(body: ClipOnly, services: ServicesDep, api_key_id: RateLimitedKeyId,
               idempotency_key: IdempotencyKey = None):
    """One clip per instrument group (drums, bass, keys, guitar, strings, …, vocals); each says how it was made."""
    return submit_body(services, api_key_id, SONIC, "stems_full", body, idempotency_key)


# --- synchronous clip tools ------------------------------------------------------------------------
@router.post("/sonic/wav", responses=ERRORS)
def wav(body: ClipOnly, request: Request, services: ServicesDep, api_key_id: RateLimitedKeyId,
        idempotency_key: IdempotencyKey = None):
    """``{message, data: {wav_url}}``: the clip's lossless WAV."""
    task_id, data = clip_tools.wav(services, api_key_id, body.fields(), idempotency_key)
    return JSONResponse({"message": "success", "data": with_origin(data, _origin(request, services))},
                        headers=task_header(task_id))


@router.post("/sonic/upload", responses=ERRORS)
def upload(body: UploadUrl, services: ServicesDep, api_key_id: RateLimitedKeyId,
           idempotency_key: IdempotencyKey = None):
    """Import audio from a public URL at once: ``{code, clip_id, message}`` (use it with *_upload_music)."""
    task_id, clip_id = clip_tools.upload(services, api_key_id, body.fields(), idempotency_key)
    return JSONResponse({"code": 200, "clip_id": clip_id, "message": "success"}, headers=task_header(task_id))


@router.post("/sonic/midi", responses=ERRORS)
def midi(body: ClipOnly, request: Request, services: ServicesDep, api_key_id: RateLimitedKeyId,
         idempotency_key: IdempotencyKey = None):
    """``{code, data: {midi_url, instruments, source}, message}``: the score, or a transcription."""
    return _ok(clip_tools.clip_midi(services, api_key_id, body.fields(), idempotency_key), request, services)


@router.post("/sonic/aligned-lyrics", responses=ERRORS)
def aligned_lyrics(body: ClipOnly, request: Request, services: ServicesDep, api_key_id: RateLimitedKeyId,
                   idempotency_key: IdempotencyKey = None):
    """Word timings ``{word, start_s, end_s, success, p_align}``; 1 credit the first time per clip."""
    return _ok(clip_tools.aligned_lyrics(services, api_key_id, body.fields(), idempotency_key), request, services)


@router.post("/sonic/bpm", responses=ERRORS)
def bpm(body: ClipOnly, request: Request, services: ServicesDep, api_key_id: RateLimitedKeyId,
        idempotency_key: IdempotencyKey = None):
    """``{code, message, data: {avg_bpm, max_bpm, min_bpm}}`` measured from the audio."""
    task_id, data = clip_tools.clip_bpm(services, api_key_id, body.fields(), idempotency_key)
    return JSONResponse({"code": 200, "message": "success", "data": data}, headers=task_header(task_id))


@router.post("/sonic/vox", responses=ERRORS)
def vox(body: Vox, request: Request, services: ServicesDep, api_key_id: RateLimitedKeyId,
        idempotency_key: IdempotencyKey = None):
    """The vocal between vocal_start_s and vocal_end_s (at most 30 s) as a new clip."""
    return _ok(clip_tools.vox(services, api_key_id, body.fields(), idempotency_key), request, services)


@router.post("/sonic/upsample-tags", responses=ERRORS)
def upsample_tags(body: UpsampleTags, services: ServicesDep, api_key_id: RateLimitedKeyId,
                  idempotency_key: IdempotencyKey = None):
    """A short style expanded with the composer's lexicon: ``{code, message, data: {upsampled_tags}}``."""
    task_id, text = clip_tools.upsample_tags(services, api_key_id, body.fields(), idempotency_key)
    return JSONResponse({"code": 200, "message": "success", "data": {"upsampled_tags": text}},
                        headers=task_header(task_id))


# --- generating tasks ------------------------------------------------------------------------------
@router.post("/sonic/create-voice", response_model=TaskAccepted, responses=ERRORS)
def create_voice(body: CreateVoice, services: ServicesDep, api_key_id: RateLimitedKeyId,
                 idempotency_key: IdempotencyKey = None):
    """A persona measured from a recording of one singer. Poll ``/sonic/task/{task_id}``: when done,
    ``data[0].clip_id`` (and ``data[0].persona_id``) is the persona id for ``persona_music``."""
    return submit_body(services, api_key_id, SONIC, "create_voice", body, idempotency_key)


@router.post("/sonic/mashup", response_model=TaskAccepted, responses=ERRORS)
def mashup(body: Mashup, services: ServicesDep, api_key_id: RateLimitedKeyId, idempotency_key: IdempotencyKey = None):
    """The first clip's melody and words over the second clip's arrangement, in its key and tempo."""
    return submit_body(services, api_key_id, SONIC, "mashup", body, idempotency_key)


@router.post("/sonic/replace-section", response_model=TaskAccepted, responses=ERRORS)
def replace_section(body: ReplaceSection, services: ServicesDep, api_key_id: RateLimitedKeyId,
                    idempotency_key: IdempotencyKey = None):
    """New music (and ``infill_lyrics``) between infill_start_s and infill_end_s; the rest is kept."""
    return submit_body(services, api_key_id, SONIC, "replace_section", body, idempotency_key)


@router.post("/sonic/sample", responses=ERRORS)
def sample(body: Sample, services: ServicesDep, api_key_id: RateLimitedKeyId,
           idempotency_key: IdempotencyKey = None):
    """A song around a chopped sample (``sample_clip_id``, or ``url``: uploaded first, as a step)."""
    fields = body.fields()
    if bool(fields.get("url")) == bool(fields.get("sample_clip_id")):
        raise InvalidParameter("url", "give exactly one of url and sample_clip_id")
    if fields.get("url"):
        status, answer = clip_tools.upload_then(services, api_key_id, {k: v for k, v in fields.items()
                                                                       if k != "sample_clip_id"},
                                                "sample", "sample", "sample_clip_id", idempotency_key)
        return JSONResponse(answer, status_code=status)
    task_id = submit(services, api_key_id, SONIC, "sample", fields, idempotency_key)
    warning = body.warning()
    return JSONResponse({"code": 200, "message": "success", "task_id": task_id, **({"warning": warning} if warning
                                                                                    else {})})


@router.post("/sonic/upload-cover", responses=ERRORS)
def upload_cover(body: UploadCover, services: ServicesDep, api_key_id: RateLimitedKeyId,
                 idempotency_key: IdempotencyKey = None):
    """Upload ``url``, then cover it: ``{code, message, steps, task_id}`` (``failed_step`` if one failed)."""
    status, answer = clip_tools.upload_then(services, api_key_id, body.fields(), "cover", "upload_cover",
                                            "continue_clip_id", idempotency_key)
    return JSONResponse(answer, status_code=status)


@router.post("/sonic/upload-extend", responses=ERRORS)
def upload_extend(body: UploadExtend, services: ServicesDep, api_key_id: RateLimitedKeyId,
                  idempotency_key: IdempotencyKey = None):
    """Upload ``url``, then extend it from ``continue_at`` (the whole song unless auto_concat is false)."""
    status, answer = clip_tools.upload_then(services, api_key_id, body.fields(), "extend", "upload_extend",
                                            "continue_clip_id", idempotency_key)
    return JSONResponse(answer, status_code=status)


# --- share links -----------------------------------------------------------------------------------
@router.post("/suno/get-song", responses={400: {"model": ErrorPublic}, 401: {"model": ErrorPublic},
                                          404: {"model": ErrorPublic}})
async def get_song(body: GetSong, request: Request, services: ServicesDep, api_key_id: ApiKeyId):
    """A share link of this server -> ``{audio_url, video_url, cover_image, song_title, song_author,
    music_styles}``. Free. Links to other hosts are refused (nothing is fetched from elsewhere)."""
    return JSONResponse(await call_db(services, shares.resolve_link, services, body.share_link,
                                      _origin(request, services)))


@router.post("/clips/{clip_id}/share", responses=ERRORS)
async def share_clip(clip_id: str, request: Request, services: ServicesDep, api_key_id: ApiKeyId,
                     author: str = Body("", embed=True, max_length=80)):
    """Opt a clip in to a public share page: ``{clip_id, share_url, token, author, created_at}``
    (``author`` is shown on the page). Sharing a shared clip returns its current link."""
    return JSONResponse(await call_db(services, shares.share, services, api_key_id, clip_id, author,
                                      _origin(request, services)))


@router.get("/clips/{clip_id}/share", responses={401: {"model": ErrorPublic}, 404: {"model": ErrorPublic}})
async def get_share(clip_id: str, request: Request, services: ServicesDep, api_key_id: ApiKeyId):
    """The clip's current share link (404 when it is not shared)."""
    return JSONResponse(await call_db(services, shares.active_share, services, api_key_id, clip_id,
                                      _origin(request, services)))


@router.delete("/clips/{clip_id}/share", responses={401: {"model": ErrorPublic}, 404: {"model": ErrorPublic}})
async def revoke_share(clip_id: str, services: ServicesDep, api_key_id: ApiKeyId):
    """Revoke the clip's share: ``{clip_id, revoked}``; its page and shared files answer 404 from now on."""
    return JSONResponse(await call_db(services, shares.revoke, services, api_key_id, clip_id))


@router.api_route("/clips/{clip_id}/share", methods=["OPTIONS", "PUT", "PATCH", "HEAD", "TRACE"],
                  include_in_schema=False)
async def share_other_methods(clip_id: str) -> Response:
    """Three routes share this path; a method none of them has hears all three in ``Allow``
    (otherwise the first route's 405 would name only its own)."""
    return JSONResponse({"code": 405, "type": "method_not_allowed", "error": "Method Not Allowed"},
                        status_code=405, headers={"Allow": "GET, POST, DELETE"})


_HTML = {200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "the share page"},
         404: {"model": ErrorPublic, "description": "no such share, or it was revoked"}}


@public.get("/share/{token}", responses=_HTML)
async def share_page(token: str, request: Request, services: ServicesDep) -> HTMLResponse:
    """The public page of a shared clip."""
    view = await call_db(services, shares.share_view, services, token, _origin(request, services))
    return HTMLResponse(shares.page_html(view), headers={"Cache-Control": "no-store"})


@public.head("/share/{token}/{name}", include_in_schema=False)
@public.get("/share/{token}/{name}", response_class=FileResponse, responses={404: {"model": ErrorPublic}})
async def share_file(token: str, name: str, services: ServicesDep) -> Response:
    """A shared clip's audio.mp3, audio.wav, cover.png or video.mp4, while the share lasts."""
    import mimetypes

    key, local = await call_db(services, shares.share_file, services, token, name)
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if local is not None:
        return FileResponse(local, media_type=media_type, headers={"Cache-Control": "no-store"})
    presign = getattr(services.blobs, "presigned_url", None)
    if presign is not None:
        return RedirectResponse(presign(key, media_type), status_code=307)
    return Response(services.blobs.get_bytes(key), media_type=media_type)
