"""Register, 备案, beds, admission and discharge; scoping by region and by binding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from yanglao.core.models import AuditEvent
from yanglao.institutions import selectors, services
from yanglao.institutions.choices import BedStatus, FilingStatus
from yanglao.institutions.models import Bed, Institution, Residency
from yanglao.people import services as people
from yanglao.people.choices import Category, Dwelling
from yanglao.visits import services as visits
from yanglao.visits.models import VisitTask

from .conftest import OTHER_COUNTY_VILLAGE, TODAY, V1, V2, World, credit_code, institution_input

pytestmark = pytest.mark.django_db

ALL_DOCUMENTS = ["application", "licence", "premises", "fire", "pledge"]


# --- register -----------------------------------------------------------------------------


def test_register_validates_and_audits(world: World) -> None:
    bad = institution_input(
        9,
        credit_code="91350100M000100Y44",
        ownership="public",
        profit="forprofit",
        beds_nursing=120,
        bed_fee_min=2000,
        bed_fee_max=1000,
    )
    with pytest.raises(services.InstitutionInvalid) as exc:
        services.institution_register(actor=world.county, data=bad)
    assert set(exc.value.errors) >= {"credit_code", "profit", "beds_total", "bed_fee_min"}
    assert "校验位" in exc.value.errors["credit_code"][0]
    dup = institution_input(1)  # same credit code as world.home
    with pytest.raises(services.InstitutionInvalid) as exc:
        services.institution_register(actor=world.county, data=dup)
    assert exc.value.errors["credit_code"] == ["该统一社会信用代码的机构已登记"]
    clean = institution_input(3, name="\u202e颐养\x00中心 ")
    inst = services.institution_register(actor=world.county, data=clean)
    assert inst.name == "颐养中心"
    ev = AuditEvent.objects.get(action="institution.register", object_id=str(inst.public_id))
    assert ev.region_code == V1


def test_register_outside_jurisdiction_is_refused(world: World) -> None:
    data = institution_input(4, OTHER_COUNTY_VILLAGE, credit_code=credit_code(4, area="220204"))
    with pytest.raises(services.InstitutionInvalid) as exc:
        services.institution_register(actor=world.county, data=data)
    assert "不在您的辖区内" in exc.value.errors["region_code"][0]
    with pytest.raises(services.NotPermitted):
        services.institution_register(actor=world.operator, data=institution_input(5))


def test_update_by_another_county_is_404_and_versions_are_checked(world: World) -> None:
    data = services.InstitutionInput.of(world.home)
    with pytest.raises(Http404):
        services.institution_update(
            actor=world.outsider, institution=world.home, data=data, expected_version=1
        )
    data.beds_total, data.beds_nursing = 120, 80
    inst = services.institution_update(
        actor=world.county, institution=world.home, data=data, expected_version=1
    )
    assert inst.version == 2 and inst.beds_nursing == 80
    with pytest.raises(services.InstitutionInvalid):
        services.institution_update(
            actor=world.county, institution=world.home, data=data, expected_version=1
        )


# --- scope --------------------------------------------------------------------------------


def test_operator_sees_only_the_bound_institution(world: World) -> None:
    assert list(selectors.institutions(world.operator)) == [world.home]
    assert list(selectors.institutions(world.other_operator)) == [world.other_home]
    assert set(selectors.institutions(world.county)) == {world.home, world.other_home}
    assert not selectors.institutions(world.outsider).exists()
    assert not selectors.institutions(world.worker).exists()  # no capability
    with pytest.raises(Http404):
        selectors.institution_get(user=world.operator, public_id=world.other_home.public_id)
    with pytest.raises(Http404):
        services.bed_add(
            actor=world.operator, institution=world.other_home, room="1", number="1", kind="general"
        )


def test_operator_bind_only_operator_accounts(world: World) -> None:
    with pytest.raises(services.InstitutionInvalid):
        services.operator_bind(actor=world.county, institution=world.home, user=world.worker)
    with pytest.raises(Http404):
        services.operator_bind(
            actor=world.outsider, institution=world.home, user=world.other_operator
        )


# --- 备案 ---------------------------------------------------------------------------------


def test_filing_receipt_or_completion(world: World) -> None:
    with pytest.raises(services.InstitutionInvalid) as exc:
        services.filing_submit(
            actor=world.operator, institution=world.home, kind="new", documents=[], pledge=False
        )
    assert "承诺书" in exc.value.errors["pledge"][0]
    filing = services.filing_submit(
        actor=world.operator,
        institution=world.home,
        kind="new",
        documents=["application", "licence"],
        pledge=True,
        today=TODAY,
    )
    world.home.refresh_from_db()
    assert world.home.filing_status == FilingStatus.PENDING
    with pytest.raises(services.InstitutionInvalid):  # one open filing at a time
        services.filing_submit(
            actor=world.operator, institution=world.home, kind="new", documents=[], pledge=True
        )
    assert list(selectors.filing_queue(user=world.county)) == [filing]
    assert not selectors.filing_queue(user=world.outsider).exists()
    with pytest.raises(services.InstitutionInvalid) as exc:
        services.filing_decide(actor=world.county, filing=filing, receipt=True)
    assert "缺：" in exc.value.errors["__all__"][0]
    with pytest.raises(services.InstitutionInvalid):
        services.filing_decide(actor=world.county, filing=filing, receipt=False, reason=" ")
    with pytest.raises(services.NotPermitted):
        services.filing_decide(actor=world.operator, filing=filing, receipt=False, reason="x")
    services.filing_decide(
        actor=world.county, filing=filing, receipt=False, reason="请补充消防验收凭证", today=TODAY
    )
    world.home.refresh_from_db()
    assert world.home.filing_status == FilingStatus.INCOMPLETE
    again = services.filing_submit(
        actor=world.operator,
        institution=world.home,
        kind="new",
        documents=ALL_DOCUMENTS,
        pledge=True,
        today=TODAY,
    )
    done = services.filing_decide(actor=world.county, filing=again, receipt=True, today=TODAY)
    assert done.receipt_no.startswith("备220102")
    world.home.refresh_from_db()
    assert world.home.filing_status == FilingStatus.FILED and world.home.filed_on == TODAY


def test_late_filing_and_expired_licence_are_listed(world: World) -> None:
    Institution.objects.filter(pk=world.home.pk).update(first_admission_on=date(2026, 11, 2))
    Institution.objects.filter(pk=world.other_home.pk).update(
        licence_valid_until=date(2026, 10, 31), filing_status=FilingStatus.FILED
    )
    # 10 working days after Monday 2 November: due Monday 16 November.
    assert selectors.for_action(user=world.county, today=date(2026, 11, 16)) == [
        selectors.Overdue(
            Institution.objects.get(pk=world.other_home.pk),
            date(2026, 10, 31),
            "证照已于2026-10-31过期，仍在运营",
        )
    ]
    rows = selectors.for_action(user=world.county, today=date(2026, 11, 17))
    assert [r.institution.pk for r in rows] == [world.home.pk, world.other_home.pk]
    assert "逾期未备案" in rows[0].why
    assert selectors.for_action(user=world.outsider, today=date(2026, 11, 17)) == []


def test_late_filing_deadline_counts_the_spring_festival(world: World) -> None:
    # First admission Friday 13 February 2026: 10 working days on the seeded calendar are
    # Sat 14 (调休上班), 24–27 February, Sat 28 (调休上班), 2–5 March → due Thursday 5 March
    # (weekends only it would have been Friday 27 February).
    Institution.objects.filter(pk=world.home.pk).update(first_admission_on=date(2026, 2, 13))
    assert selectors.for_action(user=world.county, today=date(2026, 3, 5)) == []
    [row] = selectors.for_action(user=world.county, today=date(2026, 3, 6))
    assert row.institution.pk == world.home.pk and row.due == date(2026, 3, 5)


# --- residents ----------------------------------------------------------------------------


def test_admission_is_a_life_event_and_discharge_returns_home(world: World) -> None:
    p = world.person(V2, birth=date(1940, 5, 1))
    people.person_category_add(
        actor=world.county, person=p, category=Category.LIVING_ALONE, start=date(2024, 1, 1)
    )
    visits.tasks_generate(month=date(2026, 11, 1))
    assert VisitTask.objects.filter(person=p, status="pending").exists()
    bed = services.bed_add(
        actor=world.operator, institution=world.home, room="101", number="1", kind="nursing"
    )
    with pytest.raises(services.InstitutionInvalid):  # same bed twice
        services.bed_add(
            actor=world.operator, institution=world.home, room="101", number="1", kind="nursing"
        )
    r = services.resident_admit(
        actor=world.operator,
        institution=world.home,
        id_number=p.id_number,
        bed=bed,
        start=date(2026, 11, 20),
        bed_fee=Decimal(1200),
        meal_fee=Decimal(450),
        today=TODAY,
    )
    assert (r.bed_fee, r.care_fee, r.meal_fee, r.monthly_fee) == (1200, None, 450, 1650)
    p.refresh_from_db()
    assert p.dwelling == Dwelling.INSTITUTION and p.region_id == V1  # the home's village
    assert Bed.objects.get(pk=bed.pk).status == BedStatus.OCCUPIED
    assert not VisitTask.objects.filter(person=p, status__in=["pending", "overdue"]).exists()
    assert AuditEvent.objects.filter(action="visit.tasks_cancel", object_id=str(p.public_id))
    world.home.refresh_from_db()
    assert world.home.first_admission_on == date(2026, 11, 20)
    with pytest.raises(services.InstitutionInvalid) as exc:  # already living in a home
        services.resident_admit(
            actor=world.other_operator,
            institution=world.other_home,
            id_number=p.id_number,
            bed=None,
            start=TODAY,
            today=TODAY,
        )
    assert "已在一家养老机构入住" in exc.value.errors["id_number"][0]
    services.resident_discharge(
        actor=world.operator,
        residency=r,
        end=TODAY,
        reason="discharge",
        home_region_code=V2,
        today=TODAY,
    )
    p.refresh_from_db()
    assert p.dwelling == Dwelling.HOME and p.region_id == V2
    assert Bed.objects.get(pk=bed.pk).status == BedStatus.FREE


def test_admission_refuses_unknown_or_dead_people_and_future_dates(world: World) -> None:
    with pytest.raises(services.InstitutionInvalid) as exc:
        services.resident_admit(
            actor=world.operator,
            institution=world.home,
            id_number="110101194001010011",
            bed=None,
            start=date(2026, 12, 1),
            today=TODAY,
        )
    assert set(exc.value.errors) == {"id_number", "start"}
    with pytest.raises(services.InstitutionInvalid) as exc:  # fee items: 0 ≤ fee < 1,000,000
        services.resident_admit(
            actor=world.operator,
            institution=world.home,
            id_number="110101194001010011",
            bed=None,
            start=TODAY,
            bed_fee=Decimal(-1),
            care_fee=services.MAX_MONTHLY_FEE,
            meal_fee=Decimal(0),
            today=TODAY,
        )
    assert {"bed_fee", "care_fee"} <= set(exc.value.errors) and "meal_fee" not in exc.value.errors
    p = world.person()
    people.person_record_death(
        actor=world.county, person=p, on=TODAY, reason="病故", expected_version=p.version
    )
    with pytest.raises(services.InstitutionInvalid):
        services.resident_admit(
            actor=world.operator,
            institution=world.home,
            id_number=p.id_number,
            bed=None,
            start=TODAY,
            today=TODAY,
        )


def test_death_on_the_ledger_ends_the_stay_and_frees_the_bed(world: World) -> None:
    p = world.person()
    bed = services.bed_add(
        actor=world.county, institution=world.home, room="102", number="2", kind="general"
    )
    services.resident_admit(
        actor=world.operator,
        institution=world.home,
        id_number=p.id_number,
        bed=bed,
        start=date(2026, 11, 1),
        today=TODAY,
    )
    p.refresh_from_db()
    people.person_record_death(
        actor=world.county, person=p, on=TODAY, reason="病故", expected_version=p.version
    )
    r = Residency.objects.get(person=p)
    assert r.end == TODAY and r.end_reason == "death"
    assert Bed.objects.get(pk=bed.pk).status == BedStatus.FREE
    ev = AuditEvent.objects.get(action="institution.follow_close")
    assert ev.region_code == V1 and ev.object_id == str(p.public_id)


def test_a_resident_cannot_be_edited_back_home_by_hand(world: World) -> None:
    from yanglao.people.testing import person_input

    p = world.person()
    services.resident_admit(
        actor=world.operator,
        institution=world.home,
        id_number=p.id_number,
        bed=None,
        start=date(2026, 11, 1),
        today=TODAY,
    )
    p.refresh_from_db()
    data = person_input(p.region_id, seq=1)
    data.id_number, data.name, data.birth_date, data.sex = p.id_number, p.name, p.birth_date, p.sex
    data.dwelling = Dwelling.HOME
    with pytest.raises(people.PersonInvalid) as exc:
        people.person_update(actor=world.county, person=p, data=data, expected_version=p.version)
    assert "办理离院" in exc.value.errors["dwelling"][0]
    p.refresh_from_db()
    assert p.dwelling == Dwelling.INSTITUTION  # nothing half-written
