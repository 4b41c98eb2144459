"""The only code that writes visits. Each user-facing function: keyword arguments, an explicit
actor, one transaction, a scope check (404 outside the jurisdiction), one audit event.
The periodic jobs (task generation, overdue marking) are set-based and idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import WRITE_RECORDS, in_scope, require_in_scope
from yanglao.core import bulk, crypto
from yanglao.core.audit import audit
from yanglao.core.photos import decode_photo
from yanglao.people import groups
from yanglao.people.choices import Dwelling, LifeStatus
from yanglao.people.models import Person
from yanglao.people.services import NotPermitted
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.visits import policy, rules
from yanglao.visits.choices import (
    GENERAL,
    HIGH_RISK,
    OPEN_TASK,
    SPECIAL_CATEGORIES,
    FollowUpKind,
    FollowUpStatus,
    Period,
    RiskLevel,
    TaskStatus,
)
from yanglao.visits.models import (
    CountingRule,
    FollowUp,
    FrequencyRule,
    TaskEvent,
    VisitPhoto,
    VisitRecord,
    VisitSubject,
    VisitTask,
)


class Action:
    """Audit action names of this app (labels in core.audit.ACTION_LABELS)."""

    RECORD = "visit.record"
    ASSIGN = "visit.assign"
    POLICY = "visit.policy"
    FOLLOWUP_CLOSE = "visit.followup_close"
    EXPORT = "visit.export"
    PHONES_SHOWN = "visit.phones_shown"


class VisitInvalid(Exception):
    """Field errors in Chinese, keyed by field name; '__all__' for the record as a whole."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _require(actor: User, cap: str) -> None:
    if not actor.can(cap):
        raise NotPermitted(cap)


def _fail(key: str, message: str) -> VisitInvalid:
    return VisitInvalid({key: [message]})


def common_region(region_codes: Sequence[str]) -> str:
    """The deepest region node containing every code (for one audit event over many rows)."""
    if not region_codes:
        return ""
    level = codes.VILLAGE
    first = region_codes[0]
    while level > codes.PROVINCE and not all(
        c[: codes.PREFIX_LEN[level]] == first[: codes.PREFIX_LEN[level]] for c in region_codes
    ):
        level -= 1
    return first[: codes.PREFIX_LEN[level]].ljust(12, "0")


# --- policy ------------------------------------------------------------------------------


def _policy_region(actor: User, region_code: str) -> Region:
    _require(actor, Cap.VISIT_MANAGE)
    try:
        code = codes.pad(region_code)
    except ValueError as exc:
        raise _fail("region", "请选择制定政策的区划") from exc
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise _fail("region", "请选择制定政策的区划")
    require_in_scope(actor, code, WRITE_RECORDS)
    return region


