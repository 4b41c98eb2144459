"""The only code that reads visits for users; every query starts from `scoped()` or checks
the node against the user's jurisdiction first (404 outside it)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, overload
from uuid import UUID

from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap, Role
from yanglao.accounts.scoping import READ_FIGURES, READ_RECORDS, WRITE_RECORDS, scoped
from yanglao.core.dates import days_overdue, days_since
from yanglao.core.todo import Todo, all_urgent, counted
from yanglao.people import groups
from yanglao.people.choices import Dwelling, LifeStatus
from yanglao.people.models import Person
from yanglao.people.selectors import region_for_browse
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.visits import policy, rules
from yanglao.visits.choices import (
    OPEN_TASK,
    SPECIAL_CATEGORIES,
    FollowUpKind,
    FollowUpStatus,
    RiskLevel,
    TaskStatus,
)
from yanglao.visits.models import FollowUp, VisitPhoto, VisitRecord, VisitSubject, VisitTask

DUE_SOON_DAYS = 7
ALL = "all"  # the category filter value for 'any special-difficulty category'


# --- single objects -------------------------------------------------------------------------


def _uuid(value: UUID | str) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def record_get(*, user: User, public_id: UUID | str) -> VisitRecord:
    r = (
        scoped(VisitRecord.objects.all(), user, READ_RECORDS)
        .select_related("person", "visitor", "supersedes", "region")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if r is None:
        raise Http404
    return r


def followup_get(*, user: User, pk: int) -> FollowUp:
    f = (
        scoped(FollowUp.objects.all(), user, READ_RECORDS)
        .select_related("record__person", "reassessment")
        .filter(pk=pk)
        .first()
    )
    if f is None:
        raise Http404
    return f


def photo_get(*, user: User, pk: int) -> VisitPhoto:
    p = VisitPhoto.objects.filter(
        pk=pk, record__in=scoped(VisitRecord.objects.all(), user, READ_RECORDS)
    ).first()
    if p is None:
        raise Http404
    return p


def people_by_ids(*, user: User, ids: list[str]) -> list[Person]:
    """People chosen on a page, each in the user's edit jurisdiction (else 404)."""
    people = list(scoped(Person.objects.filter(public_id__in=ids), user, WRITE_RECORDS))
    if len(people) != len(set(ids)):
        raise Http404
    return people


def person_visits(*, user: User, person: Person) -> list[VisitRecord]:
    return list(
        scoped(VisitRecord.objects.filter(person=person), user, READ_RECORDS)
        .select_related("visitor", "supersedes")
        .prefetch_related("follow_ups", "photos")
        .order_by("-visit_date", "-visited_at", "-id")
    )


def person_subject(person: Person) -> VisitSubject | None:
    return VisitSubject.objects.select_related("worker", "backup").filter(person=person).first()


# --- the worker's list (online and offline) ------------------------------------------------


@dataclass
class ListItem:
    person: Person
    task: VisitTask | None
    risk_level: str
    last_visit: date | None
    backup: bool  # the user is only the backup worker
    phone: str = ""  # the full number, for the worker's own people only (services.worker_phones)

    @property
    def risk_label(self) -> str:
        return str(RiskLevel(self.risk_level).label)


def worker_list(*, user: User, today: date) -> list[ListItem]:
    """People the user is responsible (or backup) for, each with the open task due first.

    Overdue tasks first, then by due date; people without an open task last."""
    subjects = list(
        scoped(
            VisitSubject.objects.filter(Q(worker=user) | Q(backup=user)),
            user,
            WRITE_RECORDS,
        )
        .filter(person__life_status=LifeStatus.ALIVE)
        .select_related("person", "person__region")
    )
    person_ids = [s.person_id for s in subjects]
    # Each person's most pressing task: an open one (oldest due first), else the current
    # period's visited one, so a worker sees "已访" rather than nothing after a visit.
    tasks: dict[int, VisitTask] = {}
    current = VisitTask.objects.filter(
        Q(status__in=OPEN_TASK) | Q(status=TaskStatus.VISITED, period_end__gte=today),
        person_id__in=person_ids,
        period_start__lte=today,
    )
    for t in sorted(current, key=lambda t: (t.status == TaskStatus.VISITED, t.due_date)):
        tasks.setdefault(t.person_id, t)
    last = dict(
        VisitRecord.objects.filter(person_id__in=person_ids, superseded_by__isnull=True)
        .values("person_id")
        .annotate(d=Max("visit_date"))
        .values_list("person_id", "d")
    )
    items = [
        ListItem(
            s.person,
            tasks.get(s.person_id),
            s.risk_level,
            last.get(s.person_id),
            s.worker_id != user.pk,
        )
        for s in subjects
    ]

    def key(i: ListItem) -> tuple[int, date, str]:
        if i.task is None or i.task.status == TaskStatus.VISITED:
            return (2, date.max, i.person.name)
        return (0 if i.task.status == TaskStatus.OVERDUE else 1, i.task.due_date, i.person.name)

    return sorted(items, key=key)


