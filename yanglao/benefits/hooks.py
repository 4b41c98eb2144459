"""How benefits follow a person's life events (people.hooks), registered in
BenefitsConfig.ready(). Records already made (decisions, approved rolls) keep their region;
open work (applications, review tasks, the discovery list) follows the person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import OuterRef, Subquery

from yanglao.benefits import rules
from yanglao.benefits.choices import OPEN_STATUSES, StopReason, TaskKind, TaskStatus
from yanglao.benefits.models import Application, Candidate, Entitlement, ReviewTask
from yanglao.benefits.services import REVIEW_DAYS, person_closed
from yanglao.people import hooks
from yanglao.people.models import Person
from yanglao.regions.models import Region

CHUNK = 2000
FOLLOW_MOVE = "benefit.follow_move"


def on_closed(ctx: hooks.EventContext, closures: Sequence[hooks.Closed]) -> None:
    """Death or move-out: payments stop from the next month (§4.4), open applications end,
    a review task per entitlement (应退尽退)."""
    people = Person.objects.in_bulk([c.person_id for c in closures])
    for c in closures:
        person_closed(
            actor=ctx.actor, person=people[c.person_id], status=c.status, on=c.on, today=ctx.today
        )


def on_moved(ctx: hooks.EventContext, moves: Sequence[hooks.Moved]) -> None:
    """Open applications, open review tasks and discovery rows go to the new village. A move
    to another county stops payment on the old county's roll from the next month and opens a
    review task in the new county, which decides whether to pay from there."""
    ids = [m.person_id for m in moves]
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        region = Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("region_id")[:1])
        Application.objects.filter(person_id__in=chunk, status__in=OPEN_STATUSES).update(
            region_id=region
        )
        ReviewTask.objects.filter(person_id__in=chunk, status=TaskStatus.OPEN).update(
            region_id=region
        )
        Candidate.objects.filter(person_id__in=chunk).update(region_id=region)
    crossing = {m.person_id: m for m in moves if m.county_changed}
    if not crossing:
        return
    counties = dict(
        Region.objects.filter(
            code__in={m.old_region_id[:6] + "000000" for m in crossing.values()}
            | {m.new_region_id[:6] + "000000" for m in crossing.values()}
        ).values_list("code", "name")
    )
    due = date.fromordinal(ctx.today.toordinal() + REVIEW_DAYS)
    stopped: dict[int, list[str]] = {}
    for e in Entitlement.objects.select_for_update().filter(
        person_id__in=list(crossing), end__isnull=True
    ):
        m = crossing[e.person_id]
        if e.county_id == m.new_region_id[:6] + "000000":
            continue  # already paid by the county moved to
        old = counties.get(e.county_id, e.county_id)
        new = counties.get(m.new_region_id[:6] + "000000", "")
        e.end = max(rules.stop_month(m.on), e.start)
        e.stop_reason = StopReason.MOVED_OUT
        e.stop_note = f"{m.on:%Y-%m-%d}迁往{new}，自{e.end:%Y年%m月}起{old}停发"[:200]
        e.save(update_fields=["end", "stop_reason", "stop_note"])
        ReviewTask.objects.get_or_create(
            person_id=e.person_id,
            kind=TaskKind.MOVED_IN,
            key=f"moved:{e.pk}",
            defaults={
                "region_id": m.new_region_id,
                "due": due,
                "detail": (
                    f"自{old}迁入：{e.item_code}已自{e.end:%Y年%m月}起在原县停发，"
                    "请核实在本县的资格，符合条件的及时受理（应保尽保）"
                )[:300],
                "entitlement_id": e.pk,
            },
        )
        stopped.setdefault(e.person_id, []).append(e.item_code)
    hooks.audit_people(
        ctx,
        FOLLOW_MOVE,
        {
            pid: (
                crossing[pid].new_region_id,
                {
                    "from": crossing[pid].old_region_id,
                    "to": crossing[pid].new_region_id,
                    "stopped": items,
                    "from_month": str(rules.stop_month(crossing[pid].on)),
                },
            )
            for pid, items in stopped.items()
        },
    )


def connect() -> None:
    hooks.persons_closed.connect(on_closed)
    hooks.persons_moved.connect(on_moved)