def _policy_common(document_no: str, effective_from: date | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not document_no.strip():
        errors["document_no"] = ["请填写政策文件的文号"]
    if effective_from is None:
        errors["effective_from"] = ["请填写生效日期"]
    return errors


def _publish(
    *,
    actor: User,
    region: Region,
    model: type[FrequencyRule] | type[CountingRule],
    values: dict[str, Any],
    effective_from: date,
    document_no: str,
    note: str,
    label: str,
    taken: str,
) -> Any:
    """Insert one policy row (never an update) and audit it, in one transaction."""
    with transaction.atomic():
        key = {k: v for k, v in values.items() if k == "target"}
        if model.objects.filter(region=region, effective_from=effective_from, **key).exists():
            raise _fail("effective_from", taken)
        row = model.objects.create(
            region=region,
            effective_from=effective_from,
            document_no=document_no.strip()[:120],
            note=note.strip()[:200],
            created_by=actor,
            **values,
        )
        audit(
            actor=actor,
            action=Action.POLICY,
            object_type=f"visit_{model.__name__.lower()}",
            object_id=str(row.pk),
            object_label=f"{region.name} {label}",
            region_code=region.code,
            changes={
                **values,
                "effective_from": str(effective_from),
                "document_no": row.document_no,
            },
        )
    return row


def frequency_rule_add(
    *,
    actor: User,
    region_code: str,
    target: str,
    period: str,
    effective_from: date | None,
    document_no: str,
    note: str = "",
) -> FrequencyRule:
    """A region level sets a frequency; it may tighten, never loosen, the level above."""
    region = _policy_region(actor, region_code)
    errors = _policy_common(document_no, effective_from)
    if errors or effective_from is None:
        raise VisitInvalid(errors)
    parent = policy.periods_for(region.code, effective_from, include_self=False)
    reason = rules.check_frequency(parent, target, period)
    if reason:
        raise _fail("period", reason)
    row: FrequencyRule = _publish(
        actor=actor,
        region=region,
        model=FrequencyRule,
        values={"target": target, "period": period},
        effective_from=effective_from,
        document_no=document_no,
        note=note,
        label=f"{target} {period}",
        taken="本区划该类别在此生效日期已有政策，请换一个生效日期",
    )
    return row


def counting_rule_add(
    *,
    actor: User,
    region_code: str,
    methods: Sequence[str],
    effective_from: date | None,
    document_no: str,
    note: str = "",
) -> CountingRule:
    """Which methods count toward 月探访率 here: a subset of what the level above counts; a
    province or city may add 电话 (rules.ADDABLE_METHODS)."""
    region = _policy_region(actor, region_code)
    errors = _policy_common(document_no, effective_from)
    if errors or effective_from is None:
        raise VisitInvalid(errors)
    parent = policy.methods_for(region.code, effective_from, include_self=False)
    reason = rules.check_counting(parent, methods, region.code)
    if reason:
        raise _fail("methods", reason)
    row: CountingRule = _publish(
        actor=actor,
        region=region,
        model=CountingRule,
        values={"methods": sorted(set(methods))},
        effective_from=effective_from,
        document_no=document_no,
        note=note,
        label="探访率计算口径",
        taken="本区划在此生效日期已有计算口径，请换一个生效日期",
    )
    return row


# --- assignment ---------------------------------------------------------------------------


def eligible_worker(worker: User, village_code: str) -> bool:
    """A worker may be responsible for a person in a village they may record visits in."""
    return (
        worker.is_active
        and worker.can(Cap.VISIT_RECORD)
        and in_scope(worker, village_code, WRITE_RECORDS)
    )


def assign(
    *, actor: User, people: Sequence[Person], worker: User, backup: User | None = None
) -> int:
    """Bulk (re)assignment by a township officer; open tasks move to the new worker."""
    _require(actor, Cap.VISIT_MANAGE)
    if not people:
        raise _fail("people", "请至少选择一位老人")
    for p in people:
        require_in_scope(actor, p.region_id, WRITE_RECORDS)
    errors: dict[str, list[str]] = {}
    if backup is not None and backup.pk == worker.pk:
        errors["backup"] = ["备岗巡访员不能与责任巡访员为同一人"]
    for label, key, user in (("责任巡访员", "worker", worker), ("备岗巡访员", "backup", backup)):
        if user is None:
            continue
        outside = [p.name for p in people if not eligible_worker(user, p.region_id)]
        if outside:
            errors.setdefault(key, []).append(
                f"{label}{user.full_name or user.username}不负责以下老人所在的村（社区）："
                + "、".join(outside[:5])
                + ("等" if len(outside) > 5 else "")
            )
    if errors:
        raise VisitInvalid(errors)
    ids = [p.pk for p in people]
    with transaction.atomic():
        existing = {
            s.person_id: s
            for s in VisitSubject.objects.select_for_update().filter(person_id__in=ids)
        }
        before = {pid: (s.worker_id, s.backup_id) for pid, s in existing.items()}
        new = [
            VisitSubject(person=p, region_id=p.region_id, worker=worker, backup=backup)
            for p in people
            if p.pk not in existing
        ]
        VisitSubject.objects.bulk_create(new)
        VisitSubject.objects.filter(person_id__in=list(existing)).update(
            worker=worker, backup=backup, updated_at=timezone.now()
        )
        moved = VisitTask.objects.filter(person_id__in=ids, status__in=OPEN_TASK).update(
            worker=worker
        )
        audit(
            actor=actor,
            action=Action.ASSIGN,
            object_type="visit_assignment",
            object_label=f"{len(ids)} 位老人 → {worker.full_name or worker.username}",
            region_code=common_region([p.region_id for p in people]),
            changes={
                "people": [str(p.public_id) for p in people],
                "worker": worker.username,
                "backup": backup.username if backup else None,
                "before": {str(k): list(v) for k, v in before.items()},
                "open_tasks_moved": moved,
            },
        )
    return len(ids)


# --- tasks (periodic, set-based, idempotent) ----------------------------------------------


def _targets_sql(targets: set[str], ref: date) -> tuple[str, list[Any]] | None:
    """SQL predicate 'person p (subject s) holds one of these targets on `ref`', or None.
    Key groups come from the one definition (people.groups)."""
    if GENERAL in targets:
        return "1=1", []
    parts: list[str] = []
    params: list[Any] = []
    key = [g for g in SPECIAL_CATEGORIES if g in targets]
    if key:
        sql, key_params = groups.sql("p", ref, key)
        parts.append(sql)
        params += key_params
    if HIGH_RISK in targets:
        parts.append("COALESCE(s.risk_level, '') = %s")  # LEFT JOIN: no file yet
        params.append(RiskLevel.HIGH)
    if not parts:
        return None
    return "(" + " OR ".join(parts) + ")", params


@dataclass
class GenerateReport:
    month: date
    created: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.created.values())


