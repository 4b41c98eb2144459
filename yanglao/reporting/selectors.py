"""Reads of the department reports. Pages read through `scoped()`; `approved_values` is the
read function of the statistics module (it scopes what it shows itself).

Public contract for `yanglao.statistics` (docs/reporting.md):

    approved_values(element_code, period) -> dict[region_code, int]

`period` is the period's first day or its key ('2026-10', '2026-Q3', '2026'). Only approved
reports count; the region codes are the reporting nodes' 12-digit codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_FIGURES, scoped, user_ranges
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.reporting import rules
from yanglao.reporting.choices import RECEIVED, ReportStatus
from yanglao.reporting.models import DataElement, DataSet, Report, ReportValue


def data_sets() -> QuerySet[DataSet]:
    return DataSet.objects.filter(active=True).prefetch_related("elements")


def data_set(code: str) -> DataSet:
    found = data_sets().filter(code=code[:20]).first()
    if found is None:
        raise Http404
    return found


def period_of(ds: DataSet, raw: str, today: date) -> tuple[date, list[str]]:
    """The period asked for in a query string, else the one to report now."""
    if raw:
        start = rules.parse_period(ds.period_type, raw)
        if start is not None:
            return start, []
        return rules.last_complete(ds.period_type, today), [
            f"报告期“{raw[:20]}”格式不对，已显示最近一期"
        ]
    return rules.last_complete(ds.period_type, today), []


def approved_values(element_code: str, period: date | str) -> dict[str, int]:
    """Region code → approved value of one data element in one period (all regions)."""
    element = DataElement.objects.select_related("data_set").filter(code=element_code).first()
    if element is None:
        return {}
    kind = element.data_set.period_type
    start = rules.parse_period(kind, period) if isinstance(period, str) else period
    if start is None:
        return {}
    rows = ReportValue.objects.filter(
        element=element,
        report__period=rules.period_start(kind, start),
        report__status=ReportStatus.APPROVED,
    ).values_list("report__region_id", "value")
    return dict(rows)


def expected_regions(user: User, ds: DataSet, under: str = "") -> QuerySet[Region]:
    """The current region nodes that owe this data set and lie in the user's scope (and
    under `under`, a region code, when given)."""
    qs = Region.objects.filter(level=ds.report_level, valid_to__isnull=True)
    qs = scoped(qs, user, READ_FIGURES, field="code")
    if under:
        low, high = codes.subtree_range(under)
        qs = qs.filter(code__gte=low, code__lte=high)
    return qs.order_by("code")


@dataclass
class Row:
    region: Region
    report: Report | None
    due: date
    timeliness: rules.Timeliness

    @property
    def status_label(self) -> str:
        return self.report.get_status_display() if self.report else "未报送"


@dataclass
class Group:
    parent: Region
    expected: int = 0
    received: int = 0
    approved: int = 0
    late: int = 0
    rows: list[Row] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        return rules.reporting_rate(self.expected, self.received)


@dataclass
class Overview:
    data_set: DataSet
    period: date
    due: date
    groups: list[Group]

    @property
    def expected(self) -> int:
        return sum(g.expected for g in self.groups)

    @property
    def received(self) -> int:
        return sum(g.received for g in self.groups)

    @property
    def rate(self) -> Decimal | None:
        return rules.reporting_rate(self.expected, self.received)

    @cached_property
    def late_rows(self) -> list[Row]:
        rows = [r for g in self.groups for r in g.rows if r.timeliness.is_late]
        return sorted(rows, key=lambda r: (-r.timeliness.days_late, r.region.code))


def overview(user: User, ds: DataSet, period: date, today: date, under: str = "") -> Overview:
    """Expected vs received reports of one period, grouped by the parent node (reporting
    rate per parent), each region's status and timeliness."""
    regions = list(expected_regions(user, ds, under))
    due = rules.due_date(ds.period_type, period, ds.due_day)
    qs = scoped(Report.objects.filter(data_set=ds, period=period), user, READ_FIGURES)
    if under:
        low, high = codes.subtree_range(under)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    reports = {r.region_id: r for r in qs}
    parent_codes = {r.parent_id for r in regions if r.parent_id}
    parents = {p.code: p for p in Region.objects.filter(code__in=parent_codes)}
    groups: dict[str, Group] = {}
    for region in regions:
        parent = parents.get(region.parent_id or "", region)
        g = groups.setdefault(parent.code, Group(parent))
        report = reports.get(region.code)
        received = report is not None and report.status in RECEIVED
        first = report.first_submitted_on if report else None
        # A returned report counts as handed in on the day it was first submitted: lateness
        # is about the region's first report, not about the approver's corrections.
        t = rules.timeliness(due, first, today)
        g.expected += 1
        g.received += int(received)
        g.approved += int(report is not None and report.status == ReportStatus.APPROVED)
        g.late += int(t.is_late)
        g.rows.append(Row(region, report, due, t))
    return Overview(ds, period, due, [groups[k] for k in sorted(groups)])


def report_for(user: User, public_id: UUID | str) -> Report:
    qs = Report.objects.select_related("data_set", "region", "submitted_by", "decided_by")
    found = scoped(qs.filter(public_id=public_id), user, READ_FIGURES).first()
    if found is None:
        raise Http404
    return found


def values_of(report: Report) -> list[tuple[DataElement, int | None]]:
    have = {v.element_id: v.value for v in report.values.all()}
    return [(e, have.get(e.pk)) for e in report.data_set.elements.all()]


def waiting_approval(user: User) -> QuerySet[Report]:
    """Submitted reports of the levels directly below the user's 办理 jurisdictions."""
    qs = Report.objects.filter(status=ReportStatus.SUBMITTED).select_related("data_set", "region")
    qs = scoped(qs, user, READ_FIGURES)
    levels = {
        level + 1
        for level in user.jurisdictions.filter(mode="edit").values_list("region__level", flat=True)
    }
    return qs.filter(data_set__report_level__in=levels).order_by("submitted_at")


def region_values(user: User, ds: DataSet, period: date, region_code: str) -> dict[str, str]:
    """Element code → the value already saved (as text) for the entry form."""
    if not user_ranges(user, READ_FIGURES):
        return {}
    report = Report.objects.filter(data_set=ds, period=period, region_id=region_code).first()
    if report is None:
        return {}
    return {v.element.code: str(v.value) for v in report.values.select_related("element")}
