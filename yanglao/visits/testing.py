"""Helpers for tests and the demo: a complete visit input."""

from __future__ import annotations

from datetime import date
from typing import Any

from yanglao.visits.choices import Area, FindingLevel, Method, RiskLevel
from yanglao.visits.rules import FollowUpInput, VisitInput


def all_ok(**notes: str) -> dict[str, dict[str, Any]]:
    return {a.value: {"level": FindingLevel.OK, "note": notes.get(a.value, "")} for a in Area}


def visit_input(
    visit_date: date,
    *,
    method: str = Method.DOOR,
    risk_level: str = RiskLevel.NORMAL,
    follow_ups: list[FollowUpInput] | None = None,
    **extra: Any,
) -> VisitInput:
    v = VisitInput(
        method=method,
        visit_date=visit_date,
        risk_level=risk_level,
        findings=all_ok(),
        follow_ups=follow_ups or [],
    )
    for key, value in extra.items():
        setattr(v, key, value)
    return v
