"""/api/v1/producer/*: submit tasks and poll them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response

from openproducer.api.deps import ApiKeyId, RateLimitedKeyId, ServicesDep, call_db
from openproducer.api.schemas import (
    DownloadCreate,
    ErrorPublic,
    ProducerCreate,
    TaskAccepted,
    TaskDone,
    TaskFailed,
    TaskNotReady,
    UploadCreate,
)
from openproducer.core.submit import submit

router = APIRouter(prefix="/producer", tags=["producer"])

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
_ERRORS = {code: {"model": ErrorPublic} for code in (400, 401, 403, 404, 413, 429, 503)}


@router.post("/create", response_model=TaskAccepted, responses=_ERRORS)
def create(
    body: ProducerCreate, services: ServicesDep, api_key_id: RateLimitedKeyId, idempotency_key: IdempotencyKey = None
):
    """Submit any of the nine producer task types; poll the returned ``task_id``."""
    fields = body.model_dump(exclude={"task_type"})
    task_id = submit(services, api_key_id, body.task_type, fields, idempotency_key)
    return TaskAccepted(task_id=task_id)


@router.post("/upload", response_model=TaskAccepted, responses=_ERRORS)
def upload(
    body: UploadCreate, services: ServicesDep, api_key_id: RateLimitedKeyId, idempotency_key: IdempotencyKey = None
):
    """Import audio from an http(s) URL as a clip that edits can use as a parent."""
    task_id = submit(services, api_key_id, "upload", body.model_dump(), idempotency_key)
    return TaskAccepted(task_id=task_id)


@router.post("/download", response_model=TaskAccepted, responses=_ERRORS)
def download(
    body: DownloadCreate, services: ServicesDep, api_key_id: RateLimitedKeyId, idempotency_key: IdempotencyKey = None
):
    """Ask for a clip's MP3 or WAV; the task's result is ``[{"audio_url": ...}]``."""
    task_id = submit(services, api_key_id, "download", body.model_dump(), idempotency_key)
    return TaskAccepted(task_id=task_id)


@router.get(
    "/task/{task_id}",
    responses={
        200: {"model": TaskDone | TaskFailed, "description": "finished: SUCCESS or FAILED"},
        202: {"model": TaskNotReady, "description": "queued or running"},
        401: {"model": ErrorPublic},
        404: {"model": ErrorPublic},
    },
)
async def get_task(task_id: str, request: Request, services: ServicesDep, api_key_id: ApiKeyId) -> Response:
    """Free. 202 with ``status`` and ``progress`` while queued or running; 200 when done."""
    status, body = await call_db(services, request.app.state.polls.poll, api_key_id, task_id)
    return Response(body, status_code=status, media_type="application/json")
