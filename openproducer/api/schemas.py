"""Wire shapes every family shares. Each family's own request and poll models live in its module
(``openproducer/families/<family>.py``)."""

from __future__ import annotations

from pydantic import BaseModel

from openproducer.families.requests import TaskAccepted

__all__ = ["CreditsPublic", "ErrorPublic", "FieldProblem", "TaskAccepted"]


class CreditsPublic(BaseModel):
    credits: int
    extra_credits: int


class FieldProblem(BaseModel):
    field: str
    rule: str


class ErrorPublic(BaseModel):
    type: str
    error: str
    code: int | None = None
    errors: list[FieldProblem] | None = None  # 400: every broken rule, beside the readable `error`