# --- the officers' board -------------------------------------------------------------------


BOARD_ORDER = ("due_date", "region_id", "person_id")
BOARD_COUNT_CAP = 10_000  # beyond this the board says "more than 10,000": nobody pages there
# An arm spread over more due dates than this is read as one range (see _Arm).
BOARD_MAX_DATES = 31


class _Arm:
    """One arm of the board: open tasks due between `low` and `high` (inclusive; None: open
    end), in BOARD_ORDER.

    The index `visit_task_open_idx` leads with the due date, and nearly all open tasks share a
    few due dates (period ends). Read as one range, a county's or a village's rows of a date
    lie behind those of every region coded before it: 94 ms for the largest county at
    5,550,000 people, as much for a village worker. So the arm's distinct due dates are found
    first (one index probe each, any region), and each date is read as its own range
    (due date, region range) of the index. With more than BOARD_MAX_DATES dates, the arm is
    read as one range, as before."""

    def __init__(self, qs: QuerySet[VisitTask], low: date | None, high: date | None) -> None:
        self.qs, self.low, self.high = qs, low, high
        self.parts: list[tuple[QuerySet[VisitTask], tuple[str, ...], int]] = []

    def _dates(self) -> list[date] | None:
        table = VisitTask._meta.db_table
        bounds, params = [], []
        if self.low is not None:
            bounds.append("due_date >= %s")
            params.append(self.low)
        if self.high is not None:
            bounds.append("due_date <= %s")
            params.append(self.high)
        within = "".join(f" AND {b}" for b in bounds)
        # A loose index scan: each step the next due date above the last (PostgreSQL 15 has
        # no skip scan). The same SQL on SQLite.
        sql = (
            f"WITH RECURSIVE d(due) AS ("
            f" SELECT * FROM (SELECT due_date FROM {table} WHERE is_open{within}"
            f"  ORDER BY due_date LIMIT 1) f0"
            f" UNION ALL"
            f" SELECT (SELECT due_date FROM {table} WHERE is_open{within} AND due_date > d.due"
            f"  ORDER BY due_date LIMIT 1) FROM d WHERE d.due IS NOT NULL)"
            f" SELECT due FROM d WHERE due IS NOT NULL LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *params, BOARD_MAX_DATES + 1])
            found = [_as_date(due) for (due,) in cursor.fetchall()]
        return None if len(found) > BOARD_MAX_DATES else found

    def count(self, limit: int) -> int:
        """How many rows, up to `limit`; remembers each part's count for the slices."""
        dates = self._dates()
        pieces: list[tuple[QuerySet[VisitTask], tuple[str, ...]]]
        if dates is None:
            pieces = [(self.qs, BOARD_ORDER)]
        else:
            pieces = [(self.qs.filter(due_date=d), BOARD_ORDER[1:]) for d in dates]
        total = 0
        for qs, order in pieces:
            if total >= limit:
                break
            # Index columns only: an index-only scan, no table row read to count one.
            n = len(qs.order_by(*order).values_list("region_id", flat=True)[: limit - total])
            self.parts.append((qs, order, n))
            total += n
        return total

    def ids(self, start: int, stop: int) -> list[int]:
        out: list[int] = []
        for qs, order, n in self.parts:
            if start < n and stop > 0:
                out += qs.order_by(*order).values_list("pk", flat=True)[start : min(stop, n)]
            start, stop = max(0, start - n), stop - n
        return out


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))  # SQLite: text


