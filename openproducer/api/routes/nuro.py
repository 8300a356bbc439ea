"""/api/v1/nuro/*: a sung song or an instrumental, one a task, polled as a flat object.

Errors on these routes carry the Nuro error table's types (docs: nuro error handling): 400
``bad_request``, 401 ``unauthorized``, 403 ``forbidden`` (credits; also a rate limit or a full
queue, which keep their 429/503 status and ``Retry-After``), 404 ``not_found``, 5xx ``api_error``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from openproducer.api.deps import ApiKeyId, RateLimitedKeyId, ServicesDep
from openproducer.api.errors import validation_problems
from openproducer.api.routes.tasks import ERRORS, IdempotencyKey, answer_poll, submit_body
from openproducer.api.schemas import ErrorPublic, TaskAccepted
from openproducer.core.errors import InvalidParameter, ProducerError, RateLimited, ServiceUnavailable
from openproducer.families.nuro import NURO, NuroCreate, NuroFailed, NuroTask

__all__ = ["nuro_error", "router"]

_TYPES = {400: "bad_request", 401: "unauthorized", 402: "forbidden", 403: "forbidden", 404: "not_found",
          429: "forbidden", 503: "forbidden"}


def nuro_error(status: int, message: str, problems: list[tuple[str, str]] | None = None,
               headers: dict[str, str] | None = None) -> JSONResponse:
    kind = _TYPES.get(status, "api_error" if status >= 500 else "bad_request")
    body: dict[str, Any] = {"code": status, "type": kind, "error": message, "message": message}
    if problems:
        body["errors"] = [{"field": field, "rule": rule} for field, rule in problems]
    return JSONResponse(body, status_code=status, headers=headers)


class NuroRoute(APIRoute):
    """A route whose errors are rendered with the Nuro error table's types."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def nuro_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                problems = validation_problems(list(exc.errors()))
                return nuro_error(400, "; ".join(f"{f}: {r}" for f, r in problems), problems)
            except InvalidParameter as exc:
                return nuro_error(400, exc.message, exc.problems)
            except ProducerError as exc:
                headers = {"Retry-After": str(exc.retry_after)} if isinstance(
                    exc, RateLimited | ServiceUnavailable) else None
                return nuro_error(exc.status, exc.message, headers=headers)

        return nuro_handler


router = APIRouter(prefix="/nuro", tags=["nuro"], route_class=NuroRoute)


@router.post("/create", response_model=TaskAccepted, responses=ERRORS)
def create(body: NuroCreate, services: ServicesDep, api_key_id: RateLimitedKeyId,
           idempotency_key: IdempotencyKey = None):
    """A sung song (``type`` vocal: lyrics, gender, genre, mood, timbre) or an instrumental (``bgm``:
    description, genres, moods, instruments, themes, v2.0 segments); one song a task. 10 credits."""
    return submit_body(services, api_key_id, NURO, "create_music", body, idempotency_key)


@router.get(
    "/task/{task_id}",
    responses={
        200: {"model": NuroTask | NuroFailed, "description": "the flat task object, in every state"},
        401: {"model": ErrorPublic},
        404: {"model": ErrorPublic},
    },
)
async def get_task(task_id: str, request: Request, services: ServicesDep, api_key_id: ApiKeyId) -> Response:
    """Free. ``status`` pending, running, succeeded (then ``audio_url`` is the WAV) or failed; ``progress`` 0-100."""
    return await answer_poll(request, services, api_key_id, task_id, NURO.name)
