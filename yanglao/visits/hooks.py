"""How visits follow a person's life events (people.hooks), registered in VisitsConfig.ready().

Set-based: one UPDATE per table for a whole batch of moves, so an import that moves 10,000
people costs the same few statements as one move. Records already made (visit records) keep
the region they were made in; what is still to do (the visit file, open tasks, open
follow-ups) goes to the new village.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.people import hooks
from yanglao.people.choices import Dwelling, LifeStatus
from yanglao.people.models import Person
from yanglao.regions.models import Region
from yanglao.visits.choices import OPEN_TASK, FollowUpStatus, TaskStatus
from yanglao.visits.models import FollowUp, TaskEvent, VisitRecord, VisitSubject, VisitTask
from yanglao.visits.services import eligible_worker

CHUNK = 2000  # ids per statement: well inside SQLite's parameter limit

FOLLOW_MOVE = "visit.follow_move"
TASKS_CANCEL = "visit.tasks_cancel"


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)]


def _ineligible(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (worker, village) pairs where the worker may not record visits in the village."""
    users = {u.pk: u for u in User.objects.filter(pk__in={w for w, _ in pairs})}
    return {(w, v) for w, v in pairs if w not in users or not eligible_worker(users[w], v)}


def on_moved(ctx: hooks.EventContext, moves: Sequence[hooks.Moved]) -> None:
    """Visit file, open tasks and open follow-ups move to the new village; a worker or backup
    who may not visit there is cleared (the township assigns a new one); task events record
    the move."""
    now = timezone.now()
    by_person = {m.person_id: m for m in moves}
    ids = list(by_person)
    names = dict(
        Region.objects.filter(
            code__in={m.old_region_id for m in moves} | {m.new_region_id for m in moves}
        ).values_list("code", "name")
    )
    cleared: dict[int, list[str]] = {}
    counts: dict[int, dict[str, int]] = {pid: {"tasks": 0, "follow_ups": 0} for pid in ids}
    for chunk in _chunks(ids):
        person_region = Subquery(
            Person.objects.filter(pk=OuterRef("person_id")).values("region_id")[:1]
        )
        VisitSubject.objects.filter(person_id__in=chunk).update(
            region_id=person_region, updated_at=now
        )
        open_tasks = list(
            VisitTask.objects.filter(person_id__in=chunk, status__in=OPEN_TASK).values_list(
                "pk", "person_id", "status"
            )
        )
        VisitTask.objects.filter(pk__in=[t[0] for t in open_tasks]).update(region_id=person_region)
        TaskEvent.objects.bulk_create(
            TaskEvent(
                task_id=pk,
                from_status=status,
                to_status=status,
                at=now,
                note=_move_note(by_person[pid], names)[:200],
            )
            for pk, pid, status in open_tasks
        )
        for _, pid, _ in open_tasks:
            counts[pid]["tasks"] += 1
        follow_ups = FollowUp.objects.filter(
            record__person_id__in=chunk, status=FollowUpStatus.OPEN
        )
        for pid in follow_ups.values_list("record__person_id", flat=True):
            counts[pid]["follow_ups"] += 1
        FollowUp.objects.filter(pk__in=follow_ups.values("pk")).update(
            region_id=Subquery(
                VisitRecord.objects.filter(pk=OuterRef("record_id")).values("person__region_id")[:1]
            )
        )
        # Responsible and backup workers bound to the old village.
        subjects = list(
            VisitSubject.objects.filter(person_id__in=chunk).values_list(
                "person_id", "region_id", "worker_id", "backup_id"
            )
        )
        pairs = {(w, r) for _, r, w, b in subjects for w in (w, b) if w is not None}
        bad = _ineligible(pairs)
        for role in ("worker", "backup"):
            gone = [
                pid
                for pid, r, w, b in subjects
                if (w if role == "worker" else b) is not None
                and ((w if role == "worker" else b), r) in bad
            ]
            if not gone:
                continue
            VisitSubject.objects.filter(person_id__in=gone).update(**{f"{role}_id": None})
            for pid in gone:
                cleared.setdefault(pid, []).append(role)
        task_workers = list(
            VisitTask.objects.filter(pk__in=[t[0] for t in open_tasks])
            .exclude(worker_id=None)
            .values_list("pk", "worker_id", "region_id")
        )
        bad_tasks = _ineligible({(w, r) for _, w, r in task_workers})
        stale_tasks = [pk for pk, w, r in task_workers if (w, r) in bad_tasks]
        VisitTask.objects.filter(pk__in=stale_tasks).update(worker_id=None)
    hooks.audit_people(
        ctx,
        FOLLOW_MOVE,
        {
            pid: (
                m.new_region_id,
                {
                    "from": m.old_region_id,
                    "to": m.new_region_id,
                    "open_tasks_moved": counts[pid]["tasks"],
                    "follow_ups_moved": counts[pid]["follow_ups"],
                    "cleared": cleared.get(pid, []),
                },
            )
            for pid, m in by_person.items()
            if counts[pid]["tasks"] or counts[pid]["follow_ups"] or pid in cleared
        },
    )


