"""Services and selectors of the community programmes: writes audited, scoped, paid once."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.community.models import (
    CatalogueItem,
    FacilityKind,
    HomeBedContract,
    MealRecord,
    MealSettlementLine,
    ModificationItem,
    ProviderStaff,
    ServiceLog,
    VillagePoint,
)
from yanglao.community.programmes import selectors, services
from yanglao.community.programmes.choices import CaseStatus
from yanglao.community.programmes.testing import assessed, make_site
from yanglao.community.tests.programmes.conftest import World
from yanglao.core.models import AuditEvent
from yanglao.people import services as people

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _bed(w: World, person: Any, **kw: Any) -> HomeBedContract:
    today = timezone.localdate()
    data = services.BedInput(
        provider=w.provider,
        start=today - timedelta(days=40),
        assessed_on=today - timedelta(days=45),
        min_services=4,
        items=list(CatalogueItem.objects.filter(code__in=["HB01", "BC01"])),
        devices=[("nursing_bed", today - timedelta(days=40), "")],
        **kw,
    )
    return services.homebed_contract_create(actor=w.county, person=person, data=data)


def _log(w: World, person: Any, code: str, on: date, status: str = "confirmed") -> ServiceLog:
    return ServiceLog.objects.create(
        client_uuid=uuid.uuid4(),
        person=person,
        region_id=person.region_id,
        provider=w.provider,
        item=CatalogueItem.objects.get(code=code),
        service_date=on,
        status=status,
    )


# --- 家庭养老床位 -------------------------------------------------------------------------


def test_homebed_refused_without_hardship_or_assessment(world: World) -> None:
    p = world.people[0]
    with pytest.raises(services.ProgrammeInvalid) as e:
        _bed(world, p)
    text = "".join(e.value.errors["__all__"])
    assert "经济困难" in text and "能力评估" in text
    assert not HomeBedContract.objects.exists()


def test_homebed_contract_and_monitoring_counts_linked_items_only(world: World) -> None:
    a, b = world.people[0], world.people[1]
    for p in (a, b):
        world.tag(p, "minimum_living")
        assessed(p, 2, world.county)
    bed_a, bed_b = _bed(world, a), _bed(world, b)
    assert AuditEvent.objects.filter(action="homebed.contract").count() == 2
    assert bed_a.devices.count() == 1
    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(4):
        _log(world, a, "HB01", first)
    _log(world, b, "BC01", first)  # an item of the contract: counts
    _log(world, b, "SC04", first)  # 助洁: not in the contract, not counted
    _log(world, b, "HB01", first, status="no_show")  # not delivered
    _log(world, b, "HB01", first - timedelta(days=1))  # last month
    found: list[Any] = list(selectors.homebeds(user=world.county, month=today))
    rows = {r.pk: r.delivered for r in found}
    assert rows == {bed_a.pk: 4, bed_b.pk: 1}
    # Another county sees none of it; a second active bed for the same person is refused.
    assert not selectors.homebeds(user=world.outsider, month=today).exists()
    with pytest.raises(services.ProgrammeInvalid):
        _bed(world, a)


def test_homebed_monitor_is_one_query(world: World, django_assert_max_num_queries: Any) -> None:
    for p in world.people[:3]:
        world.tag(p, "extreme_poverty")
        assessed(p, 3, world.county)
        _bed(world, p)
    with django_assert_max_num_queries(2):
        list(selectors.homebeds(user=world.county, month=timezone.localdate()))


# --- 老年助餐 ----------------------------------------------------------------------------


def test_diner_tier_from_categories_and_meal_recorded_once(world: World) -> None:
    p = world.people[0]
    world.tag(p, "minimum_living")
    today = timezone.localdate()
    diner = services.diner_enrol(
        actor=world.county, person=p, site=world.site, enrolled_on=today - timedelta(days=3)
    )
    assert diner.tier == "t1"
    r1, created = services.meal_record(
        actor=world.worker, site=world.site, diner=diner, meal_date=today, meal="lunch"
    )
    r2, again = services.meal_record(
        actor=world.worker, site=world.site, diner=diner, meal_date=today, meal="lunch"
    )
    assert created and not again and r1.pk == r2.pk
    assert AuditEvent.objects.filter(action="meal.record").count() == 1
    with pytest.raises(services.ProgrammeInvalid):
        services.meal_record(
            actor=world.worker,
            site=world.site,
            diner=diner,
            meal_date=today + timedelta(days=1),
            meal="lunch",
        )
    with pytest.raises(Http404):
        services.meal_record(
            actor=world.outsider, site=world.site, diner=diner, meal_date=today, meal="dinner"
        )


def test_provider_staff_record_at_their_own_sites_only(world: World, make_user: Any) -> None:
    staff = make_user(Role.PROVIDER_WORKER, "220102", mode="stats")
    ProviderStaff.objects.create(provider=world.provider, user=staff, role="worker")
    today = timezone.localdate()
    diner = services.diner_enrol(
        actor=world.county, person=world.people[0], site=world.site, enrolled_on=today
    )
    services.meal_record(actor=staff, site=world.site, diner=diner, meal_date=today, meal="lunch")
    assert [s.pk for s in selectors.meal_sites(user=staff)] == [world.site.pk]
    other = make_site(
        world.provider.__class__.objects.create(
            credit_code="52220102MJ00000999",
            name="另一家",
            kind="catering",
            region_id="220102000000",
            address="x",
        ),
        "220102001002",
        name="别家助餐点",
        kind=FacilityKind.MEAL_POINT,
    )
    assert other not in selectors.meal_sites(user=staff)
    with pytest.raises(Http404):
        selectors.meal_site_get(user=staff, public_id=other.public_id)


def _till(rows: list[list[str]]) -> list[list[str]]:
    return [["序号", "身份证号码", "姓名", "就餐日期", "餐次"], *rows]


def test_till_import_all_or_nothing_with_reasons(world: World) -> None:
    today = timezone.localdate()
    a, b = world.people[0], world.people[1]
    for p in (a, b):
        services.diner_enrol(
            actor=world.county, person=p, site=world.site, enrolled_on=today - timedelta(days=5)
        )
    day = (today - timedelta(days=1)).isoformat()
    bad = _till(
        [
            ["1", a.id_number, a.name, day, "午餐"],
            ["2", "110101194503150012", "外人", day, "午餐"],
            ["3", b.id_number, b.name, "昨天", "夜宵"],
            ["4", a.id_number, a.name, day, "午餐"],
        ]
    )
    report = services.meals_import(actor=world.worker, site=world.site, rows=bad, file_name="t.csv")
    assert [n for n, _ in report.errors] == [3, 4, 5]
    assert "不是本助餐点登记的老人" in report.errors[0][1][0]
    assert any("格式不正确" in r for r in report.errors[1][1])
    assert "重复" in report.errors[2][1][0]
    assert not MealRecord.objects.exists()
    good = _till(
        [
            ["1", a.id_number.lower(), a.name, day, "午餐"],
            ["2", b.id_number, b.name, day.replace("-", "/"), "晚餐"],
        ]
    )
    report = services.meals_import(
        actor=world.worker, site=world.site, rows=good, file_name="t.csv"
    )
    assert (report.created, report.duplicates, report.errors) == (2, 0, [])
    report = services.meals_import(
        actor=world.worker, site=world.site, rows=good, file_name="t.csv"
    )
    assert (report.created, report.duplicates) == (0, 2)
    assert MealRecord.objects.count() == 2


def test_till_import_reads_csv_and_xlsx_through_core_sheets(world: World, tmp_path: Any) -> None:
    from yanglao.core import sheets

    a = world.people[0]
    today = timezone.localdate()
    services.diner_enrol(actor=world.county, person=a, site=world.site, enrolled_on=today)
    path = tmp_path / "till.csv"
    path.write_text(
        f"身份证号码,就餐日期,餐次\n{a.id_number},{today.isoformat()},午餐\n", encoding="gbk"
    )
    rows = list(sheets.open_table(path, "till.csv").rows)
    report = services.meals_import(
        actor=world.worker, site=world.site, rows=rows, file_name="till.csv"
    )
    assert report.created == 1


def test_meal_settlement_pays_once_and_refuses_death_and_institution_stay(
    world: World, time_machine: Any
) -> None:
    from yanglao.institutions import services as inst
    from yanglao.institutions.models import Residency
    from yanglao.institutions.tests.conftest import institution_input

    time_machine.move_to(date(2026, 11, 20), tick=False)
    a, b, c = world.people[:3]
    world.tag(a, "extreme_poverty")  # t1 8.00
    world.tag(c, "living_alone")  # t3 3.00
    diners = {
        p.pk: services.diner_enrol(
            actor=world.county, person=p, site=world.site, enrolled_on=date(2026, 10, 1)
        )
        for p in (a, b, c)
    }
    for p in (a, b, c):
        for d in (3, 10, 15):
            services.meal_record(
                actor=world.worker,
                site=world.site,
                diner=diners[p.pk],
                meal_date=date(2026, 11, d),
                meal="lunch",
            )
    # b dies on the 10th: the 10th and the 15th are refused.
    b.refresh_from_db()
    people.person_record_death(
        actor=world.county,
        person=b,
        on=date(2026, 11, 10),
        reason="病故",
        expected_version=b.version,
    )
    # c lives in a home from the 12th: the 15th is refused.
    home = inst.institution_register(actor=world.county, data=institution_input(7))
    Residency.objects.create(
        institution=home, region_id=home.region_id, person=c, start=date(2026, 11, 12)
    )
    s = services.meal_settle(actor=world.county, site=world.site, month=date(2026, 11, 1))
    assert (s.meals_paid, s.meals_refused) == (6, 3)
    # a: 3 × 8 (特困); b: 1 × 3 (高龄, born 1945); c: 2 × 3 (独居)
    assert s.total == Decimal("33.00")
    reasons = sorted(s.lines.filter(refused=True).values_list("reason", flat=True))
    assert reasons == ["入住养老机构期间", "老人已死亡", "老人已死亡"]
    # Computed again: the same figures, no line twice.
    s = services.meal_settle(actor=world.county, site=world.site, month=date(2026, 11, 1))
    assert s.lines.count() == 9 and s.total == Decimal("33.00")
    services.meal_settlement_approve(actor=world.county, settlement=s)
    with pytest.raises(services.ProgrammeInvalid):
        services.meal_settle(actor=world.county, site=world.site, month=date(2026, 11, 1))
    # A meal is paid once: a paid line cannot be written again for the same record.
    from django.db import IntegrityError, transaction

    line = s.lines.filter(refused=False).first()
    assert line is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        MealSettlementLine.objects.create(
            settlement=s, record=line.record, tier="t1", amount=Decimal("8.00")
        )
    with pytest.raises(PermissionDenied):
        services.meal_settle(actor=world.worker, site=world.site, month=date(2026, 11, 1))


def test_meal_coverage_per_township(world: World) -> None:
    today = timezone.localdate()
    diner = services.diner_enrol(
        actor=world.county, person=world.people[0], site=world.site, enrolled_on=today
    )
    services.meal_record(
        actor=world.worker, site=world.site, diner=diner, meal_date=today, meal="lunch"
    )
    rows = selectors.meal_coverage(user=world.county, month=today)
    assert [(r.code, r.sites, r.diners, r.meals) for r in rows] == [("220102001", 1, 1, 1)]
    assert rows[0].name
    assert selectors.meal_coverage(user=world.outsider, month=today) == []


# --- 适老化改造 --------------------------------------------------------------------------


def test_modification_case_flow_and_progress(world: World) -> None:
    p = world.people[0]
    today = timezone.localdate()
    case = services.case_apply(actor=world.county, person=p, applied_on=today - timedelta(days=20))

    def step(**kw: Any) -> None:
        nonlocal case
        case = services.case_step(
            actor=world.county,
            case=case,
            data=services.StepInput(on=today - timedelta(days=10), **kw),
            expected_version=case.version,
        )

    step(note="卫生间无扶手，地面湿滑")
    assert case.status == CaseStatus.ASSESSED
    items = {i.code: i for i in ModificationItem.objects.all()}
    with pytest.raises(services.ProgrammeInvalid):
        step(provider=world.provider, lines=[])
    step(
        provider=world.provider, lines=[(items["M03"], Decimal("4")), (items["M10"], Decimal("1"))]
    )
    assert case.lines.count() == 2
    step()
    with pytest.raises(services.ProgrammeInvalid) as e:
        step(note="合格")
    assert "照片" in e.value.errors["photos"][0]
    with pytest.raises(services.ProgrammeInvalid):
        step(note="合格", photos=[b"not an image"])
    step(note="合格", photos=[PNG])
    assert case.status == CaseStatus.ACCEPTED and case.photos.count() == 1
    step()
    # 4 × 180 + 2000 = 2720, under the 3000 cap.
    assert case.status == CaseStatus.SUBSIDISED and case.subsidy == Decimal("2720.00")
    assert AuditEvent.objects.filter(action="modification.step").count() == 5
    prog = selectors.modification_progress("220100", today.year)
    assert prog.done == 1
    seeded = selectors.modification_progress("2201", 2025)
    assert seeded.target == 3000
    with pytest.raises(services.ProgrammeInvalid):  # stale version
        services.case_step(
            actor=world.county, case=case, data=services.StepInput(on=today), expected_version=1
        )


def test_modification_refused_at_assessment_needs_a_reason(world: World) -> None:
    case = services.case_apply(
        actor=world.county, person=world.people[1], applied_on=timezone.localdate()
    )
    with pytest.raises(services.ProgrammeInvalid):
        services.case_step(
            actor=world.county,
            case=case,
            data=services.StepInput(on=timezone.localdate(), refuse=True),
            expected_version=1,
        )
    case = services.case_step(
        actor=world.county,
        case=case,
        data=services.StepInput(on=timezone.localdate(), refuse=True, note="租住房屋，房东不同意"),
        expected_version=1,
    )
    assert case.status == CaseStatus.REFUSED
    with pytest.raises(Http404):
        services.case_apply(
            actor=world.outsider, person=world.people[2], applied_on=timezone.localdate()
        )


# --- 服务圈 ------------------------------------------------------------------------------


def test_coverage_by_radius_and_by_village(world: World) -> None:
    from yanglao.regions.models import Region

    county = Region.objects.get(code="220102000000")
    VillagePoint.objects.create(
        region_id="220102001001", latitude=Decimal("43.870000"), longitude=Decimal("125.330000")
    )
    # 900 m north of the canteen: covered by it although it has no facility of its own.
    VillagePoint.objects.create(
        region_id="220102001002", latitude=Decimal("43.878100"), longitude=Decimal("125.330000")
    )
    # 3 km away: not covered.
    VillagePoint.objects.create(
        region_id="220102001003", latitude=Decimal("43.897000"), longitude=Decimal("125.330000")
    )
    cov = selectors.coverage(user=world.county, county=county)
    by = {v.code: v for v in cov.villages}
    assert by["220102001001"].older == 4 and by["220102001001"].covered
    assert by["220102001002"].within_radius == 1 and by["220102001002"].covered
    assert by["220102001003"].within_radius == 0 and not by["220102001003"].covered
    # A village without a position and without a facility is listed as not covered.
    assert any(v.within_radius is None and not v.covered for v in cov.uncovered)
    assert cov.older_total == 4 and cov.older_covered == 4
    with pytest.raises(Http404):
        selectors.coverage(user=world.outsider, county=county)


def test_life_events_follow_moves_and_deaths(world: World) -> None:
    p = world.people[0]
    world.tag(p, "minimum_living")
    assessed(p, 2, world.county)
    bed = _bed(world, p)
    diner = services.diner_enrol(
        actor=world.county, person=p, site=world.site, enrolled_on=timezone.localdate()
    )
    p.refresh_from_db()
    people.person_record_death(
        actor=world.county,
        person=p,
        on=timezone.localdate(),
        reason="病故",
        expected_version=p.version,
    )
    bed.refresh_from_db()
    diner.refresh_from_db()
    assert bed.status == "ended" and bed.end == timezone.localdate()
    assert diner.ended_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="programme.follow_close").count() == 1
