"""月探访率 against a hand-computed fixture (June 2026, 南岭街道)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from yanglao.people import services as people
from yanglao.people.choices import Category as C
from yanglao.regions.models import Region
from yanglao.visits import selectors, services
from yanglao.visits.choices import Method
from yanglao.visits.testing import visit_input

from .conftest import V1, V2, World

pytestmark = pytest.mark.django_db
JUNE = date(2026, 6, 1)


def visit(world: World, person, day: date, method: str = Method.DOOR, **kw):
    worker = world.worker1 if person.region_id == V1 else world.worker2
    return services.visit_record(
        actor=worker,
        person=person,
        data=visit_input(day, method=method),
        client_uuid=uuid.uuid4(),
        today=date(2026, 7, 2),
        **kw,
    ).record


@pytest.fixture
def june(world: World) -> dict[str, object]:
    w = world
    a = w.person(name="甲")  # 独居, door visit → counted
    b = w.person(name="乙", tags=(C.EMPTY_NEST, C.LIVING_ALONE))  # phone only → not counted
    c = w.person(name="丙", tags=(C.DISABLED,))  # video → counted
    d = w.person(name="丁", tags=(C.MINIMUM_LIVING,))  # 低保 only: not on the roster
    e = w.person(name="戊")  # died 20 May: not on the roster
    f = w.person(name="己")  # died 10 June: on the roster (registered at month start), unvisited
    g = w.person(name="庚", tag_start=date(2026, 6, 2))  # tagged after 1 June: not on roster
    h = w.person(name="辛")  # visited 31 May only → not visited in June
    i = w.person(name="壬")  # June visit corrected to 30 May → not visited in June
    j = w.person(V2, name="癸", tags=(C.SEVERE_DISABILITY,))  # door → counted
    k = w.person(V2, name="子", tags=())  # 特困 ended 1 June (exclusive): not on roster
    people.person_category_add(
        actor=w.county, person=k, category=C.EXTREME_POVERTY, start=date(2025, 1, 1)
    )
    tag = k.categories.get()
    people.person_category_end(actor=w.county, tag=tag, end=date(2026, 6, 1))
    people.person_record_death(
        actor=w.county,
        person=e,
        on=date(2026, 5, 20),
        reason="病故",
        expected_version=1,
        today=date(2026, 5, 21),
    )
    people.person_record_death(
        actor=w.county,
        person=f,
        on=date(2026, 6, 10),
        reason="病故",
        expected_version=1,
        today=date(2026, 6, 11),
    )
    visit(w, a, date(2026, 6, 3))
    visit(w, a, date(2026, 6, 20))  # two visits, one person
    visit(w, b, date(2026, 6, 5), Method.PHONE)
    visit(w, c, date(2026, 6, 10), Method.VIDEO)
    visit(w, d, date(2026, 6, 10))
    visit(w, g, date(2026, 6, 12))
    visit(w, h, date(2026, 5, 31))
    wrong = visit(w, i, date(2026, 6, 3))
    visit(w, i, date(2026, 5, 30), supersedes=wrong)
    visit(w, j, date(2026, 6, 15))
    return {"names": {p.name: p for p in (a, b, c, d, e, f, g, h, i, j, k)}}


def test_coverage_by_village_and_total(world: World, june) -> None:
    township = Region.objects.get(code="220102001000")
    rows, total = selectors.coverage_table(user=world.county, region=township, month=JUNE)
    by = {r.code: (r.roster, r.visited) for r in rows}
    assert by[V1] == (6, 2)  # 甲 乙 丙 己 辛 壬 on the roster; 甲 丙 counted
    assert by[V2] == (1, 1)  # 癸
    assert (total.roster, total.visited) == (7, 3)
    assert total.percent == "42.9%"
    assert sum(r.roster for r in rows if r.code not in (V1, V2)) == 0


def test_coverage_by_category(world: World, june) -> None:
    township = Region.objects.get(code="220102001000")
    cats = dict(selectors.coverage_by_category(user=world.county, region=township, month=JUNE))
    got = {k: (v.roster, v.visited) for k, v in cats.items() if v.roster}
    assert got == {
        C.LIVING_ALONE: (5, 1),  # 甲 乙 己 辛 壬; only 甲
        C.EMPTY_NEST: (1, 0),
        C.DISABLED: (1, 1),
        C.SEVERE_DISABILITY: (1, 1),
    }
    _rows, total = selectors.coverage_table(
        user=world.county, region=township, month=JUNE, category=C.LIVING_ALONE
    )
    assert (total.roster, total.visited) == (5, 1)


def test_lists_behind_the_numbers(world: World, june) -> None:
    township = Region.objects.get(code="220102001000")
    missing = selectors.coverage_people(
        user=world.county, region=township, month=JUNE, visited=False
    )
    assert sorted(p.name for p in missing) == sorted(["乙", "己", "辛", "壬"])
    done = selectors.coverage_people(user=world.county, region=township, month=JUNE, visited=True)
    assert sorted(p.name for p in done) == sorted(["甲", "丙", "癸"])


def test_phone_counts_when_policy_says_so_and_county_may_narrow(world: World, june) -> None:
    services.counting_rule_add(
        actor=world.county,
        region_code="220102",
        methods=[Method.DOOR],
        effective_from=date(2026, 6, 1),
        document_no="南民发〔2026〕9号",
    )
    village = Region.objects.get(code=V1)
    _rows, total = selectors.coverage_table(user=world.county, region=village, month=JUNE)
    assert (total.roster, total.visited) == (6, 1)  # 丙's video no longer counts
    # A national policy change (data, not code) lets phone count elsewhere.
    from yanglao.visits.models import CountingRule

    CountingRule.objects.create(
        region=None,
        methods=["door", "video", "phone"],
        effective_from=date(2026, 6, 1),
        document_no="测试",
    )
    township = Region.objects.get(code="220102001000")
    _rows, total = selectors.coverage_table(user=world.county, region=township, month=JUNE)
    assert (total.roster, total.visited) == (7, 2)  # county still door only: 甲 and 癸


def test_trend_and_workload(world: World, june) -> None:
    township = Region.objects.get(code="220102001000")
    trend = selectors.coverage_trend(user=world.county, region=township, month=JUNE, months=2)
    assert [(m, r.roster, r.visited) for m, r in trend] == [
        (date(2026, 5, 1), 9, 2),  # May: 甲 乙 丙 戊 己 辛 壬 癸 子(特困); 辛 and 壬 visited
        (JUNE, 7, 3),
    ]


def test_node_outside_jurisdiction_is_404(world: World) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.coverage_node(world.outsider, "220102")