def _move_note(m: hooks.Moved, names: dict[str, str]) -> str:
    old, new = names.get(m.old_region_id, m.old_region_id), names.get(m.new_region_id, "")
    return f"老人迁居：由{old}迁至{new}，任务随迁"


def _cancel_open_tasks(ctx: hooks.EventContext, reasons: dict[int, tuple[str, str]]) -> None:
    """Cancel the open tasks of these people ({pk: (region, reason)}), one event per task and
    one audit row per person."""
    now = timezone.now()
    cancelled: dict[int, int] = {}
    for chunk in _chunks(list(reasons)):
        tasks = list(
            VisitTask.objects.filter(person_id__in=chunk, status__in=OPEN_TASK).values_list(
                "pk", "person_id", "status"
            )
        )
        TaskEvent.objects.bulk_create(
            TaskEvent(
                task_id=pk,
                from_status=status,
                to_status=TaskStatus.CANCELLED,
                at=now,
                note=reasons[pid][1][:200],
            )
            for pk, pid, status in tasks
        )
        VisitTask.objects.filter(pk__in=[t[0] for t in tasks], status__in=OPEN_TASK).update(
            status=TaskStatus.CANCELLED
        )
        for _, pid, _ in tasks:
            cancelled[pid] = cancelled.get(pid, 0) + 1
    hooks.audit_people(
        ctx,
        TASKS_CANCEL,
        {
            pid: (reasons[pid][0], {"cancelled": n, "reason": reasons[pid][1]})
            for pid, n in cancelled.items()
        },
    )


def on_closed(ctx: hooks.EventContext, closures: Sequence[hooks.Closed]) -> None:
    """Death or move-out: the person's open tasks are cancelled (issue 5 part 3); the
    person's own audit event (people) records the event itself."""
    labels = dict(LifeStatus.choices)
    _cancel_open_tasks(
        ctx, {c.person_id: (c.region_id, str(labels.get(c.status, ""))) for c in closures}
    )


def on_dwelling_changed(ctx: hooks.EventContext, changes: Sequence[hooks.DwellingChanged]) -> None:
    """Admitted to an institution: no longer a home-visit case (issue 10 part 2), so the open
    home-visit tasks end; the visit file stays for a return home, when next month's tasks
    are generated again."""
    _cancel_open_tasks(
        ctx,
        {
            c.person_id: (c.region_id, "入住养老机构")
            for c in changes
            if c.dwelling == Dwelling.INSTITUTION
        },
    )


def connect() -> None:
    hooks.persons_moved.connect(on_moved)
    hooks.persons_closed.connect(on_closed)
    hooks.dwelling_changed.connect(on_dwelling_changed)
