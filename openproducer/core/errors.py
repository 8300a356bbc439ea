"""The error tree. Each error knows its HTTP status and wire ``type``; one handler renders them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "BadRequest",
    "InvalidParameter",
    "NotEnoughCredits",
    "NotFound",
    "PayloadTooLarge",
    "Problems",
    "ProducerError",
    "RateLimited",
    "Retired",
    "ServiceUnavailable",
    "TaskNotFound",
    "Unauthorized",
]


class ProducerError(Exception):
    status: int = 500
    type: str = "api_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ProducerError):
    status = 400
    type = "invalid_request"


class InvalidParameter(BadRequest):
    """A request field broke a rule; the message names the field and the rule.

    One error may carry several (field, rule) problems: a request with many mistakes hears of all
    of them at once (``problems``), the message joining them with "; "."""

    type = "invalid_parameter"

    def __init__(self, field: str, rule: str, *more: tuple[str, str]) -> None:
        self.problems: list[tuple[str, str]] = [(field, rule), *more]
        super().__init__("; ".join(f"{f}: {r}" for f, r in self.problems))
        self.field = field
        self.rule = rule


class Problems:
    """Collects every rule a request breaks, so they are reported together."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def add(self, field: str, rule: str) -> None:
        if (field, rule) not in self.found:
            self.found.append((field, rule))

    def check(self, rule_check: Callable[..., Any], *args: Any) -> Any:
        """Call a check that raises InvalidParameter; record its problems instead. Returns its value or None."""
        try:
            return rule_check(*args)
        except InvalidParameter as exc:
            for field, rule in exc.problems:
                self.add(field, rule)
            return None

    def has(self, field: str) -> bool:
        return any(f == field for f, _ in self.found)

    def raise_if_any(self) -> None:
        if self.found:
            raise InvalidParameter(*self.found[0], *self.found[1:])


class Unauthorized(ProducerError):
    status = 401
    type = "unauthorized"


class NotEnoughCredits(ProducerError):
    status = 403
    type = "forbidden"

    def __init__(self, needed: int, available: int) -> None:
        super().__init__(
            f"The remaining credits are not enough: this task costs {needed} credits "
            f"and {available} remain."
        )


class NotFound(ProducerError):
    status = 404
    type = "not_found"


class TaskNotFound(NotFound):
    def __init__(self, task_id: str) -> None:
        super().__init__(f"Task {task_id} not found.")


class Retired(ProducerError):
    status = 410
    type = "retired"


class PayloadTooLarge(ProducerError):
    status = 413
    type = "payload_too_large"


class RateLimited(ProducerError):
    status = 429
    type = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(ProducerError):
    status = 503
    type = "unavailable"

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after
