"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "not ready: the body's `checks` say what failed"}})
def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers, storage is writable and the broker (or, embedded, the worker) runs."""
    services = request.app.state.services
    checks: dict[str, str] = {}
    try:
        with services.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not ready", never a 500
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        services.blobs.put_bytes("health/probe", b"ok", "text/plain")
        checks["storage"] = "ok"
    except Exception as exc:
        checks["storage"] = f"error: {type(exc).__name__}"
    checks["broker"] = request.app.state.runtime.check_broker()
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503, headers={} if ready else {"Retry-After": "5"})
