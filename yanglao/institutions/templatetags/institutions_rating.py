"""Template helpers of 等级评定: the level a home holds today and its label."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from yanglao.institutions import rating_rules as rr

register = template.Library()


@register.simple_tag
def rating_in_force(inst: Any) -> int | None:
    return rr.in_force(inst.rating, inst.rating_valid_until, timezone.localdate())


@register.simple_tag
def rating_levels() -> list[tuple[int, str]]:
    return list(rr.LEVEL_LABELS.items())


@register.filter
def rating_label(level: int | None) -> str:
    return rr.LEVEL_LABELS.get(level or 0, "无等级")


@register.filter
def part_label(key: str) -> str:
    return rr.PART_LABELS.get(key, key)
