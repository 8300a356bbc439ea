"""The one place errors become HTTP responses, in the wire contract's shape."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from openproducer.core.errors import InvalidParameter, ProducerError, RateLimited, ServiceUnavailable

__all__ = ["install_error_handlers", "validation_problems"]

log = logging.getLogger(__name__)


def _body(status: int, type_: str, message: str) -> dict[str, Any]:
    return {"code": status, "type": type_, "error": message}


def _invalid_body(problems: list[tuple[str, str]]) -> dict[str, Any]:
    """Every broken rule: readable in ``error``, and as a list of {field, rule} beside it."""
    return {
        **_body(400, "invalid_parameter", "; ".join(f"{field}: {rule}" for field, rule in problems)),
        "errors": [{"field": field, "rule": rule} for field, rule in problems],
    }


def _problem(error: dict[str, Any]) -> tuple[str, str]:
    kind = error.get("type", "")
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    if kind == "json_invalid":
        return "body", "is not valid JSON"
    if kind in ("model_attributes_type", "dict_type") and not loc:
        return "body", "must be a JSON object"
    if kind == "missing" and not loc:
        return "body", "a JSON object is required"
    rule = error.get("msg", "is invalid")
    if kind == "missing":
        rule = "is required"
    elif kind == "extra_forbidden":
        rule = "is not a field of this request"
    return ".".join(loc) or "body", rule


def validation_problems(errors: list[Any]) -> list[tuple[str, str]]:
    """(field, rule) of every pydantic error, in words a client can act on; one per field."""
    found: list[tuple[str, str]] = []
    for error in errors or [{}]:
        field, rule = _problem(error)
        if field == "body" and found:
            continue
        if not any(f == field for f, _ in found):  # a union type reports each branch: keep the first
            found.append((field, rule))
    return found


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProducerError)
    async def producer_error(_: Request, exc: ProducerError) -> JSONResponse:
        headers = {}
        if isinstance(exc, RateLimited | ServiceUnavailable):
            headers["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, InvalidParameter):
            return JSONResponse(_invalid_body(exc.problems), status_code=400)
        return JSONResponse(_body(exc.status, exc.type, exc.message), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(_invalid_body(validation_problems(list(exc.errors()))), status_code=400)

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