class Board:
    """The board's rows as a paginable sequence (django Paginator: `count()` and slices).

    Its order (overdue first, then pending due within the week; each by due date, village,
    person) is that of the partial index `visit_task_open_idx`, and each arm is read as ranges
    of that index (_Arm), one after the other: a page costs what it shows, never a sort of
    every open task (5.1 s at 5,550,000 people). The count stops at BOARD_COUNT_CAP + 1 rows
    for the same reason."""

    def __init__(self, overdue: _Arm, due_soon: _Arm | None) -> None:
        # The late first (issue 14 part 5), then what falls due within the week.
        self.arms = [overdue] if due_soon is None else [overdue, due_soon]
        self._count: int | None = None
        self._sizes: list[int] = []

    cap = f"{BOARD_COUNT_CAP:,}"

    @property
    def capped(self) -> bool:
        return self.count() > BOARD_COUNT_CAP

    def count(self) -> int:
        if self._count is None:
            n = 0
            for arm in self.arms:
                size = arm.count(BOARD_COUNT_CAP + 1 - n) if n <= BOARD_COUNT_CAP else 0
                self._sizes.append(size)
                n += size
            self._count = n
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[VisitTask]:
        return iter(self[0:BOARD_COUNT_CAP])

    @overload
    def __getitem__(self, index: int) -> VisitTask: ...

    @overload
    def __getitem__(self, index: slice) -> list[VisitTask]: ...

    def __getitem__(self, index: int | slice) -> VisitTask | list[VisitTask]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is None or stop <= start:
            return []
        self.count()
        ids: list[int] = []
        for arm, size in zip(self.arms, self._sizes, strict=False):
            if start < size and stop > 0:
                ids += arm.ids(start, min(stop, size))
            start, stop = max(0, start - size), stop - size
        rows = VisitTask.objects.select_related("person", "region", "worker").in_bulk(ids)
        return [rows[i] for i in ids if i in rows]


def board_tasks(
    *,
    user: User,
    today: date,
    village: str = "",
    worker: int | None = None,
    overdue_only: bool = False,
) -> Board:
    """Overdue tasks (first) and those due within a week, in the user's jurisdiction; only the
    overdue ones with `overdue_only` (the workbench's link)."""
    qs = scoped(VisitTask.objects.all(), user, READ_RECORDS)
    if village:
        try:
            low, high = codes.subtree_range(codes.pad(village))
        except ValueError as exc:
            raise Http404 from exc
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if worker is not None:
        qs = qs.filter(worker_id=worker)
    # Overdue is open and due before today (what the daily job marks 逾期): each arm is one
    # range of the open-task index, read in its order, whether or not today's job has run.
    open_ = qs.filter(is_open=True)
    soon = today + timedelta(days=DUE_SOON_DAYS)
    return Board(
        _Arm(open_.filter(due_date__lt=today), None, today - timedelta(days=1)),
        None
        if overdue_only
        else _Arm(open_.filter(due_date__gte=today, due_date__lte=soon), today, soon),
    )


def open_emergencies(*, user: User) -> list[FollowUp]:
    """Emergencies found on visits and not yet closed: shown at once to township officers,
    the longest open first, each with `days_open` (an emergency is urgent from day one)."""
    rows = list(
        scoped(FollowUp.objects.all(), user, READ_RECORDS)
        .filter(kind=FollowUpKind.EMERGENCY, status=FollowUpStatus.OPEN)
        .select_related("record__person", "record__visitor", "region")
        .order_by("created_at", "id")[:50]
    )
    today = timezone.localdate()
    for f in rows:
        f.days_open = days_since(f.created_at, today)  # type: ignore[attr-defined]
    return rows


def open_follow_ups(*, user: User) -> QuerySet[FollowUp]:
    return (
        scoped(FollowUp.objects.all(), user, READ_RECORDS)
        .filter(status=FollowUpStatus.OPEN)
        .select_related("record__person", "record__visitor", "region", "reassessment")
        .order_by("due_date", "-created_at")
    )


