"""The Sonic family's helper task types (stems, MIDI, word timings, voices, mashups, samples,
one-shot uploads): their table rows and planning. ``families/sonic.py`` merges them into the
family's task table and hands their planning here."""

from __future__ import annotations

from typing import Any

from openproducer.families.base import Plan, PlanContext, TaskSpec

__all__ = ["HELPER_TASKS", "plan_helper"]

HELPER_TASKS: dict[str, TaskSpec] = {}


def plan_helper(ctx: PlanContext, task_type: str, body: dict[str, Any]) -> Plan:
    raise NotImplementedError(task_type)
