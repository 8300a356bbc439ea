"""The error tree. Each error knows its HTTP status and wire ``type``; one handler renders them."""

from __future__ import annotations

__all__ = [
    "BadRequest",
    "InvalidParameter",
    "NotEnoughCredits",
    "NotFound",
    "PayloadTooLarge",
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
    """A request field broke a rule; the message names the field and the rule."""

    type = "invalid_parameter"

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


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