def overdue_first(rows: Iterable[FollowUp], today: date) -> list[FollowUp]:
    """Follow-ups as a to-do list shows them: emergencies and those past their deadline first
    (most days overdue first), then by deadline; each with `days_overdue` and `days_open`."""
    out = list(rows)
    for f in out:
        f.days_overdue = days_overdue(f.due_date, today)  # type: ignore[attr-defined]
        f.days_open = days_since(f.created_at, today)  # type: ignore[attr-defined]

    def key(f: FollowUp) -> tuple[int, int, date, int]:
        late: int = f.days_overdue  # type: ignore[attr-defined]
        if f.kind == FollowUpKind.EMERGENCY:
            return (0, -f.days_open, f.due_date or date.max, f.pk)  # type: ignore[attr-defined]
        return (1 if late else 2, -late, f.due_date or date.max, f.pk)

    return sorted(out, key=key)


def _my_people(user: User) -> QuerySet[VisitSubject]:
    """The people the worker is responsible (or backup) for, in their edit jurisdiction."""
    return scoped(
        VisitSubject.objects.filter(Q(worker=user) | Q(backup=user)), user, WRITE_RECORDS
    ).filter(person__life_status=LifeStatus.ALIVE)


def worker_follow_ups(*, user: User, today: date, limit: int = 50) -> list[FollowUp]:
    """Open follow-ups (emergencies included) of the worker's own people, and those the
    worker raised: emergencies and overdue ones first."""
    people = _my_people(user).values("person_id")
    qs = (
        scoped(FollowUp.objects.all(), user, READ_RECORDS)
        .filter(status=FollowUpStatus.OPEN)
        .filter(Q(record__person_id__in=people) | Q(record__visitor=user))
        .select_related("record__person", "record__visitor", "region")
        .order_by("due_date", "id")
    )
    return overdue_first(qs[:limit], today)


# --- to-do counts of the workbench (yanglao.site) ------------------------------------------


def worker_todo(*, user: User, today: date) -> dict[str, Todo]:
    """A village worker's day: open visit tasks of the current period of their people (the
    '今日巡访' list), those overdue; open emergencies and follow-ups of their people."""
    people = _my_people(user).values("person_id")
    t = VisitTask.objects.filter(
        person_id__in=people, status__in=OPEN_TASK, period_start__lte=today
    ).aggregate(
        n=Count("id"),
        late=Count("id", filter=Q(status=TaskStatus.OVERDUE)),
        oldest=Min("due_date", filter=Q(status=TaskStatus.OVERDUE)),
    )
    f = (
        scoped(FollowUp.objects.all(), user, READ_RECORDS)
        .filter(status=FollowUpStatus.OPEN)
        .filter(Q(record__person_id__in=people) | Q(record__visitor=user))
        .aggregate(
            em=Count("id", filter=Q(kind=FollowUpKind.EMERGENCY)),
            em_oldest=Min("created_at", filter=Q(kind=FollowUpKind.EMERGENCY)),
            n=Count("id", filter=~Q(kind=FollowUpKind.EMERGENCY)),
            late=Count("id", filter=~Q(kind=FollowUpKind.EMERGENCY) & Q(due_date__lt=today)),
            oldest=Min("due_date", filter=~Q(kind=FollowUpKind.EMERGENCY) & Q(due_date__lt=today)),
        )
    )
    return {
        "visits": counted(t["n"], t["late"], t["oldest"], today=today),
        "emergencies": all_urgent(f["em"], f["em_oldest"], today=today),
        "follow_ups": counted(f["n"], f["late"], f["oldest"], today=today),
    }


