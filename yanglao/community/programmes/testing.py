"""Builders for tests (and the scope walks): a provider, a meal site, an alarm. Providers and
facilities are written directly here; their registry pages are issue 12 part 1's."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.community.choices import FacilityKind, FilingStatus, ProviderKind
from yanglao.community.models import Alarm, Facility, Provider
from yanglao.community.programmes import services
from yanglao.institutions.rules import credit_check_char
from yanglao.people.models import Person


def make_provider(county: str = "220102", seq: int = 1, name: str = "") -> Provider:
    first17 = f"52{county}MJ{seq:07d}"[:17]
    return Provider.objects.create(
        credit_code=first17 + credit_check_char(first17),
        name=name or f"测试助餐服务企业{seq}",
        kind=ProviderKind.CATERING,
        region_id=f"{county}000000",
        address="测试路1号",
        filing_status=FilingStatus.FILED,
    )


def make_site(
    provider: Provider,
    village: str,
    *,
    name: str = "测试敬老餐厅",
    kind: str = FacilityKind.CANTEEN,
    lat: str | None = "43.870000",
    lon: str | None = "125.330000",
) -> Facility:
    return Facility.objects.create(
        name=name,
        kind=kind,
        provider=provider,
        region_id=village,
        address="测试路2号",
        latitude=Decimal(lat) if lat else None,
        longitude=Decimal(lon) if lon else None,
        capacity=80,
    )


def alarm_for(actor: User, person: Person, alarm_id: str = "A-1", kind: str = "sos") -> Alarm:
    platform, _ = services.platform_register(
        actor=actor, name=f"测试平台{alarm_id}", county_code=person.region_id[:6]
    )
    services.device_register(
        actor=actor,
        platform=platform,
        person=person,
        device_id=f"D-{alarm_id}",
        kind=kind,
        installed_on=timezone.localdate() - timedelta(days=1),
    )
    return services.alarm_intake(
        platform=platform,
        platform_alarm_id=alarm_id,
        device_id=f"D-{alarm_id}",
        kind=kind,
        raised_at=timezone.now() - timedelta(minutes=5),
    ).alarm


def month_start(d: date) -> date:
    return d.replace(day=1)


def assessed(person: Person, grade: int, assessor: User, on: date | None = None) -> None:
    """A final ability assessment of `grade` (tests only: the assessment flow has its own)."""
    from yanglao.assessments.models import Assessment

    Assessment.objects.create(
        person=person,
        reason="first",
        assessment_date=on or timezone.localdate() - timedelta(days=30),
        status="final",
        final_grade=grade,
        assessor=assessor,
    )


def scope_walk_world(officer: User, person: Person) -> dict[str, str]:
    """One of each programme record of `person` (county 220102), for tests/test_scope_walk."""
    from yanglao.community.models import CatalogueItem
    from yanglao.people import services as people

    today = timezone.localdate()
    provider = make_provider(person.region_id[:6], seq=90, name="秘密路助餐企业")
    site = make_site(provider, person.region_id, name="秘密路敬老餐厅")
    people.person_category_add(
        actor=officer, person=person, category="minimum_living", start=date(2024, 1, 1)
    )
    assessed(person, 2, officer)
    bed = services.homebed_contract_create(
        actor=officer,
        person=person,
        data=services.BedInput(
            provider=provider,
            start=today,
            assessed_on=today,
            items=list(CatalogueItem.objects.filter(code="HB01")),
        ),
    )
    diner = services.diner_enrol(actor=officer, person=person, site=site, enrolled_on=today)
    services.meal_record(actor=officer, site=site, diner=diner, meal_date=today, meal="lunch")
    settlement = services.meal_settle(actor=officer, site=site, month=today)
    case = services.case_apply(actor=officer, person=person, applied_on=today)
    alarm = alarm_for(officer, person, alarm_id="WALK-1")
    return {
        "contract_id": str(bed.public_id),
        "site_id": str(site.public_id),
        "settlement_id": str(settlement.public_id),
        "case_id": str(case.public_id),
        "alarm_id": str(alarm.public_id),
    }
