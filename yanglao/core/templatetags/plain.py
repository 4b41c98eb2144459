"""Numbers as people write them (issue 14 part 2): “1 台”, not “1.00 台”; money keeps its
two decimals (“100.00 元/人/月”)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def quantity(value: object, unit: str = "") -> str:
    """`value` followed by `unit`; a count (any unit but 元) without trailing zeros."""
    if value is None or value == "":
        return ""
    text = str(value)
    if not unit.startswith("元"):
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            pass
        else:
            text = f"{number.normalize():f}" if number == number.to_integral() else f"{number:f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


@register.filter
def with_unit(value: object, unit: str = "") -> str:
    return quantity(value, unit or "")
