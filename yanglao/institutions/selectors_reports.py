"""User-facing reads of parts 3–4 and 特困 应养尽养: the set-based queries (queries.py) over
the user's jurisdictions; a home's own rows through selectors.institution_get (officers by
region, operators by binding)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import READ_RECORDS, scoped, user_ranges
from yanglao.institutions import queries_reports as queries
from yanglao.institutions import report_rules as rr
from yanglao.institutions.models import (
    Complaint,
    Institution,
    MonthlyReport,
    PrepaidBalance,
    PrepaidFiling,
    StopNotice,
    SupportRequest,
)
from yanglao.people.models import Person
from yanglao.regions import codes


def officer_ranges(user: User, region: str = "") -> list[queries.Range]:
    """The officer's jurisdiction ranges, or the one node `region` inside them (404 outside,
    as everywhere: never an empty list that tells the node exists)."""
    if not user.can(Cap.INSTITUTION_MANAGE):
        return []
    ranges = queries.merge(user_ranges(user, READ_RECORDS))
    if not region:
        return ranges
    try:
        code12 = codes.pad(region)
    except ValueError as exc:
        raise Http404 from exc
    if not any(lo <= code12 <= hi for lo, hi in ranges):
        raise Http404
    return [codes.subtree_range(code12)]


def reports(inst: Institution) -> QuerySet[MonthlyReport]:
    return inst.monthly_reports.prefetch_related("incidents").order_by("-month")


def report_get(inst: Institution, public_id: UUID | str) -> MonthlyReport:
    found = reports(inst).filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def filings(inst: Institution) -> QuerySet[PrepaidFiling]:
    return inst.prepaid_filings.prefetch_related("items").order_by("-id")


def balances(inst: Institution) -> QuerySet[PrepaidBalance]:
    return inst.prepaid_balances.order_by("-month")


def stop_notices(inst: Institution) -> QuerySet[StopNotice]:
    return inst.stop_notices.order_by("-notified_on")


def complaints(inst: Institution) -> QuerySet[Complaint]:
    return inst.complaints.order_by("-received_on", "-id")


def months_to_file(inst: Institution, today: date) -> list[tuple[date, date]]:
    """(month, due) of the home's reports not filed yet, of the last 3 complete months since
    its first admission: the reminders on its own page."""
    if inst.first_admission_on is None:
        return []
    due_day = queries.limits_for(inst.region_id, today).report_due_day
    filed = set(inst.monthly_reports.values_list("month", flat=True))
    last = rr.last_complete_month(today)
    months = [rr.add_months(last, -i) for i in range(3)]
    first = rr.month_start(inst.first_admission_on)
    return [(m, rr.report_due(m, due_day)) for m in months if m >= first and m not in filed]


def reports_owed(*, user: User, month: date, region: str = "") -> list[queries.Owed]:
    out: list[queries.Owed] = []
    for rng in officer_ranges(user, region):
        out += queries.reports_owed(rng, month)
    return out


def risk_list(*, user: User, month: date, today: date, region: str = "") -> list[queries.RiskRow]:
    out: list[queries.RiskRow] = []
    for rng in officer_ranges(user, region):
        out += queries.risk_list(rng, month, today)
    out.sort(key=lambda r: (-r.risk.score, r.region_id, r.name))
    return out


def tekun_unplaced(*, user: User, on: date, region: str = "") -> QuerySet[Person]:
    ranges = officer_ranges(user, region)
    if not ranges:
        return Person.objects.none()
    qs = queries.tekun_unplaced(ranges[0], on)
    for rng in ranges[1:]:
        qs = qs | queries.tekun_unplaced(rng, on)
    return qs.select_related("region").order_by("requested_on", "id")  # type: ignore[misc]


def support_request_get(*, user: User, public_id: UUID | str) -> SupportRequest:
    qs = scoped(
        SupportRequest.objects.select_related("person"), user, READ_RECORDS, "person__region_id"
    )
    found = qs.filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def complaint_get(*, user: User, public_id: UUID | str) -> Complaint:
    if not user.can(Cap.INSTITUTION_MANAGE):
        raise Http404
    found = (
        scoped(Complaint.objects.select_related("institution"), user, READ_RECORDS)
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise Http404
    return found
