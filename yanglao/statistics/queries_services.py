"""Community and home services' indicators (issue 12 landed): services delivered, meals
served, homes modified. Registered into `queries.QUERIES` by name, as the catalogue's
svc.* entries ask; each groups by the record's own region code (set-based, one query)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import Count

from yanglao.community.choices import LogStatus
from yanglao.community.models import ServiceLog
from yanglao.community.models_programmes import MealRecord, ModificationCase
from yanglao.community.programmes.choices import CaseStatus
from yanglao.statistics.queries import Period, Row, query

# A service counts once delivered: signed out and waiting for, or given, the older person's
# confirmation (a disputed, cancelled or no-show visit is not a service given).
DELIVERED = (LogStatus.AWAITING, LogStatus.CONFIRMED)
MODIFIED = (CaseStatus.ACCEPTED, CaseStatus.SUBSIDISED)


@query("services_delivered")
def services_delivered(p: Period) -> Iterator[Row]:
    """svc.delivered: service logs of the month (人次), overall and by GB/T 43153 category."""
    rows = (
        ServiceLog.objects.filter(
            status__in=DELIVERED, service_date__gte=p.start, service_date__lte=p.as_of
        )
        .values("region_id", "item__category")
        .annotate(n=Count("id"))
        .order_by()
    )
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["region_id"]] = totals.get(r["region_id"], 0) + r["n"]
        yield Row("svc.delivered", r["region_id"], f"kind:{r['item__category']}", r["n"])
    for region, n in totals.items():
        yield Row("svc.delivered", region, "", n)


@query("services_meals")
def services_meals(p: Period) -> Iterator[Row]:
    """svc.meals: meals served in the month (份), by the meal's region."""
    rows = (
        MealRecord.objects.filter(meal_date__gte=p.start, meal_date__lte=p.as_of)
        .values("region_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        yield Row("svc.meals", r["region_id"], "", r["n"])


@query("services_homes_modified")
def services_homes_modified(p: Period) -> Iterator[Row]:
    """svc.homes_modified: homes accepted from 1 January to the end of the period (户)."""
    rows = (
        ModificationCase.objects.filter(
            status__in=MODIFIED,
            accepted_on__gte=date(p.start.year, 1, 1),
            accepted_on__lte=p.as_of,
        )
        .values("region_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        yield Row("svc.homes_modified", r["region_id"], "", r["n"])
