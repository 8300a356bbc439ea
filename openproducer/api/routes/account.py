"""/api/v1/get-credits and /api/v1/models."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from openproducer.api.deps import ApiKeyId, ServicesDep, call_db
from openproducer.api.schemas import CreditsPublic, ErrorPublic
from openproducer.core import queries

router = APIRouter(tags=["account"])


@router.get("/get-credits", response_model=CreditsPublic, responses={401: {"model": ErrorPublic}})
async def get_credits(services: ServicesDep, api_key_id: ApiKeyId) -> dict[str, int]:
    """The balance; extra credits are spent first."""
    return await call_db(services, queries.balance, services, api_key_id)


@router.get("/models", responses={401: {"model": ErrorPublic}})
async def list_models(services: ServicesDep, api_key_id: ApiKeyId) -> dict[str, Any]:
    """The ``mv`` names this server serves, and the engine behind each."""
    return {"code": 200, "message": "success", "data": queries.models(services)}
