"""The base of every request body, and the submit answers all families share.

Unknown fields are kept aside (pydantic ``extra="allow"``) rather than dropped unseen: they are not
passed on, and the submit answer's ``warning`` names them, with the field probably meant.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RequestBody", "TaskAccepted", "WebhookFields", "unknown_fields_warning"]


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def fields(self, exclude: set[str] | None = None) -> dict[str, Any]:
        """The known fields, by their names (aliases resolved); unknown ones left out."""
        return self.model_dump(exclude={*(self.model_extra or {}), *(exclude or set())})

    def warning(self) -> str | None:
        return unknown_fields_warning(type(self), list(self.model_extra or {}))


class WebhookFields(RequestBody):
    webhook_url: str | None = Field(None, max_length=2048)
    webhook_secret: str | None = Field(None, max_length=200)


class TaskAccepted(BaseModel):
    """The submit answer (the client's ``TaskSubmitResponse``: exactly these keys)."""

    message: str = "success"
    task_id: str
    warning: str | None = Field(None, description="names request fields that were not understood and ignored")

    def wire(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def _known_names(model: type[BaseModel]) -> list[str]:
    names: list[str] = []
    for name, info in model.model_fields.items():
        names.append(name)
        alias = info.validation_alias
        choices = getattr(alias, "choices", None)
        if choices:
            names.extend(c for c in choices if isinstance(c, str))
    return names


def unknown_fields_warning(model: type[BaseModel], unknown: list[str]) -> str | None:
    """"Ignored unknown fields: lenght (did you mean length?), colour." or None."""
    if not unknown:
        return None
    known = _known_names(model)
    named = []
    for field in sorted(name[:64] for name in unknown)[:20]:
        guess = difflib.get_close_matches(field, known, n=1, cutoff=0.75)
        named.append(f"{field} (did you mean {guess[0]}?)" if guess else field)
    return "Ignored unknown fields: " + ", ".join(named) + "."