def officer_todo(*, user: User, today: date) -> dict[str, Todo]:
    """A township (or county) officer's visit to-dos in the jurisdiction: overdue visits, open
    emergencies, follow-ups past their deadline."""
    t = (
        scoped(VisitTask.objects.all(), user, READ_RECORDS)
        .filter(is_open=True, due_date__lt=today)  # overdue, by the open-task index
        .aggregate(n=Count("id"), oldest=Min("due_date"))
    )
    f = (
        scoped(FollowUp.objects.all(), user, READ_RECORDS)
        .filter(status=FollowUpStatus.OPEN)
        .aggregate(
            em=Count("id", filter=Q(kind=FollowUpKind.EMERGENCY)),
            em_oldest=Min("created_at", filter=Q(kind=FollowUpKind.EMERGENCY)),
            n=Count("id", filter=~Q(kind=FollowUpKind.EMERGENCY)),
            late=Count("id", filter=~Q(kind=FollowUpKind.EMERGENCY) & Q(due_date__lt=today)),
            oldest=Min("due_date", filter=~Q(kind=FollowUpKind.EMERGENCY) & Q(due_date__lt=today)),
        )
    )
    return {
        "overdue_visits": counted(t["n"], t["n"], t["oldest"], today=today),
        "emergencies": all_urgent(f["em"], f["em_oldest"], today=today),
        "follow_ups": counted(f["n"], f["late"], f["oldest"], today=today),
    }


def assignable_workers(*, user: User) -> list[User]:
    """Workers whose edit jurisdiction lies inside the officer's (for reassignment)."""
    from yanglao.accounts.models import Jurisdiction

    js = scoped(
        Jurisdiction.objects.filter(mode="edit", user__is_active=True), user, WRITE_RECORDS
    ).filter(user__role__in=[Role.VISIT_WORKER, Role.TOWNSHIP_OFFICER])
    ids = set(js.values_list("user_id", flat=True))
    return [
        u for u in User.objects.filter(pk__in=ids).order_by("username") if u.can(Cap.VISIT_RECORD)
    ]


def subjects_in_scope(
    *,
    user: User,
    today: date,
    village: str = "",
    unassigned: bool = False,
    worker: int | None = None,
) -> QuerySet[Person]:
    """Key-group people living at home, to assign, in the officer's edit jurisdiction."""
    qs = scoped(
        Person.objects.filter(life_status=LifeStatus.ALIVE, dwelling=Dwelling.HOME),
        user,
        WRITE_RECORDS,
    ).filter(groups.q(today, SPECIAL_CATEGORIES))
    if village:
        try:
            low, high = codes.subtree_range(codes.pad(village))
        except ValueError as exc:
            raise Http404 from exc
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if unassigned:
        qs = qs.exclude(visit_subject__worker__isnull=False)
    if worker is not None:  # "reassign this worker's people"
        qs = qs.filter(Q(visit_subject__worker_id=worker) | Q(visit_subject__backup_id=worker))
    return qs.select_related("region", "visit_subject__worker", "visit_subject__backup").order_by(
        "region_id", "id"
    )


# --- coverage (月探访率) ---------------------------------------------------------------------


@dataclass
class CoverageRow:
    code: str  # 12-digit child code (or the node itself at village level)
    name: str
    roster: int
    visited: int

    @property
    def rate(self) -> float | None:
        return rules.rate(self.visited, self.roster)

    @property
    def unvisited(self) -> int:
        return self.roster - self.visited

    @property
    def percent(self) -> str:
        return rules.percent(self.rate)


def coverage_node(user: User, code: str) -> Region:
    return region_for_browse(user, code)


def _counted_visits_sql(zone: policy.Zone, first: date, last: date) -> tuple[str, list[Any]]:
    """People with a counted visit in [first, last] in this zone, each once (joined by hash:
    an IN (subquery) inside CASE is re-scanned per row once the set outgrows work_mem)."""
    ops = connection.ops
    methods = sorted(zone.methods)
    marks = ", ".join(["%s"] * len(methods))
    t = VisitRecord._meta.db_table
    where, params = zone.sql("r.region_id")
    return (
        f"SELECT DISTINCT r.person_id FROM {t} r WHERE r.visit_date >= %s AND r.visit_date <= %s"
        f" AND r.method IN ({marks}) AND {where}"
        f" AND NOT EXISTS (SELECT 1 FROM {t} c WHERE c.supersedes_id = r.id)",
        [ops.adapt_datefield_value(first), ops.adapt_datefield_value(last), *methods, *params],
    )