def tasks_generate(*, month: date, now: datetime | None = None) -> GenerateReport:
    """Create the visit tasks of a month for every living person at home (居家; people in an
    institution are not home-visit subjects), by the policy in force on the month's first
    day; running it again creates nothing (ON CONFLICT DO NOTHING).

    One statement per policy zone: a single pass over the people gives each person the
    strictest frequency they hold (CASE, strictest first) and joins it to that frequency's
    periods of the month. (One pass per frequency and period read the people up to seven
    times: 136 s for 5,550,000 people.)"""
    first = rules.month_start(month)
    now = now or timezone.now()
    ops = connection.ops
    report = GenerateReport(first)
    task_t, person_t, subject_t = (
        VisitTask._meta.db_table,
        Person._meta.db_table,
        VisitSubject._meta.db_table,
    )
    pg = connection.vendor == "postgresql"
    with transaction.atomic():
        bulk.job_memory()
        for zone in policy.zones(first):
            where_zone, zone_params = zone.sql("p.region_id")
            whens, when_params = [], []
            periods, period_params = [], []
            for kind in Period.values:  # strictest first (rules.STRICTNESS)
                has = _targets_sql({t for t, p in zone.periods.items() if p == kind}, first)
                spans = rules.periods_for_month(first, kind)
                if has is None:
                    continue
                whens.append(f"WHEN {has[0]} THEN %s")
                when_params += [*has[1], kind]
                for start, end in spans:
                    cast = "CAST(%s AS date)" if pg else "%s"
                    periods.append(f"SELECT %s AS kind, {cast} AS ps, {cast} AS pe")
                    period_params += [
                        kind,
                        ops.adapt_datefield_value(start),
                        ops.adapt_datefield_value(end),
                    ]
            if not whens or not periods:
                continue
            insert = (
                f"INSERT INTO {task_t} (person_id, region_id, period_kind, period_start,"
                " period_end, due_date, status, worker_id, created_at)"
                " SELECT x.id, x.region_id, k.kind, k.ps, k.pe, k.pe, %s, x.worker_id, %s"
                f" FROM (SELECT p.id, p.region_id, s.worker_id, CASE {' '.join(whens)} END AS kind"
                f" FROM {person_t} p LEFT JOIN {subject_t} s ON s.person_id = p.id"
                f" WHERE p.life_status = %s AND p.dwelling = %s AND {where_zone}"
                # OFFSET 0 keeps the subquery whole: each person's CASE once, then a hash
                # join to the periods (flattened, PostgreSQL evaluated it once per period).
                f"{' OFFSET 0' if pg else ''}) x"
                f" JOIN ({' UNION ALL '.join(periods)}) k ON k.kind = x.kind"
                " WHERE 1=1"  # SQLite: INSERT … SELECT … JOIN … ON CONFLICT needs a WHERE
                " ON CONFLICT (person_id, period_kind, period_start) DO NOTHING"
            )
            args = [
                TaskStatus.PENDING,
                ops.adapt_datetimefield_value(now),
                *when_params,
                LifeStatus.ALIVE,
                Dwelling.HOME,
                *zone_params,
                *period_params,
            ]
            with connection.cursor() as cur:
                if pg:
                    cur.execute(
                        f"WITH ins AS ({insert} RETURNING period_kind)"
                        " SELECT period_kind, count(*) FROM ins GROUP BY 1",
                        args,
                    )
                    for kind, n in cur.fetchall():
                        report.created[kind] = report.created.get(kind, 0) + n
                    continue
                cur.execute(insert, args)
                if cur.rowcount:
                    # SQLite: the few rows are counted by kind among this run's periods.
                    cur.execute(
                        f"SELECT period_kind, count(*) FROM {task_t} WHERE created_at = %s"
                        " GROUP BY 1",
                        [ops.adapt_datetimefield_value(now)],
                    )
                    for kind, n in cur.fetchall():
                        report.created[kind] = report.created.get(kind, 0) + n
    return report


