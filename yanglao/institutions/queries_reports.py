"""Set-based reads of the monthly reports, prepaid balances, the risk list and 应养尽养, with no
user: the statistics module and the benchmark call these with a region code range; the
user-facing selectors (selectors_reports.py) call them with the user's jurisdictions.

Each function runs a fixed number of statements whatever the number of homes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from yanglao.institutions import prepaid_rules as pr
from yanglao.institutions import report_rules as rr
from yanglao.institutions.choices import (
    CareBucket,
    ComplaintStatus,
    OperatingStatus,
    StaffPost,
    SupportStatus,
)
from yanglao.institutions.models import (
    Complaint,
    Institution,
    MonthlyReport,
    OperatingRule,
    PrepaidBalance,
    PrepaidFiling,
    ReportIncident,
    Residency,
    StopNotice,
    SupportRequest,
)
from yanglao.people import groups
from yanglao.people.choices import Category, LifeStatus
from yanglao.people.models import Person
from yanglao.regions import codes

Range = tuple[str, str]

# --- policy in force ----------------------------------------------------------------------


def rule_rows() -> list[rr.RuleRow]:
    return [
        rr.RuleRow(r, k, v, e, d)
        for r, k, v, e, d in OperatingRule.objects.values_list(
            "region_id", "key", "value", "effective_from", "document_no"
        )
    ]


def chain(code12: str | None) -> list[str | None]:
    """National, then the province, city and county of a code (the levels that set rules)."""
    if code12 is None:
        return [None]
    level = min(codes.level_of(code12), codes.COUNTY)
    county = codes.prefix(code12, level).ljust(12, "0")
    return [None, *codes.ancestor_codes(county, level), county]


def limits_for(code12: str | None, on: date, rows: Sequence[rr.RuleRow] | None = None) -> rr.Limits:
    return rr.limits_of(
        rr.effective_values(rule_rows() if rows is None else rows, chain(code12), on)
    )


def parent_values(code12: str, on: date) -> dict[str, tuple[Decimal, str]]:
    """What is in force above a region level (its own rows excluded)."""
    return rr.effective_values(rule_rows(), chain(code12)[:-1], on)


class CountyLimits:
    """Limits per county, resolved once per county (rules are few, homes many)."""

    def __init__(self, on: date) -> None:
        self.on, self.rows, self._cache = on, rule_rows(), dict[str, rr.Limits]()

    def __call__(self, code12: str) -> rr.Limits:
        county = code12[:6]
        if county not in self._cache:
            self._cache[county] = limits_for(code12, self.on, self.rows)
        return self._cache[county]


def merge(ranges: Iterable[Range]) -> list[Range]:
    """Disjoint ranges covering the given ones (a city and a county in it: the city's)."""
    out: list[Range] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out


def _in(rng: Range, field: str = "region_id") -> Q:
    return Q(**{f"{field}__gte": rng[0], f"{field}__lte": rng[1]})


# --- the monthly report ---------------------------------------------------------------------

BUCKET_FIELDS = {b: f"residents_{b}" for b in CareBucket.values}
BED_FIELDS = {k: f"beds_{k}_used" for k in ("general", "nursing", "dementia")}
STAFF_FIELDS = {p: f"staff_{p}" for p in StaffPost.values}
FIGURES = (*BUCKET_FIELDS.values(), *BED_FIELDS.values(), *STAFF_FIELDS.values())


def prefill(institution_id: int, month: date) -> dict[str, int]:
    """Residents by care grade and beds in use by type at the month's end, from the
    residencies (a stay open on the last day; its bed's type)."""
    end = rr.month_end(month)
    stays = Residency.objects.filter(institution_id=institution_id, start__lte=end).filter(
        Q(end__isnull=True) | Q(end__gt=end)
    )
    out = dict.fromkeys((*BUCKET_FIELDS.values(), *BED_FIELDS.values()), 0)
    for grade, n in stays.values_list("care_grade").annotate(n=Count("id")):
        out[BUCKET_FIELDS[rr.grade_bucket(grade)]] += n
    for kind, n in stays.filter(bed__isnull=False).values_list("bed__kind").annotate(n=Count("id")):
        if kind in BED_FIELDS:
            out[BED_FIELDS[kind]] += n
    return out


def report_totals(rng: Range, month: date) -> dict[str, Any]:
    """Sums of the month's reports in a code range: the figures the statistics module reads
    (homes that reported, residents by care grade, beds in use, staff, fees, incidents)."""
    reports = MonthlyReport.objects.filter(_in(rng), month=month)
    sums = reports.aggregate(
        homes=Count("id"),
        late=Count("id", filter=Q(filed_on__gt=F("due_on"))),
        fees_collected=Coalesce(Sum("fees_collected"), Decimal(0)),
        **{f: Coalesce(Sum(f), 0) for f in FIGURES},
    )
    incidents: dict[str, dict[str, int]] = {}
    for kind, serious, n in (
        ReportIncident.objects.filter(report__in=reports)
        .values_list("kind", "serious")
        .annotate(n=Sum("count"))
    ):
        row = incidents.setdefault(kind, {"count": 0, "serious": 0})
        row["count"] += n
        if serious:
            row["serious"] += n
    return {**sums, "incidents": incidents}


def owing_homes(rng: Range) -> QuerySet[Institution]:
    """Homes that file monthly reports: operating, with residents admitted at some time."""
    return Institution.objects.filter(
        _in(rng), status=OperatingStatus.OPERATING, first_admission_on__isnull=False
    )


@dataclass(frozen=True)
class Owed:
    institution_id: int
    public_id: str
    name: str
    region_id: str
    region_name: str
    month: date
    due: date


def reports_owed(rng: Range, month: date) -> list[Owed]:
    """Homes that have not filed the report of `month` (that had residents by its end), with
    the due date in force in their county."""
    limits = CountyLimits(month)
    rows = (
        owing_homes(rng)
        .filter(first_admission_on__lte=rr.month_end(month))
        .exclude(Exists(MonthlyReport.objects.filter(institution=OuterRef("pk"), month=month)))
        .order_by("region_id", "name")
        .values_list("pk", "public_id", "name", "region_id", "region__name")
    )
    return [
        Owed(
            pk,
            str(pid),
            name,
            region,
            rname,
            month,
            rr.report_due(month, limits(region).report_due_day),
        )
        for pk, pid, name, region, rname in rows
    ]


# --- the risk list --------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskRow:
    institution_id: int
    public_id: str
    name: str
    region_id: str
    region_name: str
    ownership: str
    risk: pr.Risk


_BAL = ("custody_balance", "service_fees_monthly", "arrears", "violations")


def risk_list(rng: Range, month: date, today: date) -> list[RiskRow]:
    """Every operating or suspended home of the range with its risk score for `month`,
    highest first. Five statements: homes (with the current filing's violations), balances of
    the month and the month before, complaints of the last 90 days, stop notices."""
    homes = list(
        Institution.objects.filter(
            _in(rng), status__in=(OperatingStatus.OPERATING, OperatingStatus.SUSPENDED)
        )
        .annotate(
            filing_violations=Subquery(
                PrepaidFiling.objects.filter(institution=OuterRef("pk"))
                .order_by("-id")
                .values("violations")[:1]
            )
        )
        .values_list(
            "pk", "public_id", "name", "region_id", "region__name", "ownership", "filing_violations"
        )
    )
    prev = rr.add_months(month, -1)
    balances: dict[tuple[int, date], tuple[Any, ...]] = {
        (inst, m): rest
        for inst, m, *rest in PrepaidBalance.objects.filter(
            _in(rng), month__in=(month, prev)
        ).values_list("institution_id", "month", *_BAL)
    }
    since = today - timedelta(days=pr.COMPLAINT_WINDOW_DAYS)
    complaints = dict(
        Complaint.objects.filter(_in(rng), received_on__gt=since, received_on__lte=today)
        .values_list("institution_id")
        .annotate(n=Count("id"))
    )
    stopping = set(
        StopNotice.objects.filter(
            _in(rng), withdrawn=False, stop_on__gte=today - timedelta(days=30)
        ).values_list("institution_id", flat=True)
    )
    out: list[RiskRow] = []
    for pk, pid, name, region, rname, ownership, filing_v in homes:
        cur, before = balances.get((pk, month)), balances.get((pk, prev))
        facts = pr.RiskFacts(
            reported=cur is not None,
            custody=cur[0] if cur else pr.ZERO,
            fees=cur[1] if cur else pr.ZERO,
            prev_custody=before[0] if before else None,
            prev_fees=before[1] if before else None,
            arrears=cur[2] if cur else pr.ZERO,
            violations=len(cur[3] if cur else []) + len(filing_v or []),
            complaints=complaints.get(pk, 0),
            stop_notice=pk in stopping,
        )
        out.append(RiskRow(pk, str(pid), name, region, rname, ownership, pr.risk_score(facts)))
    out.sort(key=lambda r: (-r.risk.score, r.region_id, r.name))
    return out


# --- 特困 应养尽养 ----------------------------------------------------------------------------


def tekun_unplaced(rng: Range, on: date) -> QuerySet[Person]:
    """特困 people (tag held on `on`, alive) with an open request for central support and no
    open stay in an institution: the county's 应养尽养 list."""
    return (
        Person.objects.filter(_in(rng), life_status=LifeStatus.ALIVE)
        .filter(groups.q(on, [Category.EXTREME_POVERTY]))
        .filter(
            Exists(SupportRequest.objects.filter(person=OuterRef("pk"), status=SupportStatus.OPEN))
        )
        .exclude(Exists(Residency.objects.filter(person=OuterRef("pk"), end__isnull=True)))
        .annotate(
            requested_on=Subquery(_open_request.values("requested_on")[:1]),
            support_public_id=Subquery(_open_request.values("public_id")[:1]),
        )
    )


_open_request = SupportRequest.objects.filter(person=OuterRef("pk"), status=SupportStatus.OPEN)


def open_complaints(rng: Range) -> QuerySet[Complaint]:
    return Complaint.objects.filter(_in(rng), status=ComplaintStatus.OPEN)