def coverage_counts(
    *, low: str, high: str, month: date, group_len: int, by_category: bool
) -> dict[tuple[str, str], tuple[int, int]]:
    """(group prefix, key group or ALL) → (roster at month start, visited in the month).

    Roster: people living at home (居家) who are in a key group (people.groups, the one
    definition) on the month's first day and on the ledger that day (not dead or moved out
    before it). Visited: at least one visit in the month by a method that counts in the
    person's zone, not superseded by a correction."""
    first, last = rules.month_start(month), rules.month_end(month)
    d = connection.ops.adapt_datefield_value(first)
    p_t = Person._meta.db_table
    out: dict[tuple[str, str], tuple[int, int]] = {}
    any_sql, any_params = groups.sql("p", first, SPECIAL_CATEGORIES)
    for zone in policy.zones(first, within=(low, high)):
        zone_sql, zone_params = zone.sql("p.region_id")
        visits_sql, visits_params = _counted_visits_sql(zone, first, last)
        where = (
            f" FROM {p_t} p LEFT JOIN ({visits_sql}) v ON v.person_id = p.id"
            f" WHERE {zone_sql} AND (p.life_status = %s OR p.status_date > %s)"
            f" AND p.dwelling = %s AND {any_sql}"
        )
        where_params = [
            *visits_params,
            *zone_params,
            LifeStatus.ALIVE,
            d,
            Dwelling.HOME,
            *any_params,
        ]
        key = f"substr(p.region_id, 1, {group_len})"
        if by_category:
            # Each group's predicate once per person (inner), summed per prefix (outer).
            cols, col_params = [], []
            for i, g in enumerate(SPECIAL_CATEGORIES):
                g_sql, g_params = groups.sql("p", first, [g])
                cols.append(f"CASE WHEN {g_sql} THEN 1 ELSE 0 END AS g{i}")
                col_params += g_params
            sums = ", ".join(f"SUM(g{i}), SUM(g{i} * vis)" for i in range(len(SPECIAL_CATEGORIES)))
            sql = (
                f"SELECT k, {sums} FROM (SELECT {key} AS k, {', '.join(cols)},"
                f" CASE WHEN v.person_id IS NULL THEN 0 ELSE 1 END AS vis{where}) x GROUP BY k"
            )
            params = [*col_params, *where_params]
        else:
            sql = f"SELECT {key}, COUNT(*), COUNT(v.person_id){where} GROUP BY 1"
            params = where_params
        cats = SPECIAL_CATEGORIES if by_category else (ALL,)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            for row in cur.fetchall():
                prefix, values = row[0], row[1:]
                for i, cat in enumerate(cats):
                    roster, visited = int(values[2 * i] or 0), int(values[2 * i + 1] or 0)
                    if by_category and not roster:
                        continue
                    r0, v0 = out.get((prefix, cat), (0, 0))
                    out[(prefix, cat)] = (r0 + roster, v0 + visited)
    return out


def coverage_table(
    *, user: User, region: Region, month: date, category: str = ALL
) -> tuple[list[CoverageRow], CoverageRow]:
    """One row per child of `region` (the node itself at village level) and the total."""
    if region.level >= codes.VILLAGE:
        children = [region]
        group_len = codes.PREFIX_LEN[codes.VILLAGE]
    else:
        children = list(region.children.filter(valid_to__isnull=True).order_by("code"))
        group_len = codes.PREFIX_LEN[region.level + 1]
    low, high = region.subtree
    by_cat = category != ALL
    counts = coverage_counts(
        low=low, high=high, month=month, group_len=group_len, by_category=by_cat
    )
    rows = []
    for c in children:
        roster, visited = counts.get((c.code[:group_len], category), (0, 0))
        rows.append(CoverageRow(c.code, c.short_name or c.name, roster, visited))
    total = CoverageRow(
        region.code,
        "合计",
        sum(r.roster for r in rows),
        sum(r.visited for r in rows),
    )
    from django.core.cache import cache

    cache.set(_total_key(region, month, category), (total.roster, total.visited), COUNT_TTL)
    return rows, total


COUNT_TTL = 600  # seconds the people list behind a number reuses the number the table showed


