"""/api/v1/sonic/* and its older spelling /api/v1/suno/*: songs, lyrics, personas."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from openproducer.api.deps import ApiKeyId, RateLimitedKeyId, ServicesDep, call_db
from openproducer.api.routes.tasks import ERRORS, IdempotencyKey, answer_poll, submit_body, task_header
from openproducer.api.schemas import ErrorPublic, TaskAccepted
from openproducer.core import sonic_tools
from openproducer.core.submit import submit
from openproducer.families.sonic import (
    SONIC,
    SonicCreate,
    SonicDone,
    SonicFailed,
    SonicLyricsCreate,
    SonicMakeLyrics,
    SonicNotReady,
    SonicPersonaCreate,
)

router = APIRouter(tags=["sonic"])

_POLL_RESPONSES = {
    200: {"model": SonicDone | SonicFailed, "description": "every clip finished, or the task failed"},
    202: {"model": SonicNotReady, "description": "a clip is still queued or running"},
    401: {"model": ErrorPublic},
    404: {"model": ErrorPublic},
}


@router.post("/sonic/create", response_model=TaskAccepted, responses=ERRORS)
@router.post("/suno/create", response_model=TaskAccepted, responses=ERRORS)
def create(body: SonicCreate, services: ServicesDep, api_key_id: RateLimitedKeyId,
           idempotency_key: IdempotencyKey = None):
    """Submit any Sonic task type; two clips a task (concat: one). Poll ``/sonic/task/{task_id}``."""
    return submit_body(services, api_key_id, SONIC, body.task_type, body, idempotency_key, {"task_type"})


@router.get("/sonic/task/{task_id}", responses=_POLL_RESPONSES)
@router.get("/suno/clip/{task_id}", responses=_POLL_RESPONSES)
@router.get("/suno/task/{task_id}", responses=_POLL_RESPONSES)
async def get_task(task_id: str, request: Request, services: ServicesDep, api_key_id: ApiKeyId) -> Response:
    """Free. 202 until every clip has finished; then 200 with ``code`` 200 and the clips."""
    return await answer_poll(request, services, api_key_id, task_id, SONIC.name)


@router.post("/sonic/lyrics", responses=ERRORS)
def lyrics(body: SonicLyricsCreate, services: ServicesDep, api_key_id: RateLimitedKeyId,
           idempotency_key: IdempotencyKey = None):
    """Two titled lyric sheets for a description, at once: ``{code, results: [{title, lyrics}], message}``."""
    task_id, results = sonic_tools.write_two_sheets(services, api_key_id, body.fields(), idempotency_key)
    return JSONResponse({"code": 200, "results": results, "message": "success"}, headers=task_header(task_id))


@router.post("/sonic/persona", responses=ERRORS)
def persona(body: SonicPersonaCreate, services: ServicesDep, api_key_id: RateLimitedKeyId,
            idempotency_key: IdempotencyKey = None):
    """A voice-and-style persona from a clip: ``{code, persona_id, message}``; use it as ``persona_id``."""
    task_id, persona_id = sonic_tools.create_persona(services, api_key_id, body.fields(), idempotency_key)
    return JSONResponse({"code": 200, "persona_id": persona_id, "message": "success"}, headers=task_header(task_id))


@router.post("/suno/make-lyrics", responses=ERRORS)
def make_lyrics(body: SonicMakeLyrics, services: ServicesDep, api_key_id: RateLimitedKeyId,
                idempotency_key: IdempotencyKey = None):
    """The older asynchronous lyrics call: ``{code, data: {task_id}, message}``; read it at get-lyrics."""
    task_id = submit(services, api_key_id, SONIC, "make_lyrics", body.fields(), idempotency_key)
    return JSONResponse({"code": 200, "data": {"task_id": task_id}, "message": "success"})


@router.get("/suno/get-lyrics/{task_id}", responses={401: {"model": ErrorPublic}, 404: {"model": ErrorPublic}})
async def get_lyrics(task_id: str, services: ServicesDep, api_key_id: ApiKeyId):
    """Free. ``data.status`` is "processing" until the sheet is written, then "completed"."""
    return JSONResponse(await call_db(services, sonic_tools.lyrics_job, services, api_key_id, task_id))
