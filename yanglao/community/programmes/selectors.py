"""The only code that reads the community programmes for users: every query narrows through
`accounts.scoping.scoped` (region jurisdiction, or the provider the user is bound to)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_FIGURES, READ_RECORDS, scoped, user_ranges
from yanglao.community.choices import FacilityKind, LogStatus, OperatingStatus
from yanglao.community.models import (
    Alarm,
    AlarmDevice,
    DevicePlatform,
    Facility,
    HomeBedContract,
    MealDiner,
    MealRecord,
    MealSettlement,
    ModificationCase,
    ModificationTarget,
    Provider,
    ServiceLog,
    VillagePoint,
)
from yanglao.community.programmes import policy, rules
from yanglao.community.programmes.choices import AlarmStatus, CaseStatus
from yanglao.core.todo import Todo, all_urgent
from yanglao.people.choices import LifeStatus
from yanglao.people.models import Person
from yanglao.regions import codes
from yanglao.regions.models import Level, Region

MEAL_SITE_KINDS = (FacilityKind.CANTEEN, FacilityKind.MEAL_POINT)
# Service logs that count as delivered (checked out; confirmed or waiting for confirmation).
DELIVERED = (LogStatus.AWAITING, LogStatus.CONFIRMED)
HOMEBED_ITEM = "HB01"


def _uuid(value: UUID | str) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        raise Http404 from None


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def parse_month(text: str, today: date) -> date:
    """'2026-11' → 2026-11-01; anything else is this month."""
    try:
        y, m = text.strip()[:7].split("-")
        return date(int(y), int(m), 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


# --- 家庭养老床位 -------------------------------------------------------------------------


def homebeds(*, user: User, month: date) -> QuerySet[HomeBedContract]:
    """Contracts in scope with the services delivered in the month: ServiceLog rows of the
    person with item HB01 or any item of the contract (one query, set-based)."""
    first, nxt = month_bounds(month)
    contract_items = HomeBedContract.items.through.objects.filter(
        homebedcontract_id=OuterRef(OuterRef("pk"))
    ).values("catalogueitem_id")
    delivered = (
        ServiceLog.objects.filter(
            person_id=OuterRef("person_id"),
            service_date__gte=first,
            service_date__lt=nxt,
            status__in=DELIVERED,
        )
        .filter(Q(item__code=HOMEBED_ITEM) | Q(item_id__in=Subquery(contract_items)))
        .order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        scoped(HomeBedContract.objects.all(), user, READ_RECORDS, bound="provider__staff")
        .filter(start__lt=nxt)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
    )
    return (
        qs.annotate(delivered=Coalesce(Subquery(delivered, output_field=IntegerField()), Value(0)))
        .select_related("person", "provider", "region")
        .order_by("region_id", "pk")
    )


def homebed_get(*, user: User, public_id: UUID | str) -> HomeBedContract:
    row = (
        scoped(HomeBedContract.objects.all(), user, READ_RECORDS, bound="provider__staff")
        .filter(public_id=_uuid(public_id))
        .select_related("person", "provider", "region")
        .first()
    )
    if row is None:
        raise Http404
    return row


def homebed_logs(contract: HomeBedContract, month: date) -> QuerySet[ServiceLog]:
    first, nxt = month_bounds(month)
    items = contract.items.values("pk")
    return (
        ServiceLog.objects.filter(
            person_id=contract.person_id, service_date__gte=first, service_date__lt=nxt
        )
        .filter(Q(item__code=HOMEBED_ITEM) | Q(item_id__in=items))
        .select_related("item", "provider")
        .order_by("service_date")
    )


def providers_for(user: User) -> QuerySet[Provider]:
    """Providers working in the user's jurisdiction (a provider's region is its seat)."""
    return scoped(Provider.objects.all(), user, READ_RECORDS, bound="staff").order_by("name")


# --- 老年助餐 ----------------------------------------------------------------------------


def meal_sites(*, user: User) -> QuerySet[Facility]:
    return (
        scoped(
            Facility.objects.filter(kind__in=MEAL_SITE_KINDS),
            user,
            READ_RECORDS,
            bound="provider__staff",
        )
        .select_related("region", "provider")
        .order_by("region_id", "name")
    )


def meal_site_get(*, user: User, public_id: UUID | str) -> Facility:
    row = meal_sites(user=user).filter(public_id=_uuid(public_id)).first()
    if row is None:
        raise Http404
    return row


def site_diners(site: Facility, on: date) -> QuerySet[MealDiner]:
    return (
        MealDiner.objects.filter(site=site, enrolled_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .select_related("person")
        .order_by("person__name")
    )


def site_meals_by_day(site: Facility, month: date) -> list[dict[str, Any]]:
    first, nxt = month_bounds(month)
    return [
        dict(r)
        for r in MealRecord.objects.filter(site=site, meal_date__gte=first, meal_date__lt=nxt)
        .values("meal_date")
        .annotate(n=Count("pk"))
        .order_by("-meal_date")
    ]


def meal_settlement_get(*, user: User, public_id: UUID | str) -> MealSettlement:
    row = (
        scoped(MealSettlement.objects.all(), user, READ_RECORDS, bound="site__provider__staff")
        .filter(public_id=_uuid(public_id))
        .select_related("site")
        .first()
    )
    if row is None:
        raise Http404
    return row


@dataclass
class TownshipMeals:
    code: str
    name: str
    sites: int = 0
    diners: int = 0
    meals: int = 0


def meal_coverage(*, user: User, month: date) -> list[TownshipMeals]:
    """Per township: meal sites, diners enrolled (by where they live) and meals served at the
    township's sites in the month — three grouped counts."""
    first, nxt = month_bounds(month)
    town = Substr("region_id", 1, 9)
    rows: dict[str, TownshipMeals] = {}

    def row(code: str) -> TownshipMeals:
        return rows.setdefault(code, TownshipMeals(code, ""))

    sites = scoped(Facility.objects.filter(kind__in=MEAL_SITE_KINDS), user, READ_FIGURES)
    for r in sites.annotate(t=town).values("t").annotate(n=Count("pk")):
        row(r["t"]).sites = r["n"]
    diners = scoped(MealDiner.objects.filter(ended_on__isnull=True), user, READ_FIGURES)
    for r in diners.annotate(t=town).values("t").annotate(n=Count("pk")):
        row(r["t"]).diners = r["n"]
    meals = scoped(
        MealRecord.objects.filter(meal_date__gte=first, meal_date__lt=nxt), user, READ_FIGURES
    )
    for r in meals.annotate(t=town).values("t").annotate(n=Count("pk")):
        row(r["t"]).meals = r["n"]
    names = dict(
        Region.objects.filter(code__in=[codes.pad(c) for c in rows]).values_list("code", "name")
    )
    for code, town_row in rows.items():
        town_row.name = names.get(codes.pad(code), code)
    return sorted(rows.values(), key=lambda r: r.code)


