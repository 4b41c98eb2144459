"""Institutions' monthly operating reports in the catalogue (issue 11 part 3: the figures
feed the statistics module): residents by care grade, staff by post, safety incidents by kind.

Which month: the period M+1 shows the reports OF MONTH M. A home reports month M by the 10th
of M+1 (institutions.report_rules, `report_due_day`, stricter locally), when the statistics
month M has already closed (statistics.rules.closes_on: 6 days after its end); M+1 is the
first period whose snapshot can hold every report of M. A home that has not reported is
missing from the figures (the county's late list names it), and `ins.report_homes` says how
many homes the figures cover. Grouped by the report's own region (the home's village)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import Count, Sum

from yanglao.institutions.choices import CareBucket, StaffPost
from yanglao.institutions.models import MonthlyReport, ReportIncident
from yanglao.statistics import rules
from yanglao.statistics.queries import Period, Row, query

RESIDENTS = {b: f"residents_{b}" for b in CareBucket.values}
STAFF = {p: f"staff_{p}" for p in StaffPost.values}


def report_month(p: Period) -> date:
    """The month whose reports period `p` shows: the month before it."""
    return rules.add_months(p.start, -1)


@query("institution_reports")
def institution_reports(p: Period) -> Iterator[Row]:
    """ins.report_homes, ins.report_residents (by care grade), ins.report_staff (by post) and
    ins.report_incidents (by kind) from the reports of the month before the period."""
    reports = MonthlyReport.objects.filter(month=report_month(p))
    fields = {**RESIDENTS, **STAFF}
    rows: Iterable[Any] = (
        reports.values("region_id")
        .annotate(homes=Count("id"), **{f: Sum(f) for f in fields.values()})
        .order_by()
    )
    for r in rows:
        region = r["region_id"]
        yield Row("ins.report_homes", region, "", r["homes"])
        for code, dim, parts in (
            ("ins.report_residents", "care", RESIDENTS),
            ("ins.report_staff", "post", STAFF),
        ):
            total = 0
            for key, field in parts.items():
                n = int(r[field] or 0)
                total += n
                if n:
                    yield Row(code, region, f"{dim}:{key}", n)
            yield Row(code, region, "", total)
    incidents: Iterable[Any] = (
        ReportIncident.objects.filter(report__in=reports)
        .values("report__region_id", "kind")
        .annotate(n=Sum("count"))
        .order_by()
    )
    totals: dict[str, int] = defaultdict(int)
    for i in incidents:
        region = i["report__region_id"]
        totals[region] += i["n"]
        yield Row("ins.report_incidents", region, f"incident:{i['kind']}", i["n"])
    for region, n in totals.items():
        yield Row("ins.report_incidents", region, "", n)
