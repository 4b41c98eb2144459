"""Demo data of the community programmes, called by `yanglao demo` after the accounts exist:
in 南关区 a meal provider with a canteen and a 助餐点 (diners, a month of meals, last month
settled), a home-service provider with three home care beds (one short of services this
month), one home modification case accepted with a photo, a device platform with an SOS
button and two alarms (one overdue). Village positions are synthetic (marked 演示).
Idempotent: skipped once loaded. Everything is marked 演示."""

from __future__ import annotations

import struct
import uuid
import zlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.community.choices import FacilityKind, FilingStatus, LogStatus, ProviderKind
from yanglao.community.models import (
    CatalogueItem,
    Facility,
    ModificationItem,
    Provider,
    ProviderStaff,
    ServiceLog,
    VillagePoint,
)
from yanglao.community.programmes import services
from yanglao.institutions.rules import credit_check_char
from yanglao.people.choices import Category, Dwelling, LifeStatus
from yanglao.people.models import Person
from yanglao.regions.models import Region

COUNTY = "220102"
MARK = "（演示）"
CENTRE = (43.8690, 125.3450)  # 南关区, roughly


class Out(Protocol):
    def write(self, msg: str, /) -> Any: ...


def _credit(seq: int) -> str:
    first17 = f"91{COUNTY}MA{seq:07d}"[:17]
    return first17 + credit_check_char(first17)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x90\xb0\xc0" * 32 for _ in range(24))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 32, 24, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def load(out: Out, *, today: date) -> None:
    if Provider.objects.filter(name=f"南关区福寿助餐服务有限公司{MARK}").exists():
        return
    officer = User.objects.filter(username="county_nanguan").first()
    if officer is None:
        return
    busiest = (
        Person.objects.filter(
            region_id__gte=f"{COUNTY}000000",
            region_id__lte=f"{COUNTY}999999",
            life_status=LifeStatus.ALIVE,
        )
        .values("region_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        return
    village = busiest["region_id"]
    # The village's people first, then others of the county (diners come from nearby).
    alive = Person.objects.filter(life_status=LifeStatus.ALIVE, dwelling=Dwelling.HOME)
    people = list(alive.filter(region_id=village).order_by("pk")[:60])
    people += list(
        alive.filter(region_id__gte=f"{COUNTY}000000", region_id__lte=f"{COUNTY}999999")
        .exclude(region_id=village)
        .order_by("pk")[: 60 - len(people)]
    )
    if len(people) < 45:
        return
    with transaction.atomic():
        _load(out, officer, village, people, today)


def _load(out: Out, officer: User, village: str, people: list[Person], today: date) -> None:
    meals_co = Provider.objects.create(
        credit_code=_credit(1),
        name=f"南关区福寿助餐服务有限公司{MARK}",
        kind=ProviderKind.CATERING,
        region_id=f"{COUNTY}000000",
        address="演示路8号",
        contact="周丽华",
        filing_status=FilingStatus.FILED,
        filed_on=today - timedelta(days=400),
    )
    home_co = Provider.objects.create(
        credit_code=_credit(2),
        name=f"南关区康乐居家养老服务有限公司{MARK}",
        kind=ProviderKind.HOME_SERVICE,
        region_id=f"{COUNTY}000000",
        address="演示路18号",
        filing_status=FilingStatus.FILED,
        filed_on=today - timedelta(days=500),
    )
    staff = User.objects.filter(username="provider_meal_nanguan").first()
    if staff is not None:
        ProviderStaff.objects.get_or_create(
            provider=meals_co, user=staff, defaults={"role": "manager", "created_by": officer}
        )
    township = village[:9]
    villages = list(
        Region.objects.filter(
            code__gte=f"{township}000", code__lte=f"{township}999", level=5, valid_to__isnull=True
        )
        .order_by("code")
        .values_list("code", flat=True)
    )
    # Synthetic positions of the township's 社区 on a grid ~700 m apart (演示, not surveyed).
    for i, code in enumerate(villages):
        VillagePoint.objects.update_or_create(
            region_id=code,
            defaults={
                "latitude": Decimal(f"{CENTRE[0] + (i // 4) * 0.0065:.6f}"),
                "longitude": Decimal(f"{CENTRE[1] + (i % 4) * 0.0085:.6f}"),
                "source": "演示位置（非实测坐标）",
            },
        )
    canteen = Facility.objects.create(
        name=f"南岭街道敬老餐厅{MARK}",
        kind=FacilityKind.CANTEEN,
        provider=meals_co,
        region_id=village,
        address="演示路8号一楼",
        latitude=Decimal(f"{CENTRE[0] + 0.001:.6f}"),
        longitude=Decimal(f"{CENTRE[1] + 0.001:.6f}"),
        opening_hours="每日 10:30–13:00，16:30–18:00",
        capacity=120,
        filing_status=FilingStatus.FILED,
    )
    second = villages[min(5, len(villages) - 1)]
    Facility.objects.create(
        name=f"幸福社区助餐点{MARK}",
        kind=FacilityKind.MEAL_POINT,
        provider=meals_co,
        region_id=second,
        address="演示路28号",
        latitude=Decimal(f"{CENTRE[0] + 0.0130:.6f}"),
        longitude=Decimal(f"{CENTRE[1] + 0.0090:.6f}"),
        opening_hours="工作日 11:00–12:30",
        capacity=40,
    )
    Facility.objects.create(
        name=f"南岭街道社区嵌入式养老服务中心{MARK}",
        kind=FacilityKind.EMBEDDED_CENTER,
        provider=home_co,
        region_id=village,
        address="演示路18号",
        latitude=Decimal(f"{CENTRE[0] - 0.0010:.6f}"),
        longitude=Decimal(f"{CENTRE[1] + 0.0020:.6f}"),
        capacity=60,
        beds=20,
    )
    # Diners: 24 at the canteen, enrolled 45 days ago; lunch most days, dinner sometimes.
    enrolled = today - timedelta(days=45)
    diners = [
        services.diner_enrol(actor=officer, person=p, site=canteen, enrolled_on=enrolled)
        for p in people[:24]
    ]
    from yanglao.community.models import MealRecord
    from yanglao.community.programmes.choices import MealSource

    meals = []
    for n, d in enumerate(diners):
        for k in range(44):
            day = enrolled + timedelta(days=k)
            if (n + k) % 5 == 0:
                continue
            meals.append(
                MealRecord(
                    diner=d,
                    site=canteen,
                    region_id=village,
                    meal_date=day,
                    meal="lunch",
                    source=MealSource.TILL if k % 2 else MealSource.PHONE,
                    created_by=officer,
                )
            )
            if (n + k) % 3 == 0:
                meals.append(
                    MealRecord(
                        diner=d,
                        site=canteen,
                        region_id=village,
                        meal_date=day,
                        meal="dinner",
                        source=MealSource.PHONE,
                        created_by=officer,
                    )
                )
    MealRecord.objects.bulk_create(meals)
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    services.meal_settle(actor=officer, site=canteen, month=last_month)
    # Home care beds: three people with 低保 and a final assessment of 中度/重度.
    from yanglao.assessments.models import Assessment
    from yanglao.people import services as people_services

    hb = CatalogueItem.objects.get(code="HB01")
    care = CatalogueItem.objects.get(code="BC01")
    beds = []
    for i, p in enumerate(people[30:33]):
        if not p.categories.filter(
            category__in=[
                Category.MINIMUM_LIVING,
                Category.EXTREME_POVERTY,
                Category.MARGINAL_LOW_INCOME,
            ],
            end_date__isnull=True,
        ).exists():
            people_services.person_category_add(
                actor=officer,
                person=p,
                category=Category.MINIMUM_LIVING,
                start=today - timedelta(days=400),
            )
        Assessment.objects.create(
            person=p,
            reason="first",
            assessment_date=today - timedelta(days=70),
            location="演示数据",
            status="final",
            final_grade=2 + i % 2,
            assessor=officer,
        )
        beds.append(
            services.homebed_contract_create(
                actor=officer,
                person=p,
                data=services.BedInput(
                    provider=home_co,
                    start=today - timedelta(days=60),
                    assessed_on=today - timedelta(days=62),
                    min_services=4,
                    home_note="卧室通道宽度足够，卫生间需加装扶手（演示）",
                    items=[hb, care],
                    devices=[
                        ("nursing_bed", today - timedelta(days=60), f"HB-{i}01"),
                        ("mattress", today - timedelta(days=60), ""),
                        ("call_button", today - timedelta(days=60), f"SOS-{i}01"),
                    ],
                ),
            )
        )
    first = today.replace(day=1)
    days = max(1, (today - first).days + 1)
    for i, bed in enumerate(beds):
        # The third bed gets one visit this month: red on the monitor.
        for k in range(5 if i < 2 else 1):
            on = first + timedelta(days=min(days - 1, k * 3))
            ServiceLog.objects.create(
                client_uuid=uuid.uuid4(),
                person=bed.person,
                region_id=bed.region_id,
                provider=home_co,
                item=hb if k % 2 == 0 else care,
                service_date=on,
                check_in_at=timezone.make_aware(datetime.combine(on, time(9, 0))),
                check_out_at=timezone.make_aware(datetime.combine(on, time(10, 0))),
                status=LogStatus.CONFIRMED,
                note="演示",
            )
    # One modification case, accepted with a photo.
    case = services.case_apply(
        actor=officer, person=people[35], applied_on=today - timedelta(days=50)
    )
    items = {m.code: m for m in ModificationItem.objects.all()}
    steps = [
        services.StepInput(
            on=today - timedelta(days=45), note="卫生间地面湿滑，无扶手；门槛高8厘米（演示）"
        ),
        services.StepInput(
            on=today - timedelta(days=40),
            provider=home_co,
            lines=[
                (items[c], q)
                for c, q in (
                    ("M01", Decimal("6")),
                    ("M02", Decimal("2")),
                    ("M03", Decimal("3")),
                    ("M04", Decimal("1")),
                )
                if c in items
            ],
        ),
        services.StepInput(on=today - timedelta(days=30)),
        services.StepInput(
            on=today - timedelta(days=20), note="按方案完工，验收合格（演示）", photos=[_png()]
        ),
    ]
    for s in steps:
        case = services.case_step(actor=officer, case=case, data=s, expected_version=case.version)
    # Alarms: a platform, SOS buttons for two people, one open alarm (overdue), one closed.
    platform, _token = services.platform_register(
        actor=officer, name=f"南关区智慧养老一键呼叫平台{MARK}", county_code=COUNTY
    )
    for n, p in enumerate(people[40:42]):
        services.device_register(
            actor=officer,
            platform=platform,
            person=p,
            device_id=f"DEMO-SOS-{n + 1:03d}",
            kind="sos" if n == 0 else "fall",
            installed_on=today - timedelta(days=90),
        )
    now = timezone.now()
    services.alarm_intake(
        platform=platform,
        platform_alarm_id="DEMO-A-0001",
        device_id="DEMO-SOS-001",
        kind="sos",
        raised_at=now - timedelta(minutes=42),
    )
    done = services.alarm_intake(
        platform=platform,
        platform_alarm_id="DEMO-A-0002",
        device_id="DEMO-SOS-002",
        kind="fall",
        raised_at=now - timedelta(hours=5),
    ).alarm
    services.alarm_arrive(
        actor=officer, alarm=done, at=now - timedelta(hours=5) + timedelta(minutes=18)
    )
    services.alarm_close(
        actor=officer,
        alarm=done,
        outcome="老人误触跌倒报警，上门确认安全（演示）",
        false_alarm=True,
    )
    out.write(
        f"居家社区服务演示数据：助餐点 2 个（助餐对象 {len(diners)} 人、就餐 {len(meals)} 餐），"
        f"家庭养老床位 {len(beds)} 张，适老化改造 1 户，紧急呼叫设备 2 台。"
    )
