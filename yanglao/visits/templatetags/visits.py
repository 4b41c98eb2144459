from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def who(user: Any, empty: str = "—") -> str:
    """A user's name for display: full name, else username; `empty` when there is nobody."""
    if not user:  # None, or a missing relation rendered as ''
        return empty
    return str(getattr(user, "full_name", "") or getattr(user, "username", "") or empty)