# --- 适老化改造 --------------------------------------------------------------------------


def cases(*, user: User) -> QuerySet[ModificationCase]:
    return (
        scoped(ModificationCase.objects.all(), user, READ_RECORDS, bound="provider__staff")
        .select_related("person", "region", "provider")
        .order_by("-applied_on", "-pk")
    )


def case_get(*, user: User, public_id: UUID | str) -> ModificationCase:
    row = cases(user=user).filter(public_id=_uuid(public_id)).first()
    if row is None:
        raise Http404
    return row


DONE_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.SUBSIDISED)


@dataclass
class Progress:
    region_code: str
    year: int
    target: int | None
    done: int
    percent: int | None
    document: str
    region_name: str = ""


def modification_progress(region_code: str, year: int) -> Progress:
    """Households modified (accepted) in a region's subtree by the end of `year`, against the
    target set for that region and year. Not scoped: figures for the statistics module, which
    checks its own reader's scope on the region."""
    code = codes.pad(region_code)
    low, high = codes.subtree_range(code)
    done = ModificationCase.objects.filter(
        region_id__gte=low,
        region_id__lte=high,
        status__in=DONE_STATUSES,
        accepted_on__lt=date(year + 1, 1, 1),
    ).count()
    target = ModificationTarget.objects.filter(region_code=code, year=year).first()
    households = target.households if target else None
    return Progress(
        code,
        year,
        households,
        done,
        rules.percent(done, households) if households else None,
        target.document if target else "",
        Region.objects.filter(code=code).values_list("name", flat=True).first() or "",
    )


def progress_rows(*, user: User, year: int) -> list[Progress]:
    """The targets whose region the user may read figures of (or that contain it)."""
    ranges = user_ranges(user, READ_FIGURES)
    out = []
    for t in ModificationTarget.objects.filter(year__lte=year).order_by("region_code", "year"):
        low, high = codes.subtree_range(t.region_code)
        if any(lo <= high and low <= hi for lo, hi in ranges):
            out.append(modification_progress(t.region_code, t.year))
    return out


# --- 紧急呼叫 ----------------------------------------------------------------------------


def alarms(*, user: User) -> QuerySet[Alarm]:
    return (
        scoped(Alarm.objects.all(), user, READ_RECORDS, bound="provider__staff")
        .select_related("person", "region", "responder", "provider", "platform", "device")
        .order_by("-raised_at")
    )


def open_alarms_todo(*, user: User, today: date) -> Todo:
    """Alarms not yet closed (workbench): urgent from the first minute, like an emergency."""
    qs = alarms(user=user).exclude(status=AlarmStatus.CLOSED)
    oldest = qs.order_by("raised_at").values_list("raised_at", flat=True).first()
    return all_urgent(qs.count(), oldest, today=today)


def alarm_get(*, user: User, public_id: UUID | str) -> Alarm:
    row = alarms(user=user).filter(public_id=_uuid(public_id)).first()
    if row is None:
        raise Http404
    return row


@dataclass
class BoardRow:
    alarm: Alarm
    minutes: int | None
    late: bool
    waited: int  # minutes since the alarm, for open ones


