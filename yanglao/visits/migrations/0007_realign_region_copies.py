"""Data: the visit file, open tasks and open follow-ups of people who moved village before
people.hooks existed are put back in the person's residence village (issue 10 part 1).

Before the hooks, a move on the edit form, the API or the ledger import left these copies of
the region in the old village: the old worker kept the person and the new village's worker
could not see them even after reassignment (the worker list is scoped by the copy). From this
migration on the copies are refreshed only through people.hooks (visits.hooks.on_moved); this
is the one-off conversion of what was already stale, done the way the hook does it:

- `VisitSubject.region`, open (`pending`/`overdue`) `VisitTask.region` and open `FollowUp.region`
  := the person's `Person.region` (one UPDATE per table, only the rows that differ);
- a responsible or backup worker (subject) or a task's worker who may not record visits in the
  new village (inactive, a role without visit.record, or no edit jurisdiction over it) is
  cleared, so the township sees the person under 未分配 and assigns the new village's worker;
- each moved open task gets a TaskEvent ("数据整理：任务随老人现居住村迁移");
- records already made (visit records, closed tasks and follow-ups) keep their region.

No audit rows: the audit log is hash-chained by the running application (core.chain), and a
migration must not write it; this note and docs/development.md record the conversion.
"""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from yanglao.accounts.roles import has_cap
from yanglao.regions import codes

OPEN_TASK = ("pending", "overdue")
NOTE = "数据整理：任务随老人现居住村迁移"
CHUNK = 2000


def _eligible(apps, pairs):
    """The (user id, village) pairs where the user may record visits in the village."""
    User = apps.get_model("accounts", "User")
    Jurisdiction = apps.get_model("accounts", "Jurisdiction")
    ids = {u for u, _ in pairs}
    active = {
        pk
        for pk, role in User.objects.filter(pk__in=ids, is_active=True).values_list("pk", "role")
        if has_cap(role, "visit.record")
    }
    ranges = {}
    for user_id, code, level in Jurisdiction.objects.filter(
        user_id__in=active, mode="edit"
    ).values_list("user_id", "region_id", "region__level"):
        ranges.setdefault(user_id, []).append(codes.subtree_range(code, level))
    return {
        (u, v) for u, v in pairs if any(low <= v <= high for low, high in ranges.get(u, ()))
    }


def forward(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    VisitSubject = apps.get_model("visits", "VisitSubject")
    VisitTask = apps.get_model("visits", "VisitTask")
    TaskEvent = apps.get_model("visits", "TaskEvent")
    FollowUp = apps.get_model("visits", "FollowUp")
    VisitRecord = apps.get_model("visits", "VisitRecord")
    now = timezone.now()
    person_region = Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("region_id")[:1])

    stale_subjects = list(
        VisitSubject.objects.exclude(region_id=F("person__region_id")).values_list("pk", flat=True)
    )
    stale_tasks = list(
        VisitTask.objects.filter(status__in=OPEN_TASK)
        .exclude(region_id=F("person__region_id"))
        .values_list("pk", "status")
    )
    for i in range(0, len(stale_subjects), CHUNK):
        VisitSubject.objects.filter(pk__in=stale_subjects[i : i + CHUNK]).update(
            region_id=person_region, updated_at=now
        )
    for i in range(0, len(stale_tasks), CHUNK):
        chunk = stale_tasks[i : i + CHUNK]
        VisitTask.objects.filter(pk__in=[pk for pk, _ in chunk]).update(region_id=person_region)
        TaskEvent.objects.bulk_create(
            TaskEvent(task_id=pk, from_status=status, to_status=status, at=now, note=NOTE)
            for pk, status in chunk
        )
    FollowUp.objects.filter(status="open").exclude(
        region_id=F("record__person__region_id")
    ).update(
        region_id=Subquery(
            VisitRecord.objects.filter(pk=OuterRef("record_id")).values("person__region_id")[:1]
        )
    )

    # Workers bound to the old village: cleared where they may not visit the new one.
    subjects = list(
        VisitSubject.objects.filter(pk__in=stale_subjects).values_list(
            "pk", "region_id", "worker_id", "backup_id"
        )
    )
    tasks = list(
        VisitTask.objects.filter(pk__in=[pk for pk, _ in stale_tasks])
        .exclude(worker_id=None)
        .values_list("pk", "region_id", "worker_id")
    )
    pairs = {(w, r) for _, r, w, b in subjects for w in (w, b) if w is not None}
    pairs |= {(w, r) for _, r, w in tasks}
    ok = _eligible(apps, pairs)
    for role, col in (("worker", 2), ("backup", 3)):
        gone = [s[0] for s in subjects if s[col] is not None and (s[col], s[1]) not in ok]
        for i in range(0, len(gone), CHUNK):
            VisitSubject.objects.filter(pk__in=gone[i : i + CHUNK]).update(**{f"{role}_id": None})
    gone = [pk for pk, r, w in tasks if (w, r) not in ok]
    for i in range(0, len(gone), CHUNK):
        VisitTask.objects.filter(pk__in=gone[i : i + CHUNK]).update(worker_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0006_bulk_task_writes"),
        ("people", "0006_search_columns"),
        ("accounts", "0003_provider_roles"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
