"""The one place errors become HTTP responses, in the wire contract's shape."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from openproducer.core.errors import ProducerError, RateLimited, ServiceUnavailable

__all__ = ["install_error_handlers", "validation_message"]

log = logging.getLogger(__name__)


def _body(status: int, type_: str, message: str) -> dict[str, Any]:
    return {"code": status, "type": type_, "error": message}


def validation_message(errors: list[Any]) -> tuple[str, str]:
    """(field, rule) of the first pydantic error, in words a client can act on."""
    first = errors[0] if errors else {}
    kind = first.get("type", "")
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header")]
    if kind == "json_invalid":
        return "body", "is not valid JSON"
    if kind in ("model_attributes_type", "dict_type") and not loc:
        return "body", "must be a JSON object"
    if kind == "missing" and not loc:
        return "body", "a JSON object is required"
    field = ".".join(loc) or "body"
    return field, first.get("msg", "is invalid")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProducerError)
    async def producer_error(_: Request, exc: ProducerError) -> JSONResponse:
        headers = {}
        if isinstance(exc, RateLimited | ServiceUnavailable):
            headers["Retry-After"] = str(exc.retry_after)
        return JSONResponse(_body(exc.status, exc.type, exc.message), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        field, rule = validation_message(list(exc.errors()))
        return JSONResponse(_body(400, "invalid_parameter", f"{field}: {rule}"), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        type_ = {404: "not_found", 405: "method_not_allowed", 408: "request_timeout", 413: "payload_too_large"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            _body(exc.status_code, type_, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(OperationalError)
    async def database_down(_: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", exc.orig if exc.orig is not None else exc)
        return JSONResponse(
            _body(503, "unavailable", "The service is briefly unavailable; retry shortly."),
            status_code=503, headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse({"code": 500, "type": "api_error", "error": "Internal Server Error"}, status_code=500)
