"""What every family's routes share: submitting a parsed body, and answering a poll."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse, Response

from openproducer.api.deps import call_db
from openproducer.api.origin import request_origin
from openproducer.api.schemas import ErrorPublic
from openproducer.core.services import Services
from openproducer.core.submit import submit
from openproducer.families.base import Family
from openproducer.families.requests import RequestBody, TaskAccepted

__all__ = ["ERRORS", "IdempotencyKey", "answer_poll", "submit_body", "task_header"]

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorPublic} for code in (400, 401, 403, 404, 413, 429, 503)}


def task_header(task_id: str | None) -> dict[str, str]:
    """``X-Task-Id`` on a synchronous answer: the task that records its work and its charge (the
    answer's body keeps exactly the keys the client reads); none for a free answer."""
    return {"X-Task-Id": task_id} if task_id else {}


def submit_body(
    services: Services, api_key_id: int, family: Family, task_type: str, body: RequestBody,
    idempotency_key: str | None, exclude: set[str] | None = None,
) -> JSONResponse:
    """Submit ``body`` as a task; the answer is exactly ``{message, task_id[, warning]}``."""
    task_id = submit(services, api_key_id, family, task_type, body.fields(exclude), idempotency_key)
    return JSONResponse(TaskAccepted(task_id=task_id, warning=body.warning()).wire())


async def answer_poll(request: Request, services: Services, api_key_id: int, task_id: str, family: str) -> Response:
    origin = request_origin(request.scope, services.settings)
    status, body = await call_db(services, request.app.state.polls.poll, api_key_id, task_id, family, origin)
    return Response(body, status_code=status, media_type="application/json")
