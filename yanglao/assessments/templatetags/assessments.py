from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def can(user: Any, cap: str) -> bool:
    """{% if user|can:"assessment.view" %} — capability check in templates."""
    return bool(getattr(user, "is_authenticated", False) and user.can(cap))


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None
