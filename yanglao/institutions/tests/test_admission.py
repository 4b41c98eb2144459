"""Waiting list of public homes: the 长春 §18 priority order as policy data, table-tested,
ranking real ledger facts; admission from the list takes the assessed care grade."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404
from django.test import Client

from yanglao.institutions import admission, services
from yanglao.institutions import admission_rules as ar
from yanglao.institutions.models import AdmissionRequest, AdmissionStatus, Residency
from yanglao.people import services as people
from yanglao.people.choices import Category

from .conftest import TODAY, World

F = ar.Facts


@pytest.mark.parametrize(
    ("facts", "rank", "groups"),
    [
        (F(tekun=True, advanced_age=True), 1, [ar.TEKUN, ar.ADVANCED_AGE]),
        (F(low_income=True, ability_grade=2), 2, [ar.POOR_DISABLED]),
        (F(low_income=True, ability_grade=1), 8, []),  # 轻度: not 中度及以上
        (F(low_income=False, ability_grade=4), 8, []),  # not 低保/低保边缘
        (F(low_income=True, ability_grade=None), 8, []),  # never assessed
        (F(declared_solitary=True), 3, [ar.SOLITARY]),
        (F(disabled_person=True, advanced_age=True), 4, [ar.DISABILITY, ar.ADVANCED_AGE]),
        (F(advanced_age=True), 5, [ar.ADVANCED_AGE]),
        (F(bereaved_family=True), 6, [ar.BEREAVED]),
        (F(declared_military=True), 7, [ar.MILITARY]),
        (F(), 8, []),
    ],
)
def test_rank(facts: ar.Facts, rank: int, groups: list[str]) -> None:
    assert ar.rank(facts) == (rank, groups)


def test_a_local_order_is_data_but_tekun_stays_first() -> None:
    local = (ar.TEKUN, ar.MILITARY, ar.ADVANCED_AGE)
    assert ar.rank(F(declared_military=True, advanced_age=True), local)[0] == 2
    assert ar.rank(F(bereaved_family=True), local)[0] == 4
    assert ar.order_errors(local) == []
    assert ar.order_errors((ar.ADVANCED_AGE, ar.TEKUN)) == ["特困人员须排在第一位（应养尽养）"]
    assert ar.order_errors((ar.TEKUN, ar.TEKUN)) == ["优先顺序中有重复的对象类别"]
    assert ar.order_errors((ar.TEKUN, "vip")) == ["优先顺序中有未知的对象类别"]


pytestmark = pytest.mark.django_db


def _public(world: World) -> None:
    world.home.ownership = "public"
    world.home.save(update_fields=["ownership"])


def test_waiting_list_orders_by_priority_then_date(world: World) -> None:
    _public(world)
    old = world.person(birth=date(1935, 1, 1), name="高龄甲")
    poor = world.person(birth=date(1955, 1, 1), name="特困乙")
    people.person_category_add(
        actor=world.county, person=poor, category=Category.EXTREME_POVERTY, start=date(2020, 1, 1)
    )
    plain = world.person(birth=date(1955, 1, 1), name="一般丙")
    for p, day in ((plain, 1), (old, 2), (poor, 3)):
        admission.request_add(
            actor=world.operator,
            institution=world.home,
            id_number=p.id_number,
            today=date(2026, 11, day),
        )
    rows, source = admission.waiting_list(world.home, TODAY)
    assert [r.request.person.name for r in rows] == ["特困乙", "高龄甲", "一般丙"]
    assert rows[0].labels == ["特困人员"] and "待核实" in source
    with pytest.raises(services.InstitutionInvalid):  # already waiting
        admission.request_add(actor=world.operator, institution=world.home, id_number=old.id_number)
    with pytest.raises(Http404):  # another home's operator
        admission.request_add(
            actor=world.other_operator, institution=world.home, id_number=plain.id_number
        )
    # A county publishes its own order with its 文号: servicemen's families before 高龄.
    admission.priority_publish(
        actor=world.county,
        region_code="220102",
        order=[ar.TEKUN, ar.BEREAVED, ar.ADVANCED_AGE],
        effective_from=date(2026, 1, 1),
        document_no="南民发〔2026〕9号",
    )
    rows, source = admission.waiting_list(world.home, TODAY)
    assert source == "南民发〔2026〕9号"
    with pytest.raises(services.InstitutionInvalid):
        admission.priority_publish(
            actor=world.county,
            region_code="220102",
            order=[ar.ADVANCED_AGE],
            effective_from=date(2026, 1, 1),
            document_no="x",
        )


def test_private_homes_have_no_waiting_list(world: World) -> None:
    p = world.person()
    with pytest.raises(services.InstitutionInvalid) as exc:
        admission.request_add(actor=world.operator, institution=world.home, id_number=p.id_number)
    assert "公办" in exc.value.errors["__all__"][0]


def test_admission_from_the_list_through_the_page(world: World) -> None:
    _public(world)
    p = world.person(birth=date(1935, 1, 1), name="轮候丁")
    bed = services.bed_add(
        actor=world.operator, institution=world.home, room="301", number="1", kind="nursing"
    )
    c = Client()
    c.force_login(world.operator)
    base = f"/institutions/{world.home.public_id}/waiting"
    r = c.post(f"{base}/new/", {"id_number": p.id_number, "declared_solitary": "on"}, follow=True)
    assert "已登记入住申请" in r.content.decode()
    page = c.get(base + "/").content.decode()
    assert "轮候丁" in page and "孤寡老年人" in page and p.id_number not in page
    req = AdmissionRequest.objects.get(person=p)
    r = c.post(f"{base}/{req.public_id}/admit/", {"bed": bed.pk, "start": str(TODAY)}, follow=True)
    assert "已入住" in r.content.decode()
    req.refresh_from_db()
    assert req.status == AdmissionStatus.ADMITTED and req.residency is not None
    assert Residency.objects.get(person=p).care_grade == ""  # never assessed: left blank
    out = Client()
    out.force_login(world.outsider)
    assert out.get(base + "/").status_code == 404


def test_care_grade_comes_from_the_latest_confirmed_assessment(world: World) -> None:
    from yanglao.assessments.models import Assessment

    p = world.person()
    for day, grade, status in ((1, 1, "final"), (5, 3, "final"), (9, 4, "draft")):
        Assessment.objects.create(
            person=p,
            reason="first",
            assessment_date=date(2026, 10, day),
            status=status,
            final_grade=grade,
            assessor=world.county,
        )
    stay = services.resident_admit(
        actor=world.operator,
        institution=world.home,
        id_number=p.id_number,
        bed=None,
        start=TODAY,
        today=TODAY,
    )
    assert stay.care_grade == "能力重度受损（重度失能）"  # the draft (grade 4) does not count
