"""Registration age: the national floor and local policies that admit younger residents."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from yanglao.people.models import MinimumAgePolicy
from yanglao.people.rules import MIN_AGE
from yanglao.regions import codes


def _in_force(on: date) -> Q:
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gt=on))


def min_age_for(region_code: str, on: date) -> int:
    """The nearest ancestor's policy in force on `on` (a village's own first), else 60."""
    chain = [region_code, *reversed(codes.ancestor_codes(region_code))]
    found = {
        p.region_id: p.min_age
        for p in MinimumAgePolicy.objects.filter(_in_force(on), region_id__in=chain)
    }
    for code in chain:
        if code in found:
            return found[code]
    return MIN_AGE


def lowest_min_age(ranges: list[tuple[str, str]], on: date) -> int:
    """The lowest registration age anywhere in (or above) the given code ranges."""
    ages = [MIN_AGE]
    for p in MinimumAgePolicy.objects.filter(_in_force(on)).only("region_id", "min_age"):
        low, high = codes.subtree_range(p.region_id)
        if any(low <= r_high and r_low <= high for r_low, r_high in ranges):
            ages.append(p.min_age)
    return min(ages)