@dataclass
class TickReport:
    overdue: int = 0
    missed: int = 0


def _move(
    *, from_statuses: Sequence[str], to: str, column: str, before: date, now: datetime
) -> int:
    """Compare-and-set: move tasks still in `from_statuses` with `column` < `before`, writing
    one TaskEvent per moved row in the same statement (PostgreSQL) or transaction (SQLite,
    which serialises writers).

    PostgreSQL: one statement per from-status, so each event's from-status is a constant and
    the UPDATE's own re-check under concurrency (READ COMMITTED re-evaluates the WHERE on the
    newest row version) is the compare-and-set; no separate FOR UPDATE pass that would write
    every candidate row twice (79–89 s → see bench/visits.py at 5,550,000 people)."""
    ops = connection.ops
    task_t, event_t = VisitTask._meta.db_table, TaskEvent._meta.db_table
    d, at = ops.adapt_datefield_value(before), ops.adapt_datetimefield_value(now)
    note = "逾期未访" if to == TaskStatus.OVERDUE else "周期结束未访"
    moved = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for status in from_statuses:
                # `is_open` names the partial index the search reads; setting `status`
                # alone changes no indexed column (HOT: models.VisitTask.is_open).
                cur.execute(
                    f"WITH moved AS (UPDATE {task_t} SET status = %s"
                    f" WHERE is_open AND status = %s AND {column} < %s RETURNING id)"
                    f" INSERT INTO {event_t} (task_id, from_status, to_status, at, note)"
                    " SELECT id, %s, %s, %s, %s FROM moved",
                    [to, status, d, status, to, at, note],
                )
                moved += cur.rowcount
            return moved
        marks = ", ".join(["%s"] * len(from_statuses))
        # SQLite: events first (their from_status is the current status), then the update.
        cur.execute(
            f"INSERT INTO {event_t} (task_id, from_status, to_status, at, note)"
            f" SELECT id, status, %s, %s, %s FROM {task_t}"
            f" WHERE is_open AND status IN ({marks}) AND {column} < %s",
            [to, at, note, *from_statuses, d],
        )
        cur.execute(
            f"UPDATE {task_t} SET status = %s"
            f" WHERE is_open AND status IN ({marks}) AND {column} < %s",
            [to, *from_statuses, d],
        )
        return cur.rowcount


