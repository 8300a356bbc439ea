"""Optional extras: which settings need which optional package, checked before anything starts.

The bare package (``pip install openproducer``) serves the embedded mode: SQLite, the in-process
queue, files on disk. Scale-mode services need their Python clients from the ``scale`` extra;
a setting that names one without its client stops the command at once with the extra to install.
"""

from __future__ import annotations

import importlib.util

from openproducer.core.config import Settings

__all__ = ["SCALE_EXTRA", "MissingExtra", "check_extras"]

SCALE_EXTRA = "pip install 'openproducer[scale]'"


class MissingExtra(RuntimeError):
    """A setting asks for a service whose Python client is not installed; says which extra has it."""


def _needed_modules(settings: Settings) -> list[tuple[str, str]]:
    """(setting that needs it, importable module) for every optional client the settings use."""
    needs = []
    if (settings.database_url or "").startswith("postgresql"):
        needs.append(("database_url postgresql://", "psycopg"))
    broker = settings.broker_url or ""
    if broker.startswith(("redis://", "rediss://", "unix://")):
        needs.append(("broker_url redis://", "redis"))
    elif broker.startswith(("amqp://", "amqps://")):
        needs.append(("broker_url amqp://", "pika"))
    if (settings.storage_url or "").startswith("s3://"):
        needs.append(("storage_url s3://", "boto3"))
    if (settings.rate_limit_storage_url or "").startswith(("redis://", "rediss://")):
        needs.append(("rate_limit_storage_url redis://", "redis"))
    return needs


def check_extras(settings: Settings) -> None:
    """Fail at start, naming the extra to install, when a configured service has no client here.
    (Embedded mode needs none of them; metrics switch themselves off, see api/metrics.py.)"""
    missing = [f"{setting} needs the {module} package" for setting, module in _needed_modules(settings)
               if importlib.util.find_spec(module) is None]
    if missing:
        raise MissingExtra(f"{'; '.join(missing)}: {SCALE_EXTRA}")
