"""The key groups (重点对象) of home visits and of the 探访关爱 service: ONE definition.

Eight groups (长春市 plan §6, the issue 10 list; the 2022 ten-department guidance names six of
them and "other special-difficulty older people", policy-requirements §2.1 and §8.3):
独居、空巢、留守、特困、高龄、失能（含失智）、重残、计划生育特殊家庭.

- 独居、空巢、留守、特困、计划生育特殊家庭: a category tag held on the date;
- 高龄: 80 周岁 or older on the date (from the birth date, never stored);
- 失能（含失智）: the 失能 tag (set by ability assessments) or a 失智 record held on the date;
- 重残: a disability record of grade 一级 or 二级 held on the date (derived, not a tag).

Three forms of the same definition, kept together so they cannot drift (a table-driven
test asserts they select the same people): `groups_on` (Python, one person's facts),
`q` (a Django Q on Person) and `sql` (a raw SQL predicate for the set-based visit jobs).
Visits (task generation, roster, coverage) and benefits (the `key_group` rule leaf of
探访关爱) call these and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.db.models import Exists, OuterRef, Q

from yanglao.people.choices import SEVERE_GRADES, Category
from yanglao.people.rules import ADVANCED_AGE, age_on, birth_range_for_age

ADVANCED_AGE_GROUP = "advanced_age"

# Order is the display order (the plan's order).
KEY_GROUPS: tuple[str, ...] = (
    Category.LIVING_ALONE,
    Category.EMPTY_NEST,
    Category.LEFT_BEHIND,
    Category.EXTREME_POVERTY,
    ADVANCED_AGE_GROUP,
    Category.DISABLED,
    Category.SEVERE_DISABILITY,
    Category.BEREAVED_FAMILY,
)
# Groups read from a category tag alone.
TAGGED: tuple[str, ...] = (
    Category.LIVING_ALONE,
    Category.EMPTY_NEST,
    Category.LEFT_BEHIND,
    Category.EXTREME_POVERTY,
    Category.BEREAVED_FAMILY,
)
LABELS: dict[str, str] = {
    Category.LIVING_ALONE: "独居",
    Category.EMPTY_NEST: "空巢",
    Category.LEFT_BEHIND: "留守",
    Category.EXTREME_POVERTY: "特困",
    ADVANCED_AGE_GROUP: "高龄（80周岁及以上）",
    Category.DISABLED: "失能（含失智）",
    Category.SEVERE_DISABILITY: "重残（一级、二级残疾）",
    Category.BEREAVED_FAMILY: "计划生育特殊家庭",
}
SEVERE = tuple(sorted(SEVERE_GRADES))


def label(group: str) -> str:
    return LABELS[group]


class _Held(Protocol):
    def held_on(self, on: date) -> bool: ...


class _Tag(_Held, Protocol):
    @property
    def category(self) -> str: ...


class _Disability(_Held, Protocol):
    @property
    def grade(self) -> str: ...


def groups_on(
    *,
    birth_date: date,
    tags: Iterable[_Tag],
    disabilities: Iterable[_Disability],
    dementia: Iterable[_Held],
    on: date,
) -> frozenset[str]:
    """The key groups a person belongs to on a date (pure)."""
    held = {t.category for t in tags if t.held_on(on)}
    out = {g for g in TAGGED if g in held}
    if age_on(birth_date, on) >= ADVANCED_AGE:
        out.add(ADVANCED_AGE_GROUP)
    if Category.DISABLED in held or any(d.held_on(on) for d in dementia):
        out.add(Category.DISABLED)
    if any(d.grade in SEVERE_GRADES and d.held_on(on) for d in disabilities):
        out.add(Category.SEVERE_DISABILITY)
    return frozenset(out)


@dataclass(frozen=True)
class _Row:
    category: str
    grade: str
    start: date
    end: date | None

    def held_on(self, on: date) -> bool:
        return self.start <= on and (self.end is None or self.end > on)


def groups_of(person: Any, on: date) -> list[str]:
    """The key groups of a Person row on `on`, in display order (reads its tags, disability
    and dementia rows; prefetch them for lists)."""
    held = groups_on(
        birth_date=person.birth_date,
        tags=[_Row(t.category, "", t.start_date, t.end_date) for t in person.categories.all()],
        disabilities=[
            _Row("", d.grade, d.start_date, d.end_date) for d in person.disabilities.all()
        ],
        dementia=[_Row("", "", d.diagnosed_on, d.end_date) for d in person.dementia.all()],
        on=on,
    )
    return [g for g in KEY_GROUPS if g in held]


def _check(groups: Sequence[str]) -> list[str]:
    unknown = [g for g in groups if g not in KEY_GROUPS]
    if unknown:
        raise ValueError(f"unknown key groups: {unknown}")
    return list(groups)


def _oldest_birth(on: date) -> date:
    return birth_range_for_age(ADVANCED_AGE, None, on)[1]


# --- Django Q ----------------------------------------------------------------------------


def _held_q(model: Any, on: date, start: str = "start_date", **filters: Any) -> Exists:
    return Exists(
        model.objects.filter(person=OuterRef("pk"), **{f"{start}__lte": on}, **filters).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=on)
        )
    )


def q(on: date, groups: Sequence[str] = KEY_GROUPS) -> Q:
    """People (Person rows) in any of `groups` on `on`."""
    from yanglao.people.models import Dementia, Disability, PersonCategory

    gs = _check(groups)
    cond = Q(pk__isnull=True)  # nothing
    cats = [g for g in gs if g in TAGGED or g == Category.DISABLED]
    if cats:
        cond |= Q(_held_q(PersonCategory, on, category__in=cats))
    if ADVANCED_AGE_GROUP in gs:
        cond |= Q(birth_date__lte=_oldest_birth(on))
    if Category.DISABLED in gs:
        cond |= Q(_held_q(Dementia, on, start="diagnosed_on"))
    if Category.SEVERE_DISABILITY in gs:
        cond |= Q(_held_q(Disability, on, grade__in=SEVERE))
    return cond


# --- raw SQL -----------------------------------------------------------------------------


def sql(alias: str, on: date, groups: Sequence[str] = KEY_GROUPS) -> tuple[str, list[Any]]:
    """SQL predicate: the person row `alias` is in any of `groups` on `on` (with params)."""
    from django.db import connection

    from yanglao.people.models import Dementia, Disability, PersonCategory

    gs = _check(groups)
    d = connection.ops.adapt_datefield_value(on)
    parts: list[str] = []
    params: list[Any] = []
    cats = [g for g in gs if g in TAGGED or g == Category.DISABLED]

    def held(table: str, start: str, extra: str, extra_params: list[Any]) -> None:
        parts.append(
            f"EXISTS (SELECT 1 FROM {table} x WHERE x.person_id = {alias}.id{extra}"
            f" AND x.{start} <= %s AND (x.end_date IS NULL OR x.end_date > %s))"
        )
        params.extend([*extra_params, d, d])

    if cats:
        marks = ", ".join(["%s"] * len(cats))
        held(PersonCategory._meta.db_table, "start_date", f" AND x.category IN ({marks})", cats)
    if ADVANCED_AGE_GROUP in gs:
        parts.append(f"{alias}.birth_date <= %s")
        params.append(connection.ops.adapt_datefield_value(_oldest_birth(on)))
    if Category.DISABLED in gs:
        held(Dementia._meta.db_table, "diagnosed_on", "", [])
    if Category.SEVERE_DISABILITY in gs:
        marks = ", ".join(["%s"] * len(SEVERE))
        held(Disability._meta.db_table, "start_date", f" AND x.grade IN ({marks})", list(SEVERE))
    if not parts:
        return "1=0", []
    return "(" + " OR ".join(parts) + ")", params