def tasks_tick(*, today: date | None = None, now: datetime | None = None) -> TickReport:
    """The daily job: close periods past their grace (→ 未访), mark past-due tasks (→ 逾期)."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    report = TickReport()
    with transaction.atomic():
        bulk.job_memory()
        report.missed = _move(
            from_statuses=OPEN_TASK,
            to=TaskStatus.MISSED,
            column="period_end",
            before=today - timedelta(days=rules.GRACE_DAYS),
            now=now,
        )
        report.overdue = _move(
            from_statuses=[TaskStatus.PENDING],
            to=TaskStatus.OVERDUE,
            column="due_date",
            before=today,
            now=now,
        )
    return report


# --- visit records ------------------------------------------------------------------------

PHOTO_MAX = 3


@dataclass
class RecordOutcome:
    record: VisitRecord
    created: bool


def visit_record(
    *,
    actor: User,
    person: Person,
    data: rules.VisitInput,
    client_uuid: UUID,
    visit_time: time | None = None,
    supersedes: VisitRecord | None = None,
    photos: Sequence[str] = (),
    offline: bool = False,
    today: date | None = None,
) -> RecordOutcome:
    """Store one visit. The client UUID makes it idempotent: the same upload again returns
    the stored record (created=False) and changes nothing."""
    _require(actor, Cap.VISIT_RECORD)
    require_in_scope(actor, person.region_id, WRITE_RECORDS)
    existing = VisitRecord.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        return _duplicate(existing, actor)
    today = today or timezone.localdate()
    errors = rules.check_visit(data, today=today, birth_date=person.birth_date)
    if person.life_status != LifeStatus.ALIVE and (
        person.status_date is None or data.visit_date >= person.status_date
    ):
        errors.setdefault("__all__", []).append(
            f"该老人已{person.get_life_status_display()}，不能登记此后的巡访"
        )
    if supersedes is not None:
        if supersedes.person_id != person.pk:
            errors.setdefault("supersedes", []).append("更正的记录不是这位老人的")
        elif VisitRecord.objects.filter(supersedes=supersedes).exists():
            errors.setdefault("supersedes", []).append("该记录已被更正过，请更正最新的记录")
    decoded: list[tuple[bytes, str]] = []
    if len(photos) > PHOTO_MAX:
        errors.setdefault("photos", []).append(f"最多上传{PHOTO_MAX}张照片")
    else:
        for p in photos:
            try:
                decoded.append(decode_photo(p))
            except ValueError as exc:
                errors.setdefault("photos", []).append(str(exc))
    if errors:
        raise VisitInvalid(errors)
    when = timezone.make_aware(datetime.combine(data.visit_date, visit_time or time(12, 0)))
    try:
        with transaction.atomic():
            record = _store(actor, person, data, client_uuid, when, supersedes, decoded, offline)
    except IntegrityError:
        # A concurrent upload of the same record won the race: answer as a retry.
        existing = VisitRecord.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        return _duplicate(existing, actor)
    return RecordOutcome(record, True)


def _duplicate(existing: VisitRecord, actor: User) -> RecordOutcome:
    if existing.visitor_id != actor.pk:
        raise _fail("client_uuid", "记录编号已被其他账号使用，请重新填写")
    return RecordOutcome(existing, False)


def _store(
    actor: User,
    person: Person,
    data: rules.VisitInput,
    client_uuid: UUID,
    when: datetime,
    supersedes: VisitRecord | None,
    photos: list[tuple[bytes, str]],
    offline: bool,
) -> VisitRecord:
    from yanglao.assessments.services import reassessment_request

    with transaction.atomic():
        record = VisitRecord.objects.create(
            client_uuid=client_uuid,
            person=person,
            region_id=person.region_id,
            visitor=actor,
            method=data.method,
            visit_date=data.visit_date,
            visited_at=when,
            location=data.location.strip(),
            latitude=data.latitude,
            longitude=data.longitude,
            findings=data.findings,
            summary=data.summary.strip(),
            risk_level=data.risk_level,
            marked_change=data.marked_change,
            supersedes=supersedes,
            recorded_offline=offline,
        )
    for i, (raw, ctype) in enumerate(photos):
        ext = ctype.split("/")[1]
        VisitPhoto.objects.create(
            record=record,
            file=ContentFile(raw, name=f"{record.public_id}-{i}.{ext}"),
            content_type=ctype,
        )
    follow_ups = list(data.follow_ups)
    if data.marked_change and not any(f.kind == FollowUpKind.ASSESSMENT for f in follow_ups):
        follow_ups.append(rules.FollowUpInput(FollowUpKind.ASSESSMENT, "老人情况明显变化"))
    for f in follow_ups:
        req = None
        if f.kind == FollowUpKind.ASSESSMENT:
            # The assessment capability's hook: an immediate reassessment (即时评估) request.
            req = reassessment_request(
                actor=actor,
                person=person,
                reason=(data.summary.strip() or f.note or "巡访发现明显变化")[:200],
                source="visit",
            )
        FollowUp.objects.create(
            record=record,
            region_id=person.region_id,
            kind=f.kind,
            note=f.note.strip()[:200],
            due_date=f.due_date,
            call_made=f.call_made,
            reassessment=req,
        )
    _update_subject(person, record)
    fulfilled = _fulfil_tasks(person, record)
    audit(
        actor=actor,
        action=Action.RECORD,
        object_type="visit",
        object_id=str(record.public_id),
        object_label=f"{person.name} {record.visit_date} {record.get_method_display()}",
        region_code=person.region_id,
        changes={
            "person": str(person.public_id),
            "method": record.method,
            "visit_date": str(record.visit_date),
            "risk_level": record.risk_level,
            "follow_ups": [f.kind for f in follow_ups],
            "supersedes": str(supersedes.public_id) if supersedes else None,
            "tasks_fulfilled": fulfilled,
            "offline": offline,
            "photos": len(photos),
        },
    )
    return record


def _update_subject(person: Person, record: VisitRecord) -> None:
    """The person's current risk level is that of their newest visit in effect."""
    subject, _ = VisitSubject.objects.get_or_create(
        person=person, defaults={"region_id": person.region_id}
    )
    newest = (
        VisitRecord.objects.filter(person=person, superseded_by__isnull=True)
        .order_by("-visit_date", "-visited_at", "-id")
        .first()
    )
    if newest is not None and subject.risk_level != newest.risk_level:
        # Emergency is a moment, not a standing level: it leaves the person at high risk.
        level = RiskLevel.HIGH if newest.risk_level == RiskLevel.EMERGENCY else newest.risk_level
        VisitSubject.objects.filter(pk=subject.pk).update(
            risk_level=level, updated_at=timezone.now()
        )


