"""Property: the Python form (one person, three-valued) and the SQL form (set-based) of the
engine agree on random populations and random rule trees: the set the SQL "true" query
returns is exactly the persons the Python form calls eligible, and likewise for "false"."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yanglao.assessments.models import Assessment
from yanglao.benefits import query, rules
from yanglao.people import groups
from yanglao.people.models import Dementia, Disability, Person, PersonCategory

pytestmark = pytest.mark.django_db

ON = date(2026, 11, 15)
VILLAGES = ["220102001001", "220102002001", "220204001001"]
GRADES = ["轻度", "中度", "重度", "完全"]

leaf = st.one_of(
    st.builds(
        lambda lo, span: {"kind": "age", "min": lo, "max": None if span is None else lo + span},
        st.integers(60, 100),
        st.one_of(st.none(), st.integers(0, 15)),
    ).map(lambda r: {k: v for k, v in r.items() if v is not None}),
    st.lists(st.sampled_from(list(rules.CATEGORY_LABELS)), min_size=1, max_size=3, unique=True).map(
        lambda v: {"kind": "category", "in": v}
    ),
    st.lists(st.sampled_from(rules.ECONOMIC), min_size=1, max_size=3, unique=True).map(
        lambda v: {"kind": "economic", "in": v}
    ),
    st.lists(st.integers(0, 4), min_size=1, max_size=4, unique=True).map(
        lambda v: {"kind": "assessment_grade", "in": v}
    ),
    st.lists(st.sampled_from(rules.DISABILITY_GRADES), min_size=1, max_size=3, unique=True).map(
        lambda v: {"kind": "disability_grade", "in": v}
    ),
    st.just({"kind": "key_group"}),
    st.lists(st.sampled_from(groups.KEY_GROUPS), min_size=1, max_size=3, unique=True).map(
        lambda v: {"kind": "key_group", "in": v}
    ),
    st.sampled_from([["home"], ["institution"], ["home", "institution"]]).map(
        lambda v: {"kind": "dwelling", "in": v}
    ),
    st.just({"kind": "alive"}),
    st.sampled_from(["22", "220102", "220102001", "220204"]).map(
        lambda r: {"kind": "residence", "region": r}
    ),
    st.sampled_from(["22", "220102", "220102001", "220204"]).map(
        lambda r: {"kind": "hukou", "region": r}
    ),
    st.just({"kind": "manual", "label": "需求"}),
)
trees = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda v: {"all": v}),
        st.lists(inner, min_size=1, max_size=3).map(lambda v: {"any": v}),
        inner.map(lambda v: {"not": v}),
    ),
    max_leaves=6,
)
some_day = st.one_of(st.sampled_from([-1, 0, 1]), st.integers(-3000, 60)).map(
    lambda d: ON + timedelta(days=d)
)


@st.composite
def person_spec(draw: Any) -> dict[str, Any]:
    tags = []
    for category in draw(
        st.lists(st.sampled_from(list(rules.CATEGORY_LABELS)), max_size=4, unique=True)
    ):
        start = draw(some_day)
        length = draw(st.one_of(st.none(), st.integers(0, 400)))
        end = None if length is None else start + timedelta(days=length)
        grade = ""
        if category == rules.DISABLED:
            grade = draw(st.sampled_from(GRADES))
        tags.append((category, grade, start, end))
    disabilities = []
    if draw(st.booleans()):
        start = draw(some_day)
        length = draw(st.one_of(st.none(), st.integers(0, 400)))
        grade = draw(st.sampled_from(["1", "2", "3", "4", rules.SEVERE_UNKNOWN]))
        disabilities.append((grade, start, None if length is None else start + timedelta(length)))
    dementia = []
    if draw(st.booleans()):
        start = draw(some_day)
        dementia.append((start, draw(st.sampled_from([None, start, start + timedelta(30)]))))
    return {
        # Birthdays on, just before and just after the date: the age boundaries.
        "birth": rules.years_before_birth(ON, -draw(st.integers(58, 102)))
        + timedelta(days=draw(st.sampled_from([-1, 0, 1, 0, 17]))),
        "village": draw(st.sampled_from(VILLAGES)),
        "status": draw(st.sampled_from(["alive", "alive", "deceased", "moved_out"])),
        "status_date": draw(some_day),
        "assessed": draw(st.one_of(st.none(), some_day)),
        "tags": tags,
        "disabilities": disabilities,
        "dementia": dementia,
        "hukou": draw(st.sampled_from([None, *VILLAGES])),
        "dwelling": draw(st.sampled_from(["home", "home", "institution"])),
    }


@pytest.fixture
def assessor(make_user: Any) -> Any:
    from yanglao.accounts.roles import Role

    return make_user(Role.ASSESSOR, "22", mode="search")


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(population=st.lists(person_spec(), min_size=1, max_size=20), rule=trees)
def test_python_and_sql_forms_agree(
    regions: None, assessor: Any, population: list[dict[str, Any]], rule: rules.Rule
) -> None:
    assert rules.check_rule(rule) == []
    with transaction.atomic():
        ids = []
        for i, spec in enumerate(population):
            p = Person.objects.create(
                name=f"测{i}",
                sex="F",
                birth_date=spec["birth"],
                id_number_cipher="x",
                id_number_hash=f"h{i}",
                id_number_masked="x",
                region_id=spec["village"],
                household_region_id=spec["hukou"] or spec["village"],
                dwelling=spec["dwelling"],
                life_status=spec["status"],
                status_date=None if spec["status"] == "alive" else spec["status_date"],
            )
            ids.append(p.pk)
            PersonCategory.objects.bulk_create(
                PersonCategory(person=p, category=c, grade=g, start_date=s, end_date=e)
                for c, g, s, e in spec["tags"]
            )
            Disability.objects.bulk_create(
                Disability(person=p, grade=g, start_date=s, end_date=e)
                for g, s, e in spec["disabilities"]
            )
            Dementia.objects.bulk_create(
                Dementia(person=p, diagnosed_on=s, end_date=e, source="hospital")
                for s, e in spec["dementia"]
            )
            if spec["assessed"] is not None:
                Assessment.objects.create(
                    person=p,
                    reason="first",
                    assessment_date=spec["assessed"],
                    status="final",
                    final_grade=0,
                    assessor=assessor,
                )
        facts = query.facts_for(ids)
        verdicts = {pid: rules.evaluate(rule, facts[pid], ON).value for pid in ids}
        true_q, false_q = query.compile_rule(rule, ON)
        sql_true = set(
            Person.objects.filter(pk__in=ids).filter(true_q).values_list("pk", flat=True)
        )
        sql_false = set(
            Person.objects.filter(pk__in=ids).filter(false_q).values_list("pk", flat=True)
        )
        assert sql_true == {pid for pid, v in verdicts.items() if v is True}, rule
        assert sql_false == {pid for pid, v in verdicts.items() if v is False}, rule
        transaction.set_rollback(True)
