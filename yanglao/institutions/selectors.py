"""Reads for users, always through accounts.scoping: officers by region, operators by the
institution they are bound to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import READ_RECORDS, scoped, user_ranges
from yanglao.core.calendar import exceptions_for
from yanglao.core.todo import Todo, counted
from yanglao.institutions import rules, selectors_reports, supervision_queries
from yanglao.institutions.choices import (
    BedStatus,
    FilingDecision,
    FilingStatus,
    OperatingStatus,
)
from yanglao.institutions.models import (
    Bed,
    Filing,
    FindingStatus,
    Institution,
    Residency,
    TaskStatus,
)
from yanglao.regions import codes

BOUND = "operators"


def institutions(user: User) -> QuerySet[Institution]:
    """Every institution the user may see: in their jurisdictions, or bound to them."""
    if not (user.can(Cap.INSTITUTION_VIEW) or user.can(Cap.INSTITUTION_OPERATE)):
        return Institution.objects.none()
    # An operator is bound to its home only, whatever jurisdiction the account carries.
    operator_only = user.can(Cap.INSTITUTION_OPERATE) and not user.can(Cap.INSTITUTION_MANAGE)
    modes = () if operator_only else READ_RECORDS
    return scoped(Institution.objects.all(), user, modes, bound=BOUND)


def institution_get(*, user: User, public_id: UUID | str) -> Institution:
    found = institutions(user).filter(public_id=public_id).select_related("region").first()
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class Filters:
    q: str = ""
    region: str = ""
    ownership: str = ""
    filing: str = ""
    status: str = ""


def institution_search(*, user: User, f: Filters) -> QuerySet[Institution]:
    qs = institutions(user)
    if f.q:
        qs = qs.filter(Q(name__contains=f.q) | Q(credit_code=f.q.upper()))
    if f.region:
        try:
            code12 = codes.pad(f.region)
            low, high = codes.subtree_range(code12)
        except ValueError as exc:
            raise Http404 from exc
        # A node outside the officer's jurisdiction is a 404, as everywhere (not an empty list).
        officer = user.can(Cap.INSTITUTION_MANAGE) or not user.can(Cap.INSTITUTION_OPERATE)
        if officer and not any(lo <= code12 <= hi for lo, hi in user_ranges(user, READ_RECORDS)):
            raise Http404
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    for key, field in (
        ("ownership", "ownership"),
        ("filing", "filing_status"),
        ("status", "status"),
    ):
        if value := getattr(f, key):
            qs = qs.filter(**{field: value})
    return (
        qs.select_related("region")
        .annotate(residents_now=Count("residencies", filter=Q(residencies__end__isnull=True)))
        .order_by("region_id", "name")
    )


def beds(institution: Institution) -> list[Bed]:
    return list(institution.beds.all())


def bed_counts(institution: Institution) -> dict[str, int]:
    rows = institution.beds.values("status").annotate(n=Count("id"))
    counts = {r["status"]: r["n"] for r in rows}
    return {s: counts.get(s, 0) for s in BedStatus.values}


def residents(institution: Institution, *, current: bool = True) -> QuerySet[Residency]:
    qs = institution.residencies.select_related("person", "bed")
    return qs.filter(end__isnull=True) if current else qs.order_by("-start")


def filings(institution: Institution) -> QuerySet[Filing]:
    return institution.filings.order_by("-submitted_on", "-id")


def filing_queue(*, user: User) -> QuerySet[Filing]:
    """Filings waiting for an answer, oldest first, in the officer's jurisdiction."""
    if not user.can(Cap.INSTITUTION_MANAGE):
        return Filing.objects.none()
    return (
        scoped(Filing.objects.all(), user, READ_RECORDS)
        .filter(decision=FilingDecision.SUBMITTED)
        .select_related("institution", "region")
        .order_by("submitted_on", "id")
    )


@dataclass(frozen=True)
class Overdue:
    institution: Institution
    due: date | None
    why: str


def for_action(*, user: User, today: date) -> list[Overdue]:
    """无证无照 and late filings to act on: operating homes past their filing deadline (10
    working days after the first admission), homes operating without filing, and expired
    licences."""
    out: list[Overdue] = []
    qs = institutions(user).filter(status=OperatingStatus.OPERATING).select_related("region")
    unfiled = list(qs.exclude(filing_status=FilingStatus.FILED).order_by("region_id", "name"))
    calendar = exceptions_for(i.first_admission_on for i in unfiled)  # one query for the list
    for inst in unfiled:
        if inst.first_admission_on is None:
            continue  # not admitting anyone yet: nothing is due
        due = rules.filing_due(inst.first_admission_on, calendar)
        if due < today:
            out.append(Overdue(inst, due, f"已收住老人，逾期未备案（应于{due:%Y-%m-%d}前备案）"))
    for inst in qs.filter(licence_valid_until__lt=today).order_by("licence_valid_until"):
        out.append(
            Overdue(
                inst,
                inst.licence_valid_until,
                f"证照已于{inst.licence_valid_until:%Y-%m-%d}过期，仍在运营",
            )
        )
    return out


# --- to-do counts of the workbench (yanglao.site) ------------------------------------------


def operator_home(user: User) -> Institution | None:
    """The home an operator account is bound to (the first, if several)."""
    if not user.can(Cap.INSTITUTION_OPERATE):
        return None
    return institutions(user).order_by("name").first()


def todo_counts(*, user: User, today: date) -> dict[str, Todo]:
    """What waits for the user in institutions: an operator's monthly reports to file and
    findings to rectify (late past their deadline); an inspector's inspections to do and
    rectifications to re-check; an officer's filings to answer, homes overdue for filing or
    with an expired licence, and rectifications past their deadline."""
    out: dict[str, Todo] = {}
    findings = supervision_queries.findings(user)
    if user.can(Cap.INSTITUTION_OPERATE):
        owed = [
            due
            for inst in institutions(user)
            for _, due in selectors_reports.months_to_file(inst, today)
        ]
        late = [d for d in owed if d < today]
        out["reports"] = counted(len(owed), len(late), min(late, default=None), today=today)
        to_fix = findings.filter(status=FindingStatus.OPEN).aggregate(
            n=Count("id"),
            late=Count("id", filter=Q(deadline__lt=today)),
            oldest=Min("deadline", filter=Q(deadline__lt=today)),
        )
        out["findings"] = counted(to_fix["n"], to_fix["late"], to_fix["oldest"], today=today)
    if user.can(Cap.INSPECTION_DO):
        out["inspections"] = Todo(
            supervision_queries.tasks(user).filter(status=TaskStatus.ASSIGNED).count()
        )
        out["rechecks"] = Todo(findings.filter(status=FindingStatus.ANSWERED).count())
    if user.can(Cap.INSTITUTION_MANAGE):
        out["filings"] = Todo(filing_queue(user=user).count())
        out["for_action"] = Todo(len(for_action(user=user, today=today)))
        late_fix = supervision_queries.overdue_rectifications(user=user, today=today).aggregate(
            n=Count("id"), oldest=Min("deadline")
        )
        out["rectifications"] = counted(
            late_fix["n"], late_fix["n"], late_fix["oldest"], today=today
        )
    return out
