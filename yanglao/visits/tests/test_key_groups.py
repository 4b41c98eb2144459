"""Issue 10: the eight key groups in the visit roster, tasks and 月探访率 (高龄 derived from the
age, 失能 including 失智, 重残 derived from the disability grade), home-dwelling people only,
the same set as the 探访关爱 service item, and phone counting set by a province or city."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from yanglao.accounts.roles import Role
from yanglao.benefits import catalog, query
from yanglao.people import services as people
from yanglao.people.choices import Category as C
from yanglao.people.models import Person
from yanglao.people.testing import certificate_for
from yanglao.regions.models import Region
from yanglao.visits import policy, selectors, services
from yanglao.visits.choices import Method
from yanglao.visits.models import VisitTask
from yanglao.visits.testing import visit_input

from .conftest import V1, World

pytestmark = pytest.mark.django_db
JUNE = date(2026, 6, 1)
OLD = date(1940, 5, 1)  # 86 in June 2026


@pytest.fixture
def people_june(world: World) -> dict[str, Person]:
    policy.ensure_national_defaults()
    w = world
    out = {
        "old": w.person(name="高龄", tags=(), birth=OLD),
        "turns80": w.person(name="满八十", tags=(), birth=date(1946, 6, 1)),  # 80 on 1 June
        "turns80later": w.person(name="未满", tags=(), birth=date(1946, 6, 2)),
        "old_inst": w.person(
            name="机构", tags=(C.LIVING_ALONE,), birth=OLD, dwelling="institution"
        ),
        "grade2": w.person(name="二级", tags=()),
        "grade3": w.person(name="三级", tags=()),
        "dementia": w.person(name="失智", tags=()),
        "plain": w.person(name="普通", tags=()),
    }
    for key, grade in (("grade2", "2"), ("grade3", "3")):
        p = out[key]
        people.disability_add(
            actor=w.county,
            person=p,
            kind="4",
            grade=grade,
            certificate=certificate_for(p.id_number, "4", grade),
            issue_date=date(2024, 1, 1),
        )
    people.dementia_add(
        actor=w.county,
        person=out["dementia"],
        source="hospital",
        diagnosed_on=date(2025, 3, 1),
        reference="吉林大学第一医院",
    )
    return out


def roster(world: World) -> set[str]:
    township = Region.objects.get(code="220102001000")
    return {
        p.name for p in selectors.coverage_people(user=world.county, region=township, month=JUNE)
    }


def test_roster_is_the_key_groups_at_home(world: World, people_june) -> None:
    assert roster(world) == {"高龄", "满八十", "二级", "失智"}
    township = Region.objects.get(code="220102001000")
    cats = dict(selectors.coverage_by_category(user=world.county, region=township, month=JUNE))
    got = {k: v.roster for k, v in cats.items() if v.roster}
    assert got == {"advanced_age": 2, C.DISABLED: 1, C.SEVERE_DISABILITY: 1}
    _rows, total = selectors.coverage_table(user=world.county, region=township, month=JUNE)
    assert total.roster == 4


def test_tasks_monthly_for_key_groups_none_for_institution(world: World, people_june) -> None:
    services.tasks_generate(month=JUNE)
    kinds = {t.person.name: t.period_kind for t in VisitTask.objects.select_related("person").all()}
    assert kinds == {
        "高龄": "month",
        "满八十": "month",
        "二级": "month",
        "失智": "month",
        "未满": "quarter",  # not yet 80 on the month's first day
        "三级": "quarter",  # 三级 is not 重残 any more
        "普通": "quarter",
    }  # 机构 (in an institution) gets no home-visit task at all


def test_visited_80_plus_counts_toward_the_rate(world: World, people_june) -> None:
    services.visit_record(
        actor=world.worker1,
        person=people_june["old"],
        data=visit_input(date(2026, 6, 3)),
        client_uuid=uuid.uuid4(),
        today=date(2026, 6, 3),
    )
    township = Region.objects.get(code="220102001000")
    _rows, total = selectors.coverage_table(
        user=world.county, region=township, month=JUNE, category="advanced_age"
    )
    assert (total.roster, total.visited) == (2, 1)


def test_n13_eligibility_is_exactly_the_roster(world: World, people_june) -> None:
    n13 = next(it for it in catalog.NATIONAL if it["code"] == "N13")
    eligible = {
        p.name
        for p in Person.objects.filter(region__code__startswith="220102001").filter(
            query.eligible_q(n13["rule"], JUNE)
        )
    }
    assert eligible == roster(world)
    facts = query.facts_for(Person.objects.values_list("pk", flat=True))
    from yanglao.benefits import rules

    by_python = {
        Person.objects.get(pk=pk).name
        for pk, f in facts.items()
        if rules.evaluate(n13["rule"], f, JUNE).value is True
    }
    assert by_python == eligible


def test_province_may_count_phone_county_may_not(world: World, make_user, people_june) -> None:
    province = make_user(Role.PROVINCE_OFFICER, "22")
    with pytest.raises(services.VisitInvalid) as exc:
        services.counting_rule_add(
            actor=world.county,
            region_code="220102",
            methods=[Method.DOOR, Method.VIDEO, Method.PHONE],
            effective_from=JUNE,
            document_no="南民发〔2026〕1号",
        )
    assert "只有省、市两级" in exc.value.errors["methods"][0]
    services.visit_record(
        actor=world.worker1,
        person=people_june["old"],
        data=visit_input(date(2026, 6, 3), method=Method.PHONE),
        client_uuid=uuid.uuid4(),
        today=date(2026, 6, 3),
    )
    village = Region.objects.get(code=V1)
    _rows, total = selectors.coverage_table(user=world.county, region=village, month=JUNE)
    assert total.visited == 0  # national default: phone does not count
    services.counting_rule_add(
        actor=province,
        region_code="22",
        methods=[Method.DOOR, Method.VIDEO, Method.PHONE],
        effective_from=JUNE,
        document_no="吉民发〔2026〕1号",
    )
    _rows, total = selectors.coverage_table(user=world.county, region=village, month=JUNE)
    assert total.visited == 1  # the province's 电话问候 counts in 南关区 too
    # The county may still narrow it back (strictest wins below the province).
    services.counting_rule_add(
        actor=world.county,
        region_code="220102",
        methods=[Method.DOOR, Method.VIDEO],
        effective_from=date(2026, 6, 2),
        document_no="南民发〔2026〕2号",
    )
    _rows, total = selectors.coverage_table(
        user=world.county, region=village, month=date(2026, 7, 1)
    )
    assert total.visited == 0
