"""The only code that reads assessments for users; every query starts from `scoped()`."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_FIGURES, READ_RECORDS, scoped
from yanglao.assessments.choices import Standard, Status
from yanglao.assessments.models import (
    Assessment,
    AssessmentPolicy,
    ReassessmentRequest,
    ScoringConfig,
)
from yanglao.core.dates import days_since, local_date
from yanglao.core.todo import Todo
from yanglao.people.choices import LifeStatus
from yanglao.people.models import Person
from yanglao.regions import codes

PERSON_FIELD = "person__region_id"
OVERDUE_LIMIT = 500


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def assessments(user: User) -> QuerySet[Assessment]:
    return scoped(Assessment.objects.all(), user, READ_RECORDS, field=PERSON_FIELD)


def assessment_get(*, user: User, public_id: UUID | str) -> Assessment:
    """An assessment of a person in the user's scope, or 404."""
    try:
        uid = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    a = (
        assessments(user)
        .select_related("person", "person__region", "assessor", "confirmer", "supersedes")
        .filter(public_id=uid)
        .first()
    )
    if a is None:
        raise Http404
    return a


def person_assessments(*, user: User, person: Person) -> list[Assessment]:
    return list(
        assessments(user)
        .filter(person=person)
        .select_related("assessor", "confirmer", "supersedes")
        .order_by("-assessment_date", "-created_at")
    )


def open_assessment(*, user: User, person: Person) -> Assessment | None:
    return (
        assessments(user).filter(person=person, status__in=[Status.DRAFT, Status.SUBMITTED]).first()
    )


def policy_for(region_code: str, on: date) -> AssessmentPolicy | None:
    """The most specific reassessment policy in force on `on` for a region."""
    chain = [*codes.ancestor_codes(region_code), region_code]
    rows = AssessmentPolicy.objects.filter(effective_from__lte=on).filter(
        Q(region__isnull=True) | Q(region_id__in=chain)
    )
    best = sorted(
        rows,
        key=lambda p: (len(codes.prefix(p.region_id)) if p.region_id else 0, p.effective_from),
    )
    return best[-1] if best else None


def _latest_final(field: str) -> Subquery:
    return Subquery(
        Assessment.objects.filter(
            person=OuterRef("pk"), status=Status.FINAL, standard=Standard.GBT_42195
        )
        .order_by("-assessment_date", "-confirmed_at")
        .values(field)[:1]
    )