def _total_key(region: Region, month: date, category: str) -> str:
    return f"visits:total:{region.code}:{rules.month_start(month):%Y-%m}:{category}"


# A list opened directly counts this far (20 pages): at the province with 5,550,000 people
# 1,000 costs ~0.4 s, 10,000 ~1.2 s, the node's full grouped count 23 s (loaded 2 cores).
LIST_COUNT_CAP = 1_000


class CappedRows:
    """A people list for django's Paginator with a known count; a count that stopped at
    LIST_COUNT_CAP + 1 makes the shared pager say "超过 1,000 条"."""

    cap = f"{LIST_COUNT_CAP:,}"

    def __init__(self, qs: QuerySet[Person], count: int, exact: bool) -> None:
        self.qs, self._count, self._exact = qs, count, exact

    @property
    def capped(self) -> bool:
        return not self._exact and self._count > LIST_COUNT_CAP

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key: slice) -> QuerySet[Person]:
        return self.qs[key]


def coverage_people_total(
    *,
    region: Region,
    month: date,
    category: str = ALL,
    visited: bool | None = None,
    qs: QuerySet[Person] | None = None,
) -> tuple[int, bool]:
    """(how many people `coverage_people` lists, whether exact), from the figures of the
    coverage table: the ones the page just showed (cached for COUNT_TTL). A list opened
    directly (a bookmark, a link from elsewhere) counts its own rows up to
    LIST_COUNT_CAP + 1 when given `qs` (the node's grouped count was 23 s at the province
    with 5,550,000 people; capped, 0.4 s), else one grouped count of the node. Never a per-person re-check
    of every visit."""
    from django.core.cache import cache

    known = cache.get(_total_key(region, month, category))
    if known is None and qs is not None:
        n = qs.order_by().values("pk")[: LIST_COUNT_CAP + 1].count()
        return n, n <= LIST_COUNT_CAP
    if known is None:
        low, high = region.subtree
        counts = coverage_counts(
            low=low, high=high, month=month, group_len=0, by_category=category != ALL
        )
        known = counts.get(("", category), (0, 0))
        cache.set(_total_key(region, month, category), known, COUNT_TTL)
    roster, seen = known
    return {None: roster, True: seen, False: roster - seen}[visited], True


def coverage_people_count(
    *,
    region: Region,
    month: date,
    category: str = ALL,
    visited: bool | None = None,
    qs: QuerySet[Person] | None = None,
) -> int:
    return coverage_people_total(
        region=region, month=month, category=category, visited=visited, qs=qs
    )[0]


def coverage_by_category(
    *, user: User, region: Region, month: date
) -> list[tuple[str, CoverageRow]]:
    low, high = region.subtree
    counts = coverage_counts(low=low, high=high, month=month, group_len=0, by_category=True)
    out = []
    for cat in SPECIAL_CATEGORIES:
        roster, visited = counts.get(("", cat), (0, 0))
        out.append((cat, CoverageRow(region.code, cat, roster, visited)))
    return out


def coverage_trend(
    *, user: User, region: Region, month: date, months: int = 12
) -> list[tuple[date, CoverageRow]]:
    """Rate of the node for each of the last `months` months. Closed months (past the grace
    days) no longer change, so their figures are cached for an hour."""
    from django.core.cache import cache

    today = timezone.localdate()
    low, high = region.subtree
    out = []
    for i in range(months - 1, -1, -1):
        m = rules.add_months(rules.month_start(month), -i)
        key = f"visits:rate:{low}:{high}:{m:%Y-%m}"
        closed = rules.closes_on(rules.month_end(m)) <= today
        cached = cache.get(key) if closed else None
        if cached is None:
            counts = coverage_counts(low=low, high=high, month=m, group_len=0, by_category=False)
            cached = counts.get(("", ALL), (0, 0))
            if closed:
                cache.set(key, cached, 3600)
        roster, visited = cached
        out.append((m, CoverageRow(region.code, f"{m:%Y-%m}", roster, visited)))
    return out


def _zone_q(zone: policy.Zone, field: str) -> Q:
    q = Q(**{f"{field}__gte": zone.low, f"{field}__lte": zone.high})
    for lo, hi in zone.excluded:
        q &= ~Q(**{f"{field}__gte": lo, f"{field}__lte": hi})
    return q


