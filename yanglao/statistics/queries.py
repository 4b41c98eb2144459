"""The named, set-based queries behind the indicator catalogue (issue 13 part 1).

Each query takes the statistical period (`Period`) and returns figures grouped by the
records' OWN region code — one GROUP BY over the module's table, never a loop over regions —
as `Row(indicator, region_code, breakdown, numerator, denominator)`. The snapshot job
(`snapshot.py`) rolls them up to every ancestor node by code prefix in SQL. One query may
feed several indicators when they share the scan (population: total, sex, age band, 高龄).

Queries are registered by name (`QUERIES`); the catalogue names the query of each indicator.
A module built later (community services: services delivered, meals served, homes modified;
figures reported by hand by other departments) plugs in with `register("name", fn)` from its
AppConfig.ready() — the catalogue entries already name the query they expect.

Counting rules (stated once here, shown on the indicator pages as the definition):
- a person counts on the ledger on `as_of` if not dead or moved out before it (life_status
  alive, or status_date after as_of), whenever they were registered: the ledger is filled in
  bulk from older registers, so the registration time says nothing about the person;
- ages and key groups are taken on `as_of` (the last day of the period, or today while the
  period is open).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When

from yanglao.assessments.choices import Standard
from yanglao.assessments.choices import Status as AssessmentStatus
from yanglao.assessments.models import Assessment, AssessmentPolicy
from yanglao.benefits.choices import RollStatus
from yanglao.benefits.models import (
    Candidate,
    CandidateClosure,
    ClosureOutcome,
    Entitlement,
    RollLine,
)
from yanglao.institutions import queries as inst_queries
from yanglao.institutions.models import Institution
from yanglao.people.choices import AGE_BANDS, LifeStatus
from yanglao.people.models import Person, PersonCategory
from yanglao.people.rules import ADVANCED_AGE, birth_range_for_age
from yanglao.people.selectors import PYRAMID_BANDS
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.visits import selectors as visit_selectors
from yanglao.visits.models import VisitRecord

ALL_LOW, ALL_HIGH = "0" * 12, "9" * 12
DEFAULT_REASSESSMENT_MONTHS = 12  # GB/T 42195-2022 §5.3: at least once every 12 months


@dataclass(frozen=True)
class Period:
    start: date  # first day of the month
    end: date  # last day of the month
    as_of: date  # end, or today while the period is open


@dataclass(frozen=True)
class Row:
    indicator: str
    region_code: str
    breakdown: str
    numerator: int
    denominator: int | None = None


Query = Callable[[Period], Iterable[Row]]
QUERIES: dict[str, Query] = {}


def register(name: str, fn: Query) -> None:
    """Plug a module's query into the catalogue (community services, reported figures …)."""
    QUERIES[name] = fn


def query(name: str) -> Callable[[Query], Query]:
    def deco(fn: Query) -> Query:
        register(name, fn)
        return fn

    return deco


def on_ledger(p: Period, prefix: str = "") -> Q:
    """People on the ledger on p.as_of (see module doc)."""
    return Q(**{f"{prefix}life_status": LifeStatus.ALIVE}) | Q(
        **{f"{prefix}status_date__gt": p.as_of}
    )


def age_band_case(on: date) -> Case:
    """The AGE_BANDS name of a person's age on `on`, from the birth date (index-friendly)."""
    whens = []
    for name, (low, high) in AGE_BANDS.items():
        earliest, latest = birth_range_for_age(low, high, on)
        cond = Q(birth_date__lte=latest)
        if earliest is not None:
            cond &= Q(birth_date__gte=earliest)
        whens.append(When(cond, then=Value(name)))
    return Case(*whens, default=Value(""), output_field=CharField())


def pyramid_band_case(on: date) -> Case:
    """The 5-year band of the age pyramid (people.selectors.PYRAMID_BANDS) as of `on`."""
    whens = []
    for label, low, high in PYRAMID_BANDS:
        earliest, latest = birth_range_for_age(low, high, on)
        cond = Q(birth_date__lte=latest)
        if earliest is not None:
            cond &= Q(birth_date__gte=earliest)
        whens.append(When(cond, then=Value(label)))
    return Case(*whens, default=Value(""), output_field=CharField())


def _provinces() -> list[str]:
    return list(Region.objects.filter(level=codes.PROVINCE).values_list("code", flat=True))


