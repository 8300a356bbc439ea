"""/api/v1/studio/*: the client's ``studio`` resource (two songs a task, a nested poll).

Not the web page at ``/studio``: these routes live under ``/api/v1``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from openproducer.api.deps import ApiKeyId, RateLimitedKeyId, ServicesDep
from openproducer.api.routes.tasks import ERRORS, IdempotencyKey, answer_poll
from openproducer.api.schemas import ErrorPublic
from openproducer.core.submit import submit
from openproducer.families.requests import unknown_fields_warning
from openproducer.families.studio import STUDIO, StudioCreate, StudioDone, StudioFailed, StudioNotReady

router = APIRouter(prefix="/studio", tags=["studio"])


@router.post("/create", responses=ERRORS)
def create(body: StudioCreate, services: ServicesDep, api_key_id: RateLimitedKeyId,
           idempotency_key: IdempotencyKey = None):
    """Submit a song (two a task, 15 credits): ``{code, data: <task_id>, message}``; poll ``/studio/task/{data}``."""
    task_id = submit(services, api_key_id, STUDIO, "create_music", body.fields(), idempotency_key)
    answer = {"code": 200, "data": task_id, "message": "success"}
    ignored = [*(body.model_extra or {}), *(f"config.{k}" for k in body.config if k != "mode")]
    warning = unknown_fields_warning(StudioCreate, ignored)
    if warning:
        answer["warning"] = warning
    return JSONResponse(answer)


@router.get(
    "/task/{task_id}",
    responses={
        200: {"model": StudioDone, "description": "both songs finished: data.status SUCCESS"},
        202: {"model": StudioNotReady, "description": "data.status NOT_START or IN_PROGRESS"},
        424: {"model": StudioFailed, "description": "the task failed (credits refunded): type and error say why"},
        401: {"model": ErrorPublic},
        404: {"model": ErrorPublic},
    },
)
async def get_task(task_id: str, request: Request, services: ServicesDep, api_key_id: ApiKeyId) -> Response:
    """Free. 202 while ``data.status`` is NOT_START or IN_PROGRESS; 200 at SUCCESS; 424 when it failed."""
    return await answer_poll(request, services, api_key_id, task_id, STUDIO.name)
