"""The database schema: the source of truth for keys, credits, tasks and clips."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["ApiKey", "Base", "Clip", "LedgerEntry", "Persona", "Share", "Task", "WebhookDelivery"]


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON, list[Any]: JSON}


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), index=True)  # shown in listings, not secret
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the whole key
    created_at: Mapped[datetime]
    disabled: Mapped[bool] = mapped_column(default=False)


class LedgerEntry(Base):
    """One credit movement. A key's balance is the sum of its entries, per pool.

    The unique constraint makes "debit once, refund once" a database fact: a second
    debit or refund of the same task and pool cannot be written.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("task_id", "kind", "pool", name="uq_ledger_task_kind_pool"),
        Index("ix_ledger_key_pool", "api_key_id", "pool"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))  # grant | debit | refund
    pool: Mapped[str] = mapped_column(String(8))  # credits | extra
    amount: Mapped[int]  # signed
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("api_key_id", "idempotency_key", name="uq_task_idempotency"),
        Index("ix_tasks_status_lease", "status", "lease_expires_at"),
        Index("ix_tasks_key_status", "api_key_id", "status"),
        Index("ix_tasks_status_engine", "status", "engine"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    family: Mapped[str] = mapped_column(String(16), default="producer")
    task_type: Mapped[str] = mapped_column(String(32))
    engine: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(8))  # PENDING | RUNNING | SUCCESS | FAILED
    progress: Mapped[int] = mapped_column(default=0)
    stage: Mapped[str] = mapped_column(String(32), default="queued")
    params: Mapped[dict[str, Any]]
    price: Mapped[int]
    clip_ids: Mapped[list[Any]]  # fixed at submit, so a rerun overwrites instead of duplicating
    result: Mapped[list[Any] | None] = mapped_column(JSON, default=None)  # the `data` list when done
    error_type: Mapped[str | None] = mapped_column(String(16), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    deadline_at: Mapped[datetime | None] = mapped_column(default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    request_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    webhook_url: Mapped[str | None] = mapped_column(Text, default=None)
    webhook_secret: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime]
    enqueued_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    run_s: Mapped[float | None] = mapped_column(default=None)  # wall time of the attempt that ended it


class Clip(Base):
    __tablename__ = "clips"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    parent_clip_id: Mapped[str | None] = mapped_column(String(36), default=None)
    source: Mapped[str] = mapped_column(String(16))  # generated | upload
    engine: Mapped[str] = mapped_column(String(32))
    media_token: Mapped[str] = mapped_column(String(64), unique=True)  # unguessable URL part
    title: Mapped[str] = mapped_column(String(200), default="")
    sound: Mapped[str] = mapped_column(Text, default="")
    lyrics: Mapped[str] = mapped_column(Text, default="")
    mv: Mapped[str] = mapped_column(String(32), default="")
    seed: Mapped[int] = mapped_column(default=0)
    duration: Mapped[float] = mapped_column(default=0.0)
    sample_rate: Mapped[int] = mapped_column(default=44100)
    meta: Mapped[dict[str, Any]]
    files: Mapped[dict[str, Any]]  # role -> storage key: mp3, wav, image, video, stem:<name>, score
    created_at: Mapped[datetime]


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    url: Mapped[str] = mapped_column(Text)
    event: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | delivered | gave_up
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class Persona(Base):
    """A voice-and-style profile taken from a clip (or a recording), sung by later songs."""

    __tablename__ = "personas"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "persona-<uuid>"
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    clip_id: Mapped[str | None] = mapped_column(String(36), default=None)  # the clip it was taken from
    profile: Mapped[dict[str, Any]]  # voice (gender, range, timbre) and style (genre, production words)
    created_at: Mapped[datetime]


class Share(Base):
    """A clip's public share page (``/share/{token}``): opted in per clip, revocable."""

    __tablename__ = "shares"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)  # unguessable URL part
    clip_id: Mapped[str] = mapped_column(String(36), index=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    author: Mapped[str] = mapped_column(String(80), default="")  # shown on the page, as the owner chose
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
