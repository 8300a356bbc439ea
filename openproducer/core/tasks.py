"""How a task looks to a client: the poll body for each state, as the wire contract spells it."""

from __future__ import annotations

from typing import Any

from openproducer.store.tasks import FAILED, SUCCESS

__all__ = ["NOT_READY_MESSAGE", "failed_body", "is_final", "poll_body", "queue_for"]

NOT_READY_MESSAGE = "Task is still processing. Please wait a few seconds and try again."


def is_final(status: str) -> bool:
    return status in (SUCCESS, FAILED)


def queue_for(task_type: str, engine: str) -> str:
    """One queue per engine; quick I/O tasks have their own so they never wait behind renders."""
    return "io" if task_type in ("upload", "download") else f"engine.{engine}"


def failed_body(error_type: str | None, error: str | None) -> dict[str, Any]:
    why = error or "The task failed."
    # HTTP status stays 200 (the task query itself worked); `code` in the body says it did not
    # succeed, so clients that read `code` and `message` (musicapi-sdk does) both work.
    return {
        "code": 403 if error_type == "forbidden" else 500,
        "type": error_type or "failed",
        "status": FAILED,
        "error": why,
        "message": f"{why.rstrip('.')}; credits refunded.",
    }


def poll_body(task: Any) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) for a poll of ``task`` (a Task or a row with the same columns)."""
    if task.status == SUCCESS:
        return 200, {"code": 200, "status": SUCCESS, "message": "success", "data": task.result or []}
    if task.status == FAILED:
        return 200, failed_body(task.error_type, task.error)
    return 202, {
        "code": 202,
        "type": "not_ready",
        "status": task.status,
        "progress": task.progress,
        "stage": task.stage,
        "error": NOT_READY_MESSAGE,
    }