def grade_distribution(*, user: User, region: str = "") -> dict[int | None, int]:
    """Living persons in the user's jurisdiction by their current GB/T 42195 final grade
    (None: never assessed). Figures only, so any jurisdiction mode will do."""
    qs = scoped(Person.objects.filter(life_status=LifeStatus.ALIVE), user, READ_FIGURES)
    if region:
        low, high = codes.subtree_range(region)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    rows = (
        qs.annotate(grade=_latest_final("final_grade"))
        .values("grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["grade"]: r["n"] for r in rows}


@dataclass
class DueRow:
    person: Person
    last_date: date | None
    due_date: date
    reason: str  # 到期 / 即时评估申请：…


def overdue(*, user: User, on: date, limit: int = OVERDUE_LIMIT, region: str = "") -> list[DueRow]:
    """Persons whose reassessment is due: routine (last final + policy interval ≤ on) and
    open immediate-reassessment requests. Only persons with a final assessment are routine
    candidates; never-assessed persons are a separate figure (grade None). `region` (a
    padded code) narrows the jurisdiction to one node."""
    people = scoped(Person.objects.filter(life_status=LifeStatus.ALIVE), user, READ_RECORDS)
    if region:
        low, high = codes.subtree_range(region)
        people = people.filter(region_id__gte=low, region_id__lte=high)
    policies = list(AssessmentPolicy.objects.filter(effective_from__lte=on))
    rows: list[DueRow] = []
    if policies:
        shortest = min(p.interval_months for p in policies)
        cutoff = add_months(on, -shortest)
        candidates = (
            people.annotate(last_date=_latest_final("assessment_date"))
            .filter(last_date__isnull=False, last_date__lte=cutoff)
            .exclude(assessments__status__in=[Status.DRAFT, Status.SUBMITTED])
            .select_related("region")
            .order_by("last_date", "pk")
        )
        for p in candidates[: limit * 2]:
            policy = policy_for(p.region_id, on)
            if policy is None:
                continue
            due = add_months(p.last_date, policy.interval_months)
            if due <= on:
                rows.append(DueRow(p, p.last_date, due, "常规复评到期"))
    requests = (
        ReassessmentRequest.objects.filter(resolved_at__isnull=True, person__in=people)
        .select_related("person", "person__region")
        .order_by("requested_at")
    )
    for r in requests[:limit]:
        rows.append(DueRow(r.person, None, local_date(r.requested_at), f"即时评估申请：{r.reason}"))
    rows.sort(key=lambda row: row.due_date)
    return rows[:limit]


def ltc_config_versions() -> list[ScoringConfig]:
    """Every LTC-2021 scoring configuration, newest effective first (system-wide, no region:
    only the system administrator's page lists them). services.ltc_config picks the one in
    force on a date."""
    return list(
        ScoringConfig.objects.filter(standard=Standard.LTC_2021)
        .select_related("created_by")
        .order_by("-effective_from", "-created_at")
    )


# --- work waiting for an assessor, and the workbench's counts (yanglao.site) ----------------


def awaiting_confirmation(*, user: User) -> QuerySet[Assessment]:
    """Submitted assessments the user may confirm: in their jurisdiction and filled in by
    another assessor (a second assessor confirms, never the first), the oldest first."""
    return (
        assessments(user)
        .filter(status=Status.SUBMITTED)
        .exclude(assessor=user)
        .select_related("person", "person__region", "assessor")
        .order_by("submitted_at", "pk")
    )


def my_drafts(*, user: User) -> QuerySet[Assessment]:
    """The user's own assessments still being filled in (or sent back to them)."""
    return (
        assessments(user)
        .filter(status=Status.DRAFT, assessor=user)
        .select_related("person", "person__region")
        .order_by("created_at", "pk")
    )


def overdue_count(*, user: User, on: date) -> int:
    """How many people `overdue` would list (without its limit), set-based: routine
    reassessments due by the most specific policy in force for each person's region, plus
    open immediate-reassessment requests."""
    people = scoped(Person.objects.filter(life_status=LifeStatus.ALIVE), user, READ_RECORDS)
    routine = 0
    in_force: dict[str | None, AssessmentPolicy] = {}
    for p in AssessmentPolicy.objects.filter(effective_from__lte=on).order_by("effective_from"):
        in_force[p.region_id] = p  # the latest in force per node wins
    nodes = [n for n in in_force if n is not None]
    base = (
        people.annotate(last_date=_latest_final("assessment_date"))
        .filter(last_date__isnull=False)
        .exclude(assessments__status__in=[Status.DRAFT, Status.SUBMITTED])
    )
    for node, policy in in_force.items():
        # The policy's zone: its subtree minus the subtrees of more specific policies in it.
        zone = Q()
        if node is not None:
            low, high = codes.subtree_range(node)
            zone = Q(region_id__gte=low, region_id__lte=high)
        for other in nodes:
            if other != node and (node is None or _inside(other, node)):
                lo, hi = codes.subtree_range(other)
                zone &= ~Q(region_id__gte=lo, region_id__lte=hi)
        cutoff = add_months(on, -policy.interval_months)
        in_zone = base.filter(zone)
        # last ≤ cutoff means due ≤ on; near the cutoff, month ends need the exact rule.
        routine += in_zone.filter(last_date__lte=cutoff).count()
        # (month-end clamping: due 2月28日 for a last date of 1月29–31日 and one month).
        near = in_zone.filter(
            last_date__gt=cutoff, last_date__lte=cutoff + timedelta(days=3)
        ).values_list("last_date", flat=True)
        routine += sum(1 for d in near if add_months(d, policy.interval_months) <= on)
    requests = ReassessmentRequest.objects.filter(
        resolved_at__isnull=True, person__in=people
    ).count()
    return routine + requests


def _inside(code: str, node: str) -> bool:
    low, high = codes.subtree_range(node)
    return low <= code <= high and code != node


def todo_counts(*, user: User, on: date) -> dict[str, Todo]:
    """An assessor's and an officer's assessment to-dos: to confirm (the oldest's days
    waiting), own drafts, reassessments overdue."""
    waiting = awaiting_confirmation(user=user).aggregate(n=Count("pk"), oldest=Min("submitted_at"))
    return {
        "to_confirm": Todo(
            waiting["n"], 0, days_since(waiting["oldest"], on) if waiting["oldest"] else 0
        ),
        "drafts": Todo(my_drafts(user=user).count()),
        "overdue": Todo(overdue_count(user=user, on=on)),
    }
