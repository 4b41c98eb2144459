"""Reads of 双随机一公开 and inspection, always through accounts.scoping: officers by region,
inspectors by the tasks assigned to them (`bound="inspectors"`), operators by their home
(`bound="institution__operators"`). `published_results(institution)` is the public one: no
personal data, for the public directory page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import READ_RECORDS, in_scope, scoped
from yanglao.core.calendar import exceptions_for
from yanglao.institutions import spotcheck
from yanglao.institutions.choices import OperatingStatus
from yanglao.institutions.models import (
    Draw,
    EvidencePhoto,
    Finding,
    FindingStatus,
    Inspection,
    Inspector,
    Institution,
    SpotCheckPlan,
    SpotCheckTask,
    TaskStatus,
)
from yanglao.regions import codes

M = TypeVar("M", bound=Model)


def _visible(qs: QuerySet[M], user: User, *, inspectors: str, operators: str) -> QuerySet[M]:
    """Inspectors: what they are assigned to; operators: their own home; officers: region."""
    if user.can(Cap.INSPECTION_DO):
        return scoped(qs, user, (), bound=inspectors)
    if user.can(Cap.INSTITUTION_OPERATE):
        return scoped(qs, user, (), bound=operators)
    if user.can(Cap.INSTITUTION_VIEW):
        return scoped(qs, user, READ_RECORDS)
    return qs.none()


def _one(qs: QuerySet[M], public_id: UUID | str) -> M:
    found = qs.filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def in_region(qs: QuerySet[M], user: User, region: str) -> QuerySet[M]:
    """Rows under a region node (any level). An officer asking for a node outside their
    jurisdiction gets a 404, as everywhere; bound users just get their rows under it."""
    if not region:
        return qs
    try:
        code12 = codes.pad(region)
        low, high = codes.subtree_range(code12)
    except ValueError as exc:
        raise Http404 from exc
    bound = user.can(Cap.INSPECTION_DO) or user.can(Cap.INSTITUTION_OPERATE)
    if not bound and not in_scope(user, code12, READ_RECORDS):
        raise Http404
    return qs.filter(region_id__gte=low, region_id__lte=high)


def tasks(user: User) -> QuerySet[SpotCheckTask]:
    qs = SpotCheckTask.objects.select_related("institution", "plan", "institution__region")
    return _visible(qs, user, inspectors="inspectors", operators="institution__operators")


def task_get(*, user: User, public_id: UUID | str) -> SpotCheckTask:
    return _one(tasks(user), public_id)


def findings(user: User) -> QuerySet[Finding]:
    qs = Finding.objects.select_related("institution", "task", "residency__person")
    return _visible(qs, user, inspectors="task__inspectors", operators="institution__operators")


def finding_get(*, user: User, public_id: UUID | str) -> Finding:
    return _one(findings(user), public_id)


def photo_get(*, user: User, pk: int) -> EvidencePhoto:
    """A photo of an inspection or of an answer the user may see (404 otherwise)."""
    found = EvidencePhoto.objects.filter(pk=pk).select_related("inspection", "step").first()
    if found is None:
        raise Http404
    if found.inspection_id is not None:
        task_id = found.inspection.task_id  # type: ignore[union-attr]
    else:
        task_id = found.step.finding.task_id  # type: ignore[union-attr]
    if not tasks(user).filter(pk=task_id).exists():
        raise Http404
    return found


def plans(user: User) -> QuerySet[SpotCheckPlan]:
    if not user.can(Cap.INSPECTION_MANAGE):
        return SpotCheckPlan.objects.none()
    return scoped(SpotCheckPlan.objects.all(), user, READ_RECORDS).order_by("-year", "-id")


def plan_get(*, user: User, public_id: UUID | str) -> SpotCheckPlan:
    return _one(plans(user), public_id)


def draw_get(*, user: User, public_id: UUID | str) -> Draw:
    if not user.can(Cap.INSPECTION_MANAGE):
        raise Http404
    return _one(scoped(Draw.objects.select_related("plan"), user, READ_RECORDS), public_id)


def public_draws(today: date) -> QuerySet[Draw]:
    """Draws open to the public (双随机一公开): a draw is published once every task it made
    has its result published, or once its plan's year is over — not before, so that the homes
    drawn are not told in advance of the inspection (our reading; 待核实 how Jilin times it).
    Officers see a draw and its JSON from the moment it is made (plan page)."""
    unpublished = SpotCheckTask.objects.filter(plan=OuterRef("plan")).exclude(
        status=TaskStatus.PUBLISHED
    )
    return (
        Draw.objects.select_related("plan", "region")
        .filter(Q(plan__year__lt=today.year) | ~Exists(unpublished))
        .order_by("-drawn_at", "-id")
    )


def draw_published(d: Draw) -> dict[str, Any]:
    """Every input of spotcheck.draw and its result, as published with the draw."""
    return {
        "seed": d.seed,
        "ratio": str(d.ratio),
        "per_task": d.per_task,
        "homes": d.homes,
        "excluded": d.excluded,
        "inspectors": d.inspectors,
        "conflicts": d.conflicts,
        "result": d.result,
    }


def inspectors(user: User) -> QuerySet[Inspector]:
    if not user.can(Cap.INSPECTION_MANAGE):
        return Inspector.objects.none()
    return scoped(Inspector.objects.select_related("region", "user"), user, READ_RECORDS).order_by(
        "region_id", "name"
    )


def inspections(task: SpotCheckTask) -> QuerySet[Inspection]:
    return task.inspections.prefetch_related("lines", "photos").order_by("inspected_on", "id")


def uninspected(*, user: User, year: int) -> QuerySet[Institution]:
    """Operating homes in the officer's jurisdiction with no on-site inspection this year
    (养老机构管理办法 art. 38: at least one a year)."""
    if not user.can(Cap.INSPECTION_MANAGE):
        return Institution.objects.none()
    done = Inspection.objects.filter(institution=OuterRef("pk"), inspected_on__year=year)
    return (
        scoped(Institution.objects.all(), user, READ_RECORDS)
        .filter(status=OperatingStatus.OPERATING)
        .exclude(Exists(done))
        .select_related("region")
        .order_by("region_id", "name")
    )


@dataclass(frozen=True)
class LateResult:
    task: SpotCheckTask
    due: date
    published_on: date | None


def late_publications(*, user: User, today: date) -> list[LateResult]:
    """Results not published within 20 working days of the inspection (still unpublished
    past the due day, or published late)."""
    if not user.can(Cap.INSPECTION_MANAGE):
        return []
    out = []
    qs = list(tasks(user).filter(inspected_on__isnull=False).order_by("inspected_on", "id"))
    calendar = exceptions_for(t.inspected_on for t in qs)  # one query for the whole list
    for t in qs:
        assert t.inspected_on is not None
        due = spotcheck.publish_due(t.inspected_on, calendar)
        if (t.published_on or today) > due:
            out.append(LateResult(t, due, t.published_on))
    return out


def overdue_rectifications(*, user: User, today: date) -> QuerySet[Finding]:
    """Open findings past their deadline: escalated to the county (the list it works from)."""
    return (
        findings(user)
        .exclude(status=FindingStatus.CLOSED)
        .filter(deadline__lt=today)
        .order_by("deadline", "id")
    )


def results(user: User) -> QuerySet[SpotCheckTask]:
    return tasks(user).filter(status=TaskStatus.PUBLISHED).order_by("-published_on", "-id")


@dataclass(frozen=True)
class PublishedFinding:
    clause: str
    clause_text: str
    deadline: date
    status: str
    status_label: str


@dataclass(frozen=True)
class PublishedResult:
    """抽查结果公示 of one home: no personal data (no notes, no residents, no inspectors)."""

    plan: str
    year: int
    inspected_on: date
    published_on: date
    conclusion: str
    findings: tuple[PublishedFinding, ...]


def published_results(institution: Institution) -> list[PublishedResult]:
    """The published inspection results of a home, newest first (for the public page)."""
    qs = (
        SpotCheckTask.objects.filter(institution=institution, status=TaskStatus.PUBLISHED)
        .select_related("plan")
        .prefetch_related("findings")
        .order_by("-published_on", "-id")
    )
    out = []
    for t in qs:
        assert t.inspected_on is not None and t.published_on is not None
        out.append(
            PublishedResult(
                plan=t.plan.name,
                year=t.plan.year,
                inspected_on=t.inspected_on,
                published_on=t.published_on,
                conclusion=t.conclusion,
                findings=tuple(
                    PublishedFinding(
                        f.clause,
                        f.clause_text,
                        f.deadline,
                        f.status,
                        FindingStatus(f.status).label,
                    )
                    for f in sorted(t.findings.all(), key=lambda f: f.clause)
                ),
            )
        )
    return out