def _covers(zone: policy.Zone, low: str, high: str) -> bool:
    return (
        zone.low <= low
        and high <= zone.high
        and not any(lo <= high and low <= hi for lo, hi in zone.excluded)
    )


def _counted_exists(zone: policy.Zone, first: date, last: date) -> Exists:
    """The person (OuterRef pk) has a counted visit in [first, last] in this zone."""
    return Exists(
        VisitRecord.objects.filter(
            _zone_q(zone, "region_id"),
            person=OuterRef("pk"),
            visit_date__gte=first,
            visit_date__lte=last,
            method__in=sorted(zone.methods),
            superseded_by__isnull=True,
        )
    )


def coverage_people(
    *, user: User, region: Region, month: date, category: str = ALL, visited: bool | None = None
) -> QuerySet[Person]:
    """The people behind a coverage number (same definition as coverage_counts)."""
    first, last = rules.month_start(month), rules.month_end(month)
    low, high = region.subtree
    key = list(SPECIAL_CATEGORIES) if category == ALL else [category]
    qs = scoped(Person.objects.all(), user, READ_RECORDS).filter(
        groups.q(first, key),
        Q(life_status=LifeStatus.ALIVE) | Q(status_date__gt=first),
        dwelling=Dwelling.HOME,
        region_id__gte=low,
        region_id__lte=high,
    )
    zones = policy.zones(first, within=(low, high))
    if len(zones) == 1 and _covers(zones[0], low, high):
        # One policy zone over the whole node (the usual case): a plain (NOT) EXISTS, which
        # the database runs as an anti-join probing each listed person's visits by index —
        # a page reads its 50 people, not every visit of the month (hashed: 1.6 s at 1 M).
        seen = _counted_exists(zones[0], first, last)
        if visited is True:
            qs = qs.filter(seen)
        elif visited is False:
            qs = qs.exclude(seen)
        return qs.select_related("region").order_by("region_id", "id")
    counted = Q()
    for zone in zones:
        # Person and visit in the zone, as in coverage_counts.
        counted |= _zone_q(zone, "region_id") & Q(_counted_exists(zone, first, last))
    if visited is True:
        qs = qs.filter(counted)
    elif visited is False:
        qs = qs.exclude(counted)
    return qs.select_related("region").order_by("region_id", "id")


# --- workload -------------------------------------------------------------------------------


@dataclass
class Workload:
    worker: str
    total: int
    visited: int
    overdue: int
    missed: int
    pending: int

    @property
    def percent(self) -> str:
        return rules.percent(rules.rate(self.visited, self.total))


def workload(*, user: User, region: Region, month: date) -> list[Workload]:
    """Per responsible worker: the tasks of periods starting in the month and their state."""
    first, last = rules.month_start(month), rules.month_end(month)
    low, high = region.subtree
    rows = (
        scoped(VisitTask.objects.all(), user, READ_FIGURES)
        .filter(
            region_id__gte=low, region_id__lte=high, period_start__gte=first, period_start__lte=last
        )
        .exclude(status=TaskStatus.CANCELLED)
        .values("worker_id", "worker__username", "worker__full_name", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    # Grouped by account, not by display name: two workers may share a name.
    acc: dict[int | None, dict[str, int]] = {}
    names: dict[int | None, str] = {}
    for r in rows:
        key = r["worker_id"]
        names[key] = r["worker__full_name"] or r["worker__username"] or "（未分配）"
        if key is not None and r["worker__full_name"]:
            names[key] = f"{r['worker__full_name']}（{r['worker__username']}）"
        acc.setdefault(key, {})[r["status"]] = r["n"]
    return sorted(
        (
            Workload(
                names[key],
                sum(s.values()),
                s.get(TaskStatus.VISITED, 0),
                s.get(TaskStatus.OVERDUE, 0),
                s.get(TaskStatus.MISSED, 0),
                s.get(TaskStatus.PENDING, 0),
            )
            for key, s in acc.items()
        ),
        key=lambda w: w.worker,
    )