def _grouped(rows: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for region, key, n in rows:
        out[region][key] += n
    return out


# --- population -----------------------------------------------------------------------------


@query("population")
def population(p: Period) -> Iterator[Row]:
    """pop.total (overall, by sex, by age band) and pop.advanced_share (80+ / all), one scan."""
    qs = (
        Person.objects.filter(on_ledger(p))
        .annotate(band=age_band_case(p.as_of), pband=pyramid_band_case(p.as_of))
        .values("region_id", "sex", "band", "pband")
        .annotate(n=Count("id"))
        .order_by()
    )
    total: dict[str, int] = defaultdict(int)
    advanced: dict[str, int] = defaultdict(int)
    by_sex: dict[tuple[str, str], int] = defaultdict(int)
    by_band: dict[tuple[str, str], int] = defaultdict(int)
    # The workbench's age pyramid (5-year bands by sex) reads these, never the ledger.
    by_pyramid: dict[tuple[str, str, str], int] = defaultdict(int)
    old = {n for n, (low, _) in AGE_BANDS.items() if low >= ADVANCED_AGE}
    for r in qs:
        region, n = r["region_id"], r["n"]
        total[region] += n
        by_sex[(region, r["sex"])] += n
        if r["band"]:
            by_band[(region, r["band"])] += n
        if r["pband"]:
            by_pyramid[(region, r["pband"], r["sex"])] += n
        if r["band"] in old:
            advanced[region] += n
    for region, n in total.items():
        yield Row("pop.total", region, "", n)
        yield Row("pop.advanced_share", region, "", advanced.get(region, 0), n)
    for (region, sex), n in by_sex.items():
        yield Row("pop.total", region, f"sex:{sex}", n)
    for (region, band), n in by_band.items():
        yield Row("pop.total", region, f"age:{band}", n)
    for (region, band, sex), n in by_pyramid.items():
        yield Row("pop.total", region, f"pyr:{band}/{sex}", n)


@query("population_categories")
def population_categories(p: Period) -> Iterator[Row]:
    """pop.category: people holding each category tag on as_of (a person in two categories
    counts in both; the total is not their sum)."""
    qs = (
        PersonCategory.objects.filter(on_ledger(p, "person__"))
        .filter(start_date__lte=p.as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=p.as_of))
        .values("person__region_id", "category")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in qs:
        yield Row("pop.category", r["person__region_id"], f"cat:{r['category']}", r["n"])


# --- visits (探访关爱) ------------------------------------------------------------------------


@query("visit_coverage")
def visit_coverage(p: Period) -> Iterator[Row]:
    """visit.monthly_rate: the visits module's own roster/visited counts (one definition,
    visits.selectors.coverage_counts), at village level for the whole tree, overall and by
    key group."""
    village = codes.PREFIX_LEN[codes.VILLAGE]
    for by_cat in (False, True):
        counts = visit_selectors.coverage_counts(
            low=ALL_LOW, high=ALL_HIGH, month=p.start, group_len=village, by_category=by_cat
        )
        for (region, cat), (roster, visited) in counts.items():
            key = f"cat:{cat}" if by_cat else ""
            yield Row("visit.monthly_rate", region, key, visited, roster)


@query("visit_records")
def visit_records(p: Period) -> Iterator[Row]:
    """visit.records: visits made in the period by method (a corrected record counts once)."""
    qs = (
        VisitRecord.objects.filter(visit_date__gte=p.start, visit_date__lte=p.as_of)
        .filter(superseded_by__isnull=True)
        .values("region_id", "method")
        .annotate(n=Count("id"))
        .order_by()
    )
    for region, keys in _grouped((r["region_id"], r["method"], r["n"]) for r in qs).items():
        yield Row("visit.records", region, "", sum(keys.values()))
        for method, n in keys.items():
            yield Row("visit.records", region, f"method:{method}", n)


# --- assessments --------------------------------------------------------------------------


@query("assessments_done")
def assessments_done(p: Period) -> Iterator[Row]:
    """asm.done: confirmed assessments dated in the period, by final grade (0–4)."""
    qs = (
        Assessment.objects.filter(
            status=AssessmentStatus.FINAL,
            assessment_date__gte=p.start,
            assessment_date__lte=p.as_of,
        )
        .values("person__region_id", "final_grade")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = ((r["person__region_id"], str(r["final_grade"] or 0), r["n"]) for r in qs)
    for region, keys in _grouped(rows).items():
        yield Row("asm.done", region, "", sum(keys.values()))
        for grade, n in keys.items():
            yield Row("asm.done", region, f"grade:{grade}", n)


def reassessment_months(on: date) -> int:
    """The shortest routine interval in force anywhere (the cutoff assessments.selectors.
    overdue starts from); the national default when no policy row exists."""
    rows = AssessmentPolicy.objects.filter(effective_from__lte=on).values_list(
        "interval_months", flat=True
    )
    return min(rows, default=DEFAULT_REASSESSMENT_MONTHS)


@query("assessments_overdue")
def assessments_overdue(p: Period) -> Iterator[Row]:
    """asm.overdue: people on the ledger whose latest confirmed GB/T 42195 assessment is
    older than the reassessment interval on as_of / people with a confirmed assessment."""
    from yanglao.assessments.selectors import add_months

    cutoff = add_months(p.as_of, -reassessment_months(p.as_of))
    ops = connection.ops
    a_t, p_t = Assessment._meta.db_table, Person._meta.db_table
    # Latest confirmed assessment per person on the ledger, then counted per village.
    sql = (
        "SELECT x.region_id, COUNT(*), SUM(CASE WHEN x.last_final <= %s THEN 1 ELSE 0 END)"
        f" FROM (SELECT p.region_id AS region_id, MAX(a.assessment_date) AS last_final"
        f" FROM {a_t} a JOIN {p_t} p ON p.id = a.person_id"
        " WHERE a.status = %s AND a.standard = %s AND a.assessment_date <= %s"
        " AND (p.life_status = %s OR p.status_date > %s)"
        " GROUP BY p.id, p.region_id) x GROUP BY x.region_id"
    )
    params = [
        ops.adapt_datefield_value(cutoff),
        AssessmentStatus.FINAL,
        Standard.GBT_42195,
        ops.adapt_datefield_value(p.as_of),
        LifeStatus.ALIVE,
        ops.adapt_datefield_value(p.as_of),
    ]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for region, assessed, overdue in cur.fetchall():
            yield Row("asm.overdue", region, "", int(overdue or 0), int(assessed))


# --- benefits (基本养老服务清单) ---------------------------------------------------------------


def _per_item(indicator: str, rows: Iterable[tuple[str, str, int]]) -> Iterator[Row]:
    for region, keys in _grouped(rows).items():
        yield Row(indicator, region, "", sum(keys.values()))
        for item, n in keys.items():
            yield Row(indicator, region, f"item:{item}", n)


@query("benefit_recipients")
def benefit_recipients(p: Period) -> Iterator[Row]:
    """ben.recipients: entitlements paid for the period's month (start ≤ month < end), per
    service-list item, by the person's village (a person with two items counts twice)."""
    qs = (
        Entitlement.objects.filter(start__lte=p.start)
        .filter(Q(end__isnull=True) | Q(end__gt=p.start))
        .values("person__region_id", "item_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    yield from _per_item(
        "ben.recipients", ((r["person__region_id"], r["item_code"], r["n"]) for r in qs)
    )


@query("benefit_amounts")
def benefit_amounts(p: Period) -> Iterator[Row]:
    """ben.amount: money on the approved payment rolls for the period's month, per item, in
    分 (fen; shown in 元). Stopped and recovered lines carry their own signed amounts."""
    qs = (
        RollLine.objects.filter(period=p.start, roll__status=RollStatus.APPROVED)
        .values("region_id", "item_code")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    rows = ((r["region_id"], r["item_code"], int(Decimal(r["s"] or 0) * 100)) for r in qs)
    yield from _per_item("ben.amount", rows)


@query("benefit_gaps")
def benefit_gaps(p: Period) -> Iterator[Row]:
    """ben.gap_found: people the nightly 应保尽保 run first listed in the period, per item;
    ben.gap_open: people on the list on the day of computation (not yet applied);
    ben.gap_closed: names the nightly run took off the list in the period because the person
    applied or now holds the item (benefits.CandidateClosure; lapsed names are not counted);
    ben.new_recipients: entitlements starting in the period (the gaps closed, and new
    applications), per item."""
    found = (
        Candidate.objects.filter(first_found__gte=p.start, first_found__lte=p.as_of)
        .values("region_id", "item_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    yield from _per_item("ben.gap_found", ((r["region_id"], r["item_code"], r["n"]) for r in found))
    listed = Candidate.objects.values("region_id", "item_code").annotate(n=Count("id")).order_by()
    yield from _per_item("ben.gap_open", ((r["region_id"], r["item_code"], r["n"]) for r in listed))
    closed = (
        CandidateClosure.objects.filter(
            closed_on__gte=p.start, closed_on__lte=p.as_of, outcome=ClosureOutcome.APPLIED
        )
        .values("region_id", "item_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    yield from _per_item(
        "ben.gap_closed", ((r["region_id"], r["item_code"], r["n"]) for r in closed)
    )
    new = (
        Entitlement.objects.filter(start__gte=p.start, start__lte=p.end)
        .values("person__region_id", "item_code")
        .annotate(n=Count("id"))
        .order_by()
    )
    yield from _per_item(
        "ben.new_recipients", ((r["person__region_id"], r["item_code"], r["n"]) for r in new)
    )


@query("benefit_stops")
def benefit_stops(p: Period) -> Iterator[Row]:
    """ben.stops (应退尽退): entitlements whose first unpaid month is the period's month,
    by stop reason."""
    qs = (
        Entitlement.objects.filter(end=p.start)
        .values("person__region_id", "stop_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = ((r["person__region_id"], r["stop_reason"] or "other", r["n"]) for r in qs)
    for region, keys in _grouped(rows).items():
        yield Row("ben.stops", region, "", sum(keys.values()))
        for reason, n in keys.items():
            yield Row("ben.stops", region, f"reason:{reason}", n)


# --- institutions (reusing institutions.queries: one definition of each ratio) --------------


def _operating() -> QuerySet[Institution]:
    qs = Institution.objects.none()
    for province in _provinces():
        qs = qs | inst_queries.operating(province)
    return qs


def _by_region(qs: QuerySet[Any], **agg: Any) -> dict[str, dict[str, int]]:
    rows = qs.values("region_id").annotate(**agg).order_by()
    return {r["region_id"]: {k: int(r[k] or 0) for k in agg} for r in rows}


@query("institutions")
def institutions(p: Period) -> Iterator[Row]:
    """ins.homes and ins.beds (operating homes by ownership), ins.nursing_share (护理型床位
    in 公办 and 公建民营 homes, institutions.queries.nursing_bed_share), ins.dementia_beds
    (失智照护床位, institutions.queries.dementia_beds), ins.liability_rate (责任险投保率,
    institutions.queries.liability_insurance_rate), ins.inspection_coverage and
    ins.rectification_on_time for the period's year. Registers are current: a frozen
    version keeps the figures as they were when it was computed."""
    homes = _operating()
    kinds = (
        homes.values("region_id", "ownership")
        .annotate(
            n=Count("id"),
            bed_sum=Sum("beds_total"),
            dementia=Sum("beds_dementia"),
            insured=Count("id", filter=Q(liability_insured=True)),
        )
        .order_by()
    )
    # region → [homes, beds, dementia beds, insured homes]
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in kinds:
        region, own = r["region_id"], r["ownership"]
        yield Row("ins.homes", region, f"own:{own}", r["n"])
        yield Row("ins.beds", region, f"own:{own}", int(r["bed_sum"] or 0))
        t = totals[region]
        t[0] += r["n"]
        t[1] += int(r["bed_sum"] or 0)
        t[2] += int(r["dementia"] or 0)
        t[3] += r["insured"]
    for region, (n, beds, dementia, insured) in totals.items():
        yield Row("ins.homes", region, "", n)
        yield Row("ins.beds", region, "", beds)
        yield Row("ins.dementia_beds", region, "", dementia)
        yield Row("ins.liability_rate", region, "", insured, n)
    public = homes.filter(ownership__in=inst_queries.PUBLIC_OWNERSHIPS)
    for region, s in _by_region(public, n=Sum("beds_nursing"), d=Sum("beds_total")).items():
        yield Row("ins.nursing_share", region, "", s["n"], s["d"])
    year = p.start.year
    inspected = _by_region(inst_queries.inspected_homes(homes, year), n=Count("id"))
    for region, s in _by_region(homes, d=Count("id")).items():
        yield Row(
            "ins.inspection_coverage", region, "", inspected.get(region, {}).get("n", 0), s["d"]
        )
    due = inst_queries.findings_due(homes, year)
    findings = (
        due.values("institution__region_id")
        .annotate(d=Count("id"), n=Count("id", filter=inst_queries.CLOSED_ON_TIME))
        .order_by()
    )
    for f in findings:
        yield Row("ins.rectification_on_time", f["institution__region_id"], "", f["n"], f["d"])
