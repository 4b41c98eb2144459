"""The key groups: one definition, three forms (Python, Q, SQL) that must select the same
people, at every boundary; and the visit roster and the 探访关爱 item both read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.db import connection

from yanglao.people import groups
from yanglao.people.choices import Category as C
from yanglao.people.models import Dementia, Disability, Person, PersonCategory

pytestmark = pytest.mark.django_db

ON = date(2026, 6, 1)
BIRTH_80 = date(1946, 6, 1)  # 80 on ON
YOUNG = date(1950, 1, 1)


@dataclass
class Spec:
    name: str
    expected: frozenset[str]
    birth: date = YOUNG
    tags: tuple[tuple[str, date, date | None], ...] = ()
    disability: tuple[str, date, date | None] | None = None
    dementia: tuple[date, date | None] | None = None


D0 = date(2020, 1, 1)
CASES = [
    Spec("nothing", frozenset()),
    Spec("80 today", frozenset({"advanced_age"}), birth=BIRTH_80),
    Spec("80 tomorrow", frozenset(), birth=date(1946, 6, 2)),
    Spec("独居", frozenset({C.LIVING_ALONE}), tags=((C.LIVING_ALONE, D0, None),)),
    Spec("独居 from tomorrow", frozenset(), tags=((C.LIVING_ALONE, date(2026, 6, 2), None),)),
    Spec("独居 ended today", frozenset(), tags=((C.LIVING_ALONE, D0, ON),)),
    Spec(
        "独居 ends tomorrow",
        frozenset({C.LIVING_ALONE}),
        tags=((C.LIVING_ALONE, D0, date(2026, 6, 2)),),
    ),
    Spec("空巢", frozenset({C.EMPTY_NEST}), tags=((C.EMPTY_NEST, D0, None),)),
    Spec("留守", frozenset({C.LEFT_BEHIND}), tags=((C.LEFT_BEHIND, D0, None),)),
    Spec("特困", frozenset({C.EXTREME_POVERTY}), tags=((C.EXTREME_POVERTY, D0, None),)),
    Spec("计生特殊家庭", frozenset({C.BEREAVED_FAMILY}), tags=((C.BEREAVED_FAMILY, D0, None),)),
    Spec("低保 is not a key group", frozenset(), tags=((C.MINIMUM_LIVING, D0, None),)),
    Spec("低保边缘 is not", frozenset(), tags=((C.MARGINAL_LOW_INCOME, D0, None),)),
    Spec("失能 tag", frozenset({C.DISABLED}), tags=((C.DISABLED, D0, None),)),
    Spec("失智 only", frozenset({C.DISABLED}), dementia=(D0, None)),
    Spec("失智 diagnosed today", frozenset({C.DISABLED}), dementia=(ON, None)),
    Spec("失智 from tomorrow", frozenset(), dementia=(date(2026, 6, 2), None)),
    Spec("失智 withdrawn", frozenset(), dementia=(D0, D0)),
    Spec("一级残疾 = 重残", frozenset({C.SEVERE_DISABILITY}), disability=("1", D0, None)),
    Spec("二级残疾 = 重残", frozenset({C.SEVERE_DISABILITY}), disability=("2", D0, None)),
    Spec("converted 一级或二级", frozenset({C.SEVERE_DISABILITY}), disability=("1-2", D0, None)),
    Spec("三级 is not 重残", frozenset(), disability=("3", D0, None)),
    Spec("四级 is not 重残", frozenset(), disability=("4", D0, None)),
    Spec("一级 ended today", frozenset(), disability=("1", D0, ON)),
    Spec("old 重残 tag counts for nothing", frozenset(), tags=((C.SEVERE_DISABILITY, D0, None),)),
    Spec(
        "several",
        frozenset({"advanced_age", C.LIVING_ALONE, C.DISABLED, C.SEVERE_DISABILITY}),
        birth=date(1930, 1, 1),
        tags=((C.LIVING_ALONE, D0, None), (C.DISABLED, D0, None)),
        disability=("2", D0, None),
        dementia=(D0, None),
    ),
]


@dataclass(frozen=True)
class Row:
    category: str
    grade: str
    start: date
    end: date | None

    def held_on(self, on: date) -> bool:
        return self.start <= on and (self.end is None or self.end > on)


def _make(i: int, spec: Spec) -> Person:
    p = Person.objects.create(
        name=f"测{i}",
        sex="F",
        birth_date=spec.birth,
        id_number_cipher="x",
        id_number_hash=f"g{i}",
        id_number_masked="x",
        region_id="220102001001",
        household_region_id="220102001001",
    )
    for cat, start, end in spec.tags:
        PersonCategory.objects.create(person=p, category=cat, start_date=start, end_date=end)
    if spec.disability:
        g, start, end = spec.disability
        Disability.objects.create(person=p, grade=g, start_date=start, end_date=end)
    if spec.dementia:
        start, end = spec.dementia
        Dementia.objects.create(person=p, diagnosed_on=start, end_date=end, source="hospital")
    return p


@pytest.mark.parametrize("spec", CASES, ids=[c.name for c in CASES])
def test_python_form(spec: Spec) -> None:
    got = groups.groups_on(
        birth_date=spec.birth,
        tags=[Row(c, "", s, e) for c, s, e in spec.tags],
        disabilities=[Row("", *spec.disability)] if spec.disability else [],
        dementia=[Row("", "", *spec.dementia)] if spec.dementia else [],
        on=ON,
    )
    assert got == spec.expected


def test_python_q_and_sql_forms_agree_per_group(regions: None) -> None:
    people = {_make(i, spec).pk: spec for i, spec in enumerate(CASES)}
    for group in groups.KEY_GROUPS:
        expected = {pk for pk, spec in people.items() if group in spec.expected}
        by_q = set(Person.objects.filter(groups.q(ON, [group])).values_list("pk", flat=True))
        sql, params = groups.sql("p", ON, [group])
        with connection.cursor() as cur:
            cur.execute(f"SELECT p.id FROM {Person._meta.db_table} p WHERE {sql}", params)
            by_sql = {r[0] for r in cur.fetchall()}
        assert by_q == expected, group
        assert by_sql == expected, group
    # Any group: the union.
    anyone = {pk for pk, spec in people.items() if spec.expected}
    assert set(Person.objects.filter(groups.q(ON)).values_list("pk", flat=True)) == anyone
    # groups_of reads the same rows from the database.
    for pk, spec in people.items():
        got = groups.groups_of(Person.objects.get(pk=pk), ON)
        assert set(got) == spec.expected and got == [g for g in groups.KEY_GROUPS if g in got]


def test_eight_groups_in_the_plan_order() -> None:
    assert [groups.label(g) for g in groups.KEY_GROUPS] == [
        "独居",
        "空巢",
        "留守",
        "特困",
        "高龄（80周岁及以上）",
        "失能（含失智）",
        "重残（一级、二级残疾）",
        "计划生育特殊家庭",
    ]
    with pytest.raises(ValueError):
        groups.q(ON, ["minimum_living"])


def test_visits_and_benefits_read_the_same_definition(monkeypatch: Any) -> None:
    """The visit roster's targets ARE the key groups, and the 探访关爱 item's rule is the
    key_group leaf, which evaluates through people.groups in both its forms."""
    from yanglao.benefits import catalog, query, rules
    from yanglao.visits import choices as visit_choices
    from yanglao.visits import selectors as visit_selectors
    from yanglao.visits import services as visit_services

    assert visit_choices.SPECIAL_CATEGORIES is groups.KEY_GROUPS
    n13 = next(it for it in catalog.NATIONAL if it["code"] == "N13")
    assert n13["rule"] == catalog.KEY_GROUP_RULE
    assert {"kind": "key_group"} in n13["rule"]["all"]
    # Both sides call groups.q / groups.sql: replace them and watch the calls.
    calls: list[str] = []
    real_q, real_sql = groups.q, groups.sql

    def spy_q(*a: Any, **k: Any) -> Any:
        calls.append("q")
        return real_q(*a, **k)

    def spy_sql(*a: Any, **k: Any) -> Any:
        calls.append("sql")
        return real_sql(*a, **k)

    monkeypatch.setattr(groups, "q", spy_q)
    monkeypatch.setattr(groups, "sql", spy_sql)
    query.compile_rule(n13["rule"], ON)
    assert calls == ["q"]
    calls.clear()
    visit_services._targets_sql({C.LIVING_ALONE, "advanced_age"}, ON)
    assert calls == ["sql"]
    calls.clear()
    visit_selectors.coverage_counts(
        low="220102000000", high="220102999999", month=ON, group_len=6, by_category=False
    )
    assert "sql" in calls
    calls.clear()
    monkeypatch.setattr(groups, "groups_on", _spy_groups_on(calls, groups.groups_on))
    rules.evaluate({"kind": "key_group"}, rules.Facts(birth_date=YOUNG, region_code="x"), ON)
    assert calls == ["groups_on"]


def _spy_groups_on(calls: list[str], real: Any) -> Any:
    def spy(**k: Any) -> Any:
        calls.append("groups_on")
        return real(**k)

    return spy
