"""Registration age: the national floor and local policies that admit younger residents."""

from __future__ import annotations

from datetime import date
from typing import Any

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


class MinAgeTable:
    """All policies in force on a date, held in memory for checking many rows."""

    def __init__(self, on: date):
        self.by_region = {
            p.region_id: p.min_age
            for p in MinimumAgePolicy.objects.filter(_in_force(on)).only("region_id", "min_age")
        }
        self.cache: dict[str, int] = {}

    def for_region(self, region_code: str) -> int:
        if region_code not in self.cache:
            chain = [region_code, *reversed(codes.ancestor_codes(region_code))]
            self.cache[region_code] = next(
                (self.by_region[c] for c in chain if c in self.by_region), MIN_AGE
            )
        return self.cache[region_code]


class PolicyInvalid(Exception):
    pass


def min_age_policy_set(
    *, actor: Any, region_code: str, min_age: int, effective_from: date, document_no: str
) -> MinimumAgePolicy:
    """Publish a registration age for a region from a date; the previous one ends that day."""
    from django.db import transaction

    from yanglao.core.audit import Action, audit
    from yanglao.regions.models import Region

    if not 40 <= min_age <= 60:
        raise PolicyInvalid("登记起始年龄应在40到60周岁之间")
    if not document_no.strip():
        raise PolicyInvalid("请填写政策文号")
    code = codes.pad(region_code)
    if not Region.objects.filter(code=code).exists():
        raise PolicyInvalid(f"区划代码 {region_code} 不存在")
    with transaction.atomic():
        MinimumAgePolicy.objects.filter(
            region_id=code, effective_to__isnull=True, effective_from__lt=effective_from
        ).update(effective_to=effective_from)
        policy = MinimumAgePolicy.objects.create(
            region_id=code,
            min_age=min_age,
            effective_from=effective_from,
            document_no=document_no.strip(),
            created_by=actor,
        )
        audit(
            actor=actor,
            action=Action.MIN_AGE_POLICY_SET,
            object_type="min_age_policy",
            object_id=str(policy.pk),
            object_label=f"{code} {min_age}周岁",
            region_code=code,
            changes={"min_age": min_age, "from": effective_from.isoformat(), "doc": document_no},
        )
    return policy
