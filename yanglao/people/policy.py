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


class MinAgeTable:
    """All policies in force on a date (a handful of rows), held in memory: one query serves
    one registration or a million imported lines."""

    def __init__(self, on: date):
        self.by_region = {
            p.region_id: p.min_age
            for p in MinimumAgePolicy.objects.filter(_in_force(on)).only("region_id", "min_age")
        }
        self.cache: dict[str, int] = {}

    def for_region(self, region_code: str) -> int:
        """The nearest level's policy (a village's own first), else 60."""
        if region_code not in self.cache:
            chain = [region_code, *reversed(codes.ancestor_codes(region_code))]
            self.cache[region_code] = next(
                (self.by_region[c] for c in chain if c in self.by_region), MIN_AGE
            )
        return self.cache[region_code]

    def lowest_within(self, ranges: list[tuple[str, str]]) -> int:
        """The lowest registration age anywhere in (or above) the given code ranges."""
        ages = [MIN_AGE]
        for code, age in self.by_region.items():
            low, high = codes.subtree_range(code)
            if any(low <= r_high and r_low <= high for r_low, r_high in ranges):
                ages.append(age)
        return min(ages)


def min_age_for(region_code: str, on: date) -> int:
    return MinAgeTable(on).for_region(region_code)


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