def alarm_board(*, user: User, now: datetime | None = None, closed_days: int = 7) -> list[BoardRow]:
    now = now or timezone.now()
    qs = alarms(user=user).filter(
        ~Q(status=AlarmStatus.CLOSED) | Q(closed_at__gte=now - timedelta(days=closed_days))
    )[:500]
    out = []
    for a in qs:
        r = rules.response(a.raised_at, a.arrived_at, now)
        out.append(BoardRow(a, r.minutes, r.late, int((now - a.raised_at).total_seconds() // 60)))
    out.sort(key=lambda b: (b.alarm.status == AlarmStatus.CLOSED, not b.late, b.alarm.raised_at))
    return out


def logs_after_alarm(alarm: Alarm) -> list[ServiceLog]:
    """Service logs of the alarm's person from the alarm's day on, to close it with."""
    return list(
        ServiceLog.objects.filter(
            person_id=alarm.person_id, service_date__gte=timezone.localdate(alarm.raised_at)
        )
        .select_related("item", "provider")
        .order_by("-service_date")[:20]
    )


def platforms(*, user: User) -> QuerySet[DevicePlatform]:
    return scoped(DevicePlatform.objects.all(), user, READ_RECORDS, field="county_id").order_by(
        "name"
    )


def devices(*, user: User) -> QuerySet[AlarmDevice]:
    return (
        scoped(AlarmDevice.objects.all(), user, READ_RECORDS)
        .select_related("person", "platform", "region")
        .order_by("region_id", "pk")
    )


# --- 服务圈 ------------------------------------------------------------------------------


@dataclass
class VillageCoverage:
    code: str
    name: str
    township: str
    older: int
    facilities_in_village: int
    within_radius: int | None  # None: the village has no position
    lat: float | None
    lon: float | None

    @property
    def covered(self) -> bool:
        if self.within_radius is not None:
            return self.within_radius > 0
        return self.facilities_in_village > 0


@dataclass
class Coverage:
    county: Region
    villages: list[VillageCoverage]
    facilities: list[dict[str, Any]]
    radius_m: int

    @property
    def uncovered(self) -> list[VillageCoverage]:
        return [v for v in self.villages if not v.covered]

    @property
    def older_total(self) -> int:
        return sum(v.older for v in self.villages)

    @property
    def older_covered(self) -> int:
        return sum(v.older for v in self.villages if v.covered)


def coverage_counties(user: User) -> list[Region]:
    ranges = user_ranges(user, READ_FIGURES)
    q = Q()
    for low, high in ranges:
        q |= Q(code__gte=low[:6] + "000000", code__lte=high)
    if not ranges:
        return []
    return list(
        Region.objects.filter(q, level=Level.COUNTY, valid_to__isnull=True).order_by("code")
    )


def coverage(*, user: User, county: Region, radius_m: int = policy.WALK_RADIUS_M) -> Coverage:
    """For each village of the county: people 60+ alive on the ledger (one grouped count),
    the operating facilities registered in it, and those within the walking radius of its
    村（居）委会 position where that is known."""
    low, high = codes.subtree_range(county.code)
    in_scope = scoped(
        Region.objects.filter(code__gte=low, code__lte=high, level=Level.VILLAGE),
        user,
        READ_FIGURES,
        field="code",
    ).filter(valid_to__isnull=True)
    villages = list(in_scope.order_by("code").values_list("code", "name", "parent__name"))
    if not villages:
        raise Http404
    older = dict(
        scoped(
            Person.objects.filter(
                region_id__gte=low, region_id__lte=high, life_status=LifeStatus.ALIVE
            ),
            user,
            READ_FIGURES,
        )
        .values("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
    )
    facilities = list(
        Facility.objects.filter(
            region_id__gte=low, region_id__lte=high, status=OperatingStatus.OPERATING
        ).values("name", "kind", "region_id", "latitude", "longitude")
    )
    per_village: dict[str, int] = defaultdict(int)
    for f in facilities:
        per_village[f["region_id"]] += 1
    points = {
        p.region_id: (float(p.latitude), float(p.longitude))
        for p in VillagePoint.objects.filter(region_id__gte=low, region_id__lte=high)
    }
    located = [
        (float(f["latitude"]), float(f["longitude"]))
        for f in facilities
        if f["latitude"] is not None and f["longitude"] is not None
    ]
    rows = []
    for code, name, township in villages:
        pt = points.get(code)
        rows.append(
            VillageCoverage(
                code=code,
                name=name,
                township=township or "",
                older=older.get(code, 0),
                facilities_in_village=per_village.get(code, 0),
                within_radius=rules.within(pt, located, radius_m) if pt else None,
                lat=pt[0] if pt else None,
                lon=pt[1] if pt else None,
            )
        )
    labels = dict(FacilityKind.choices)
    return Coverage(
        county,
        rows,
        [
            {
                "name": f["name"],
                "kind": labels.get(f["kind"], ""),
                "lat": float(f["latitude"]),
                "lon": float(f["longitude"]),
            }
            for f in facilities
            if f["latitude"] is not None and f["longitude"] is not None
        ],
        radius_m,
    )