def _fulfil_tasks(person: Person, record: VisitRecord) -> int:
    """Open tasks whose period holds the visit date, if the method counts there."""
    if record.method not in policy.methods_for(person.region_id, record.visit_date):
        return 0
    now = timezone.now()
    tasks = list(
        VisitTask.objects.select_for_update().filter(
            person=person,
            status__in=OPEN_TASK,
            period_start__lte=record.visit_date,
            period_end__gte=record.visit_date,
        )
    )
    for t in tasks:
        TaskEvent.objects.create(
            task=t,
            from_status=t.status,
            to_status=TaskStatus.VISITED,
            at=now,
            note=str(record.public_id),
        )
    return VisitTask.objects.filter(pk__in=[t.pk for t in tasks], status__in=OPEN_TASK).update(
        status=TaskStatus.VISITED, visit=record
    )


def followup_close(*, actor: User, follow_up: FollowUp, outcome: str) -> FollowUp:
    if not (actor.can(Cap.VISIT_MANAGE) or actor.can(Cap.VISIT_RECORD)):
        raise NotPermitted(Cap.VISIT_MANAGE)
    require_in_scope(actor, follow_up.region_id, WRITE_RECORDS)
    outcome = outcome.strip()
    if not outcome:
        raise _fail("outcome", "请填写办理结果")
    with transaction.atomic():
        f = (
            FollowUp.objects.select_for_update()
            .select_related("record__person")
            .get(pk=follow_up.pk)
        )
        if f.status != FollowUpStatus.OPEN:
            raise _fail("__all__", "该事项已办结")
        f.status, f.outcome = FollowUpStatus.CLOSED, outcome[:200]
        f.closed_by, f.closed_at = actor, timezone.now()
        f.save(update_fields=["status", "outcome", "closed_by", "closed_at"])
        audit(
            actor=actor,
            action=Action.FOLLOWUP_CLOSE,
            object_type="visit_followup",
            object_id=str(f.pk),
            object_label=f"{f.record.person.name} {f.get_kind_display()}",
            region_code=f.region_id,
            changes={"kind": f.kind, "outcome": f.outcome},
        )
    return f


def audit_export(
    *, actor: User, what: str, region_code: str, rows: int, params: dict[str, Any]
) -> None:
    """Exports of personal data are audited (development.md)."""
    with transaction.atomic():
        audit(
            actor=actor,
            action=Action.EXPORT,
            object_type="visit_export",
            object_label=what,
            region_code=region_code,
            changes={"rows": rows, **params},
        )


def worker_phones(*, actor: User, people: Sequence[Person], page: str) -> dict[int, str]:
    """Full phone numbers, by person pk, of those among `people` on the actor's own visit
    list (responsible or backup worker) — a worker must be able to phone them. Anyone else
    stays masked. One query, decrypted in one pass, and ONE audit event for the page
    listing whose numbers were shown (never one per person)."""
    if not people or not actor.can(Cap.VISIT_RECORD):
        return {}
    by_pk = {p.pk: p for p in people}
    own = (
        VisitSubject.objects.filter(
            Q(worker=actor) | Q(backup=actor),
            person_id__in=list(by_pk),
            person__life_status=LifeStatus.ALIVE,
        )
        .exclude(person__phone_cipher="")
        .values_list("person_id", "person__phone_cipher", "person__region_id")
    )
    phones: dict[int, str] = {}
    regions: list[str] = []
    for pk, cipher, region in own:
        if in_scope(actor, region, WRITE_RECORDS):  # moved out of the worker's village: no
            phones[pk] = crypto.decrypt(cipher)
            regions.append(region)
    if phones:
        shown = sorted(phones, key=lambda pk: (by_pk[pk].region_id, pk))
        with transaction.atomic():
            audit(
                actor=actor,
                action=Action.PHONES_SHOWN,
                object_type="person",
                object_id=str(by_pk[shown[0]].public_id) if len(shown) == 1 else "",
                object_label=f"{page}：{len(shown)}人的电话",
                region_code=common_region(regions),
                changes={
                    "page": page,
                    "field": "phone",
                    "persons": [str(by_pk[pk].public_id) for pk in shown],
                },
            )
    return phones
