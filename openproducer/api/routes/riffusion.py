"""/api/v1/riffusion/*: FUZZ-1.x songs, two clips a task, and synchronous uploads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from openproducer.api.deps import ApiKeyId, RateLimitedKeyId, ServicesDep
from openproducer.api.routes.tasks import ERRORS, IdempotencyKey, answer_poll, submit_body, task_header
from openproducer.api.schemas import ErrorPublic, TaskAccepted
from openproducer.core.instant import upload_now
from openproducer.families.riffusion import (
    RIFFUSION,
    RiffusionCreate,
    RiffusionDone,
    RiffusionFailed,
    RiffusionNotReady,
    RiffusionUpload,
)

router = APIRouter(prefix="/riffusion", tags=["riffusion"])


@router.post("/create", response_model=TaskAccepted, responses=ERRORS)
def create(body: RiffusionCreate, services: ServicesDep, api_key_id: RateLimitedKeyId,
           idempotency_key: IdempotencyKey = None):
    """Submit any of the eleven Riffusion task types; two clips a task. Poll ``/riffusion/task/{task_id}``."""
    return submit_body(services, api_key_id, RIFFUSION, body.task_type, body, idempotency_key, {"task_type"})


@router.get(
    "/task/{task_id}",
    responses={
        200: {"model": RiffusionDone | RiffusionFailed, "description": "both clips finished, or the task failed"},
        202: {"model": RiffusionNotReady, "description": "a clip is still queued or running"},
        401: {"model": ErrorPublic},
        404: {"model": ErrorPublic},
    },
)
async def get_task(task_id: str, request: Request, services: ServicesDep, api_key_id: ApiKeyId) -> Response:
    """Free. 202 until both clips have finished; then 200 with ``code`` 200 and the clips."""
    return await answer_poll(request, services, api_key_id, task_id, RIFFUSION.name)


@router.post("/upload", responses=ERRORS)
def upload(body: RiffusionUpload, services: ServicesDep, api_key_id: RateLimitedKeyId,
           idempotency_key: IdempotencyKey = None):
    """Import audio from an http(s) URL at once: ``{code, clip_id, message}``; edit it with ``continue_clip_id``."""
    task_id, clip_id = upload_now(services, api_key_id, RIFFUSION, "upload", body.fields(), body.url,
                                  idempotency_key)
    return JSONResponse({"code": 200, "clip_id": clip_id, "message": "success"}, headers=task_header(task_id))
