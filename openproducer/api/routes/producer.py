"""/api/v1/producer/*: submit tasks and poll them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from openproducer.api.deps import ApiKeyId, RateLimitedKeyId, ServicesDep
from openproducer.api.routes.tasks import ERRORS, IdempotencyKey, answer_poll, submit_body
from openproducer.api.schemas import ErrorPublic, TaskAccepted
from openproducer.families.producer import (
    PRODUCER,
    DownloadCreate,
    ProducerCreate,
    TaskDone,
    TaskFailed,
    TaskNotReady,
    UploadCreate,
)

router = APIRouter(prefix="/producer", tags=["producer"])


@router.post("/create", response_model=TaskAccepted, responses=ERRORS)
def create(
    body: ProducerCreate, services: ServicesDep, api_key_id: RateLimitedKeyId, idempotency_key: IdempotencyKey = None
):
    """Submit any of the nine producer task types; poll the returned ``task_id``."""
    return submit_body(services, api_key_id, PRODUCER, body.task_type, body, idempotency_key, {"task_type"})


@router.post("/upload", response_model=TaskAccepted, responses=ERRORS)
def upload(
    body: UploadCreate, services: ServicesDep, api_key_id: RateLimitedKeyId, idempotency_key: IdempotencyKey = None
):
    """Import audio from an http(s) URL as a clip that edits can use as a parent."""
    return submit_body(services, api_key_id, PRODUCER, "upload", body, idempotency_key)


@router.post("/download", response_model=TaskAccepted, responses=ERRORS)
def download(
    body: DownloadCreate, services: ServicesDep, api_key_id: RateLimitedKeyId, idempotency_key: IdempotencyKey = None
):
    """Ask for a clip's MP3 or WAV: a task whose result is ``[{"clip_id", "format", "audio_url"}]``."""
    return submit_body(services, api_key_id, PRODUCER, "download", body, idempotency_key)


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
    """Free. 202 with ``status``, ``progress`` and ``stage`` while queued or running; 200 when done."""
    return await answer_poll(request, services, api_key_id, task_id, PRODUCER.name)
