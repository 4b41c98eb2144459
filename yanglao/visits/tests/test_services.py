"""Services: policy levels, assignment, task jobs, recording (idempotent), follow-ups."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.http import Http404

from yanglao.accounts.roles import Role
from yanglao.accounts.scoping import READ_RECORDS, scoped
from yanglao.assessments.models import ReassessmentRequest
from yanglao.core.models import AuditEvent
from yanglao.people import services as people
from yanglao.people.choices import Category, LifeStatus
from yanglao.people.services import NotPermitted
from yanglao.visits import policy, services
from yanglao.visits.choices import (
    GENERAL,
    FollowUpKind,
    FollowUpStatus,
    Method,
    Period,
    RiskLevel,
    TaskStatus,
)
from yanglao.visits.models import FollowUp, TaskEvent, VisitRecord, VisitSubject, VisitTask
from yanglao.visits.rules import FollowUpInput
from yanglao.visits.services import VisitInvalid
from yanglao.visits.testing import visit_input

from .conftest import V1, V2, World

pytestmark = pytest.mark.django_db
MONTH = date(2026, 6, 1)  # June 2026 starts on a Monday; Q2 = April–June


# --- policy -------------------------------------------------------------------------------


def test_county_may_tighten_but_not_loosen(world: World) -> None:
    row = services.frequency_rule_add(
        actor=world.county,
        region_code="220102",
        target=Category.DISABLED,
        period=Period.WEEK,
        effective_from=date(2026, 1, 1),
        document_no="南民发〔2026〕1号",
    )
    assert policy.periods_for("220102001001", date(2026, 1, 1))[Category.DISABLED] == Period.WEEK
    assert policy.periods_for("220102001001", date(2025, 12, 31))[Category.DISABLED] == Period.MONTH
    assert AuditEvent.objects.filter(action="visit.policy", object_id=str(row.pk)).exists()
    with pytest.raises(VisitInvalid) as exc:
        services.frequency_rule_add(
            actor=world.county,
            region_code="220102",
            target=Category.LIVING_ALONE,
            period=Period.QUARTER,
            effective_from=date(2026, 1, 1),
            document_no="南民发〔2026〕2号",
        )
    assert "不能放宽" in exc.value.errors["period"][0]
    # The township below the county's weekly rule cannot go back to monthly.
    with pytest.raises(VisitInvalid):
        services.frequency_rule_add(
            actor=world.township,
            region_code="220102001",
            target=Category.DISABLED,
            period=Period.MONTH,
            effective_from=date(2026, 2, 1),
            document_no="南岭〔2026〕1号",
        )


def test_policy_needs_document_number_and_scope(world: World) -> None:
    with pytest.raises(VisitInvalid) as exc:
        services.frequency_rule_add(
            actor=world.county,
            region_code="220102",
            target=GENERAL,
            period=Period.MONTH,
            effective_from=date(2026, 1, 1),
            document_no=" ",
        )
    assert exc.value.errors["document_no"] == ["请填写政策文件的文号"]
    with pytest.raises(Http404):
        services.frequency_rule_add(
            actor=world.outsider,
            region_code="220102",
            target=GENERAL,
            period=Period.MONTH,
            effective_from=date(2026, 1, 1),
            document_no="x",
        )
    with pytest.raises(NotPermitted):
        services.counting_rule_add(
            actor=world.worker1,
            region_code=V1,
            methods=["door"],
            effective_from=date(2026, 1, 1),
            document_no="x",
        )


def test_counting_may_narrow_not_widen(world: World) -> None:
    with pytest.raises(VisitInvalid) as exc:
        services.counting_rule_add(
            actor=world.county,
            region_code="220102",
            methods=["door", "phone"],
            effective_from=date(2026, 1, 1),
            document_no="南民发〔2026〕3号",
        )
    assert "电话" in exc.value.errors["methods"][0]
    services.counting_rule_add(
        actor=world.county,
        region_code="220102",
        methods=["door"],
        effective_from=date(2026, 1, 1),
        document_no="南民发〔2026〕3号",
    )
    assert policy.methods_for(V1, date(2026, 1, 1)) == {"door"}
    assert policy.methods_for("220204001001", date(2026, 1, 1)) == {"door", "video"}


# --- assignment ---------------------------------------------------------------------------


def test_bulk_assign_and_reassign_moves_open_tasks(world: World) -> None:
    a, b = world.person(name="甲"), world.person(name="乙")
    services.tasks_generate(month=MONTH)
    n = services.assign(actor=world.township, people=[a, b], worker=world.worker1)
    assert n == 2
    assert set(VisitTask.objects.values_list("worker_id", flat=True)) == {world.worker1.pk}
    # A worker of another community may not take these people.
    with pytest.raises(VisitInvalid) as exc:
        services.assign(actor=world.township, people=[a], worker=world.worker2)
    assert "甲" in exc.value.errors["worker"][0]
    extra = world.person(V1, name="丙")
    services.assign(actor=world.township, people=[a, extra], worker=world.worker1)
    assert VisitSubject.objects.filter(worker=world.worker1).count() == 3
    assert AuditEvent.objects.filter(action="visit.assign").count() == 2
    with pytest.raises(Http404):
        services.assign(actor=world.outsider, people=[a], worker=world.worker1)
    with pytest.raises(NotPermitted):
        services.assign(actor=world.worker1, people=[a], worker=world.worker1)


def test_backup_must_differ(world: World) -> None:
    a = world.person()
    with pytest.raises(VisitInvalid) as exc:
        services.assign(
            actor=world.township, people=[a], worker=world.worker1, backup=world.worker1
        )
    assert "backup" in exc.value.errors


# --- tasks --------------------------------------------------------------------------------


def test_generation_follows_strictest_policy_and_is_idempotent(world: World) -> None:
    alone = world.person(name="独居")
    plain = world.person(name="普通", tags=())
    risky = world.person(name="高危")
    VisitSubject.objects.create(person=risky, region_id=risky.region_id, risk_level=RiskLevel.HIGH)
    dead = world.person(name="已故")
    people.person_record_death(
        actor=world.county, person=dead, on=date(2026, 5, 1), reason="病故", expected_version=1
    )
    later = world.person(name="新增", tag_start=date(2026, 6, 2))  # tagged after month start
    report = services.tasks_generate(month=MONTH)
    kinds = dict(VisitTask.objects.values_list("person__name", "period_kind").distinct())
    assert kinds["独居"] == Period.MONTH
    assert kinds["普通"] == Period.QUARTER
    assert kinds["新增"] == Period.QUARTER  # not special on 1 June
    assert kinds["高危"] == Period.WEEK
    assert "已故" not in kinds
    assert VisitTask.objects.filter(person=risky).count() == 5  # five Mondays in June 2026
    quarter = VisitTask.objects.get(person=plain)
    assert (quarter.period_start, quarter.period_end) == (date(2026, 4, 1), date(2026, 6, 30))
    assert report.total == VisitTask.objects.count() == 1 + 1 + 1 + 5
    again = services.tasks_generate(month=MONTH)
    assert again.total == 0
    assert VisitTask.objects.count() == 8
    assert later.pk and alone.pk


def test_tick_marks_overdue_then_missed_with_events(world: World) -> None:
    p, q = world.person(name="甲"), world.person(name="乙")
    services.tasks_generate(month=MONTH)
    services.visit_record(
        actor=world.worker1,
        person=q,
        data=visit_input(date(2026, 6, 3)),
        client_uuid=uuid.uuid4(),
        today=date(2026, 6, 3),
    )
    r = services.tasks_tick(today=date(2026, 6, 30))
    assert (r.overdue, r.missed) == (0, 0)
    r = services.tasks_tick(today=date(2026, 7, 1))
    assert (r.overdue, r.missed) == (1, 0)
    task = VisitTask.objects.get(person=p)
    assert task.status == TaskStatus.OVERDUE
    assert services.tasks_tick(today=date(2026, 7, 2)).overdue == 0  # nothing moves twice
    r = services.tasks_tick(today=date(2026, 7, 6))  # 30 June + 5 days of grace
    assert r.missed == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.MISSED
    assert list(TaskEvent.objects.filter(task=task).values_list("from_status", "to_status")) == [
        ("pending", "overdue"),
        ("overdue", "missed"),
    ]
    assert VisitTask.objects.get(person=q).status == TaskStatus.VISITED


def test_no_task_index_names_status_so_the_overdue_move_is_a_hot_update() -> None:
    """The daily job changes only `status`: no index or index condition may name it
    (PostgreSQL then updates the row in place without touching an index)."""
    meta = VisitTask._meta
    for index in meta.indexes:
        assert "status" not in index.fields, index.name
        assert "status" not in str(index.condition or ""), index.name
    for constraint in meta.constraints:
        assert "status" not in getattr(constraint, "fields", ()), constraint.name
        assert "status" not in str(getattr(constraint, "condition", None) or ""), constraint.name


@pytest.mark.parametrize(
    ("status", "is_open"),
    [
        (TaskStatus.PENDING, True),
        (TaskStatus.OVERDUE, True),
        (TaskStatus.VISITED, False),
        (TaskStatus.MISSED, False),
        (TaskStatus.CANCELLED, False),
    ],
)
def test_open_column_follows_the_status(world: World, status: str, is_open: bool) -> None:
    world.person()
    services.tasks_generate(month=MONTH)
    VisitTask.objects.update(status=status)
    assert list(VisitTask.objects.values_list("is_open", flat=True)) == [is_open]


def test_board_overdue_arm_is_open_and_past_due_even_before_the_daily_job(world: World) -> None:
    from yanglao.visits.selectors import board_tasks

    late, soon, later = world.person(name="甲"), world.person(name="乙"), world.person(name="丙")
    services.tasks_generate(month=MONTH)  # all due 2026-06-30
    VisitTask.objects.filter(person=late).update(due_date=date(2026, 6, 9))
    VisitTask.objects.filter(person=soon).update(due_date=date(2026, 6, 14))
    VisitTask.objects.filter(person=later).update(due_date=date(2026, 6, 30))
    today = date(2026, 6, 10)  # the job has not run: every task is still 待访
    board = board_tasks(user=world.county, today=today)
    assert [t.person_id for t in board[0:10]] == [late.pk, soon.pk]  # overdue first
    assert board.count() == 2
    only = board_tasks(user=world.county, today=today, overdue_only=True)
    assert [t.person_id for t in only[0:10]] == [late.pk]
    VisitTask.objects.filter(person=late).update(status=TaskStatus.VISITED)
    assert board_tasks(user=world.county, today=today, overdue_only=True).count() == 0


def test_death_cancels_open_tasks(world: World) -> None:
    p = world.person()
    services.tasks_generate(month=MONTH)
    people.person_record_death(
        actor=world.county,
        person=p,
        on=date(2026, 6, 5),
        reason="病故",
        expected_version=p.version,
        today=date(2026, 6, 6),
    )
    t = VisitTask.objects.get(person=p)
    assert t.status == TaskStatus.CANCELLED
    assert t.events.get().to_status == TaskStatus.CANCELLED
    ev = AuditEvent.objects.get(action="visit.tasks_cancel")
    assert ev.changes["cancelled"] == 1 and ev.object_id == str(p.public_id)


# --- records ------------------------------------------------------------------------------


def test_same_upload_three_times_is_stored_once(world: World) -> None:
    p = world.person()
    services.tasks_generate(month=MONTH)
    key = uuid.uuid4()
    outcomes = [
        services.visit_record(
            actor=world.worker1,
            person=p,
            data=visit_input(date(2026, 6, 3)),
            client_uuid=key,
            today=date(2026, 6, 3),
            offline=True,
        )
        for _ in range(3)
    ]
    assert [o.created for o in outcomes] == [True, False, False]
    assert len({o.record.pk for o in outcomes}) == 1
    assert VisitRecord.objects.count() == 1
    assert AuditEvent.objects.filter(action="visit.record").count() == 1
    assert VisitTask.objects.get(person=p).status == TaskStatus.VISITED
    # Someone else's upload with the same key is refused, never merged.
    other = world.person(V1, name="乙")
    with pytest.raises(VisitInvalid):
        services.visit_record(
            actor=world.township,
            person=other,
            data=visit_input(date(2026, 6, 3)),
            client_uuid=key,
            today=date(2026, 6, 3),
        )


def test_phone_visit_does_not_fulfil_task_by_default(world: World) -> None:
    p = world.person()
    services.tasks_generate(month=MONTH)
    services.visit_record(
        actor=world.worker1,
        person=p,
        data=visit_input(date(2026, 6, 3), method=Method.PHONE),
        client_uuid=uuid.uuid4(),
        today=date(2026, 6, 3),
    )
    assert VisitTask.objects.get(person=p).status == TaskStatus.PENDING
    services.visit_record(
        actor=world.worker1,
        person=p,
        data=visit_input(date(2026, 6, 4), method=Method.VIDEO),
        client_uuid=uuid.uuid4(),
        today=date(2026, 6, 4),
    )
    assert VisitTask.objects.get(person=p).status == TaskStatus.VISITED


def test_emergency_and_marked_change_raise_tracked_follow_ups(world: World) -> None:
    p = world.person()
    data = visit_input(
        date(2026, 6, 3),
        risk_level=RiskLevel.EMERGENCY,
        summary="老人摔倒后无法起身，近期行走明显困难",
        marked_change=True,
        follow_ups=[
            FollowUpInput(FollowUpKind.EMERGENCY, "已拨打120", call_made=True),
            FollowUpInput(FollowUpKind.SERVICE, "社区助餐点", date(2026, 6, 10)),
        ],
    )
    rec = services.visit_record(
        actor=world.worker1, person=p, data=data, client_uuid=uuid.uuid4(), today=date(2026, 6, 3)
    ).record
    kinds = sorted(FollowUp.objects.filter(record=rec).values_list("kind", flat=True))
    assert kinds == ["assessment", "emergency", "service"]
    req = ReassessmentRequest.objects.get(person=p)
    assert req.source == "visit" and "行走" in req.reason
    assert VisitSubject.objects.get(person=p).risk_level == RiskLevel.HIGH
    emergency = FollowUp.objects.get(kind=FollowUpKind.EMERGENCY)
    with pytest.raises(VisitInvalid):
        services.followup_close(actor=world.township, follow_up=emergency, outcome=" ")
    services.followup_close(actor=world.township, follow_up=emergency, outcome="已送医，家属陪同")
    emergency.refresh_from_db()
    assert emergency.status == FollowUpStatus.CLOSED
    with pytest.raises(Http404):
        services.followup_close(actor=world.outsider, follow_up=emergency, outcome="x")


def test_correction_supersedes_and_nothing_is_half_written(world: World) -> None:
    p = world.person()
    first = services.visit_record(
        actor=world.worker1,
        person=p,
        data=visit_input(date(2026, 6, 3)),
        client_uuid=uuid.uuid4(),
        today=date(2026, 6, 3),
    ).record
    fixed = services.visit_record(
        actor=world.worker1,
        person=p,
        data=visit_input(date(2026, 6, 2), summary="日期更正"),
        client_uuid=uuid.uuid4(),
        supersedes=first,
        today=date(2026, 6, 3),
    ).record
    assert fixed.supersedes_id == first.pk
    first.refresh_from_db()
    assert first.visit_date == date(2026, 6, 3)  # the original stays as it was
    with pytest.raises(VisitInvalid) as exc:
        services.visit_record(
            actor=world.worker1,
            person=p,
            data=visit_input(date(2026, 6, 2)),
            client_uuid=uuid.uuid4(),
            supersedes=first,
            today=date(2026, 6, 3),
        )
    assert "supersedes" in exc.value.errors
    bad = visit_input(date(2026, 6, 3), follow_ups=[FollowUpInput(FollowUpKind.SERVICE, "")])
    before = (VisitRecord.objects.count(), FollowUp.objects.count(), AuditEvent.objects.count())
    with pytest.raises(VisitInvalid):
        services.visit_record(
            actor=world.worker1,
            person=p,
            data=bad,
            client_uuid=uuid.uuid4(),
            photos=["data:image/png;base64,AAAA"],
            today=date(2026, 6, 3),
        )
    assert before == (
        VisitRecord.objects.count(),
        FollowUp.objects.count(),
        AuditEvent.objects.count(),
    )


def test_record_scope_and_life_status(world: World, make_user) -> None:
    p = world.person(V2)
    far_worker = make_user(Role.VISIT_WORKER, "220204001001")
    with pytest.raises(Http404):  # worker1 works in V1 only
        services.visit_record(
            actor=world.worker1,
            person=p,
            data=visit_input(date(2026, 6, 3)),
            client_uuid=uuid.uuid4(),
            today=date(2026, 6, 3),
        )
    with pytest.raises(Http404):
        services.visit_record(
            actor=far_worker,
            person=p,
            data=visit_input(date(2026, 6, 3)),
            client_uuid=uuid.uuid4(),
            today=date(2026, 6, 3),
        )
    people.person_record_death(
        actor=world.county,
        person=p,
        on=date(2026, 6, 1),
        reason="病故",
        expected_version=p.version,
        today=date(2026, 6, 2),
    )
    p.refresh_from_db()
    assert p.life_status == LifeStatus.DECEASED
    with pytest.raises(VisitInvalid):
        services.visit_record(
            actor=world.worker2,
            person=p,
            data=visit_input(date(2026, 6, 3)),
            client_uuid=uuid.uuid4(),
            today=date(2026, 6, 3),
        )
    # A visit before the death may still be recorded late.
    services.visit_record(
        actor=world.worker2,
        person=p,
        data=visit_input(date(2026, 5, 28)),
        client_uuid=uuid.uuid4(),
        today=date(2026, 6, 3),
    )


def test_photos_are_checked_and_stored(world: World, settings, tmp_path) -> None:
    import base64

    settings.MEDIA_ROOT = tmp_path
    p = world.person()
    png = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 20).decode()
    rec = services.visit_record(
        actor=world.worker1,
        person=p,
        data=visit_input(date(2026, 6, 3)),
        client_uuid=uuid.uuid4(),
        photos=[png],
        today=date(2026, 6, 3),
    ).record
    assert rec.photos.get().content_type == "image/png"
    with pytest.raises(VisitInvalid) as exc:
        services.visit_record(
            actor=world.worker1,
            person=p,
            data=visit_input(date(2026, 6, 3)),
            client_uuid=uuid.uuid4(),
            photos=["data:text/plain;base64,aGVsbG8="],
            today=date(2026, 6, 3),
        )
    assert "JPEG" in exc.value.errors["photos"][0]


def test_workload_per_worker(world: World) -> None:
    from yanglao.regions.models import Region
    from yanglao.visits import selectors

    a, b, c = world.person(name="甲"), world.person(name="乙"), world.person(V2, name="丙")
    services.assign(actor=world.township, people=[a, b], worker=world.worker1)
    services.assign(actor=world.township, people=[c], worker=world.worker2)
    services.tasks_generate(month=MONTH)
    services.visit_record(
        actor=world.worker1,
        person=a,
        data=visit_input(date(2026, 6, 3)),
        client_uuid=uuid.uuid4(),
        today=date(2026, 6, 3),
    )
    services.tasks_tick(today=date(2026, 7, 1))
    township = Region.objects.get(code="220102001000")
    rows = selectors.workload(user=world.county, region=township, month=MONTH)
    # Both test workers are called 测试用户: rows are per account, labelled with the username.
    by = {w.worker: w for w in rows}
    w1 = by[f"测试用户（{world.worker1.username}）"]
    w2 = by[f"测试用户（{world.worker2.username}）"]
    assert (w1.total, w1.visited, w1.overdue, w1.percent) == (2, 1, 1, "50.0%")
    assert (w2.total, w2.visited, w2.overdue) == (1, 0, 1)


@pytest.mark.parametrize("max_dates", [31, 2])
def test_board_reads_each_due_date_as_its_own_range_in_board_order(
    world: World, max_dates: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: the board splits each arm by due date (a village's rows of a date are one
    range of the index). Every window of every user's board equals the plain ordered query,
    across date and arm boundaries, and with more dates than BOARD_MAX_DATES (one range)."""
    from yanglao.visits import selectors
    from yanglao.visits.selectors import BOARD_ORDER, board_tasks

    monkeypatch.setattr(selectors, "BOARD_MAX_DATES", max_dates)
    people_ = [world.person(v, name=n) for v in (V1, V2) for n in ("甲", "乙", "丙", "丁")]
    services.tasks_generate(month=MONTH)
    dues = [date(2026, 6, d) for d in (1, 5, 9, 12, 14, 30)]
    for i, p in enumerate(people_):
        VisitTask.objects.filter(person=p).update(due_date=dues[i % len(dues)])
    today = date(2026, 6, 10)
    for user in (world.county, world.township, world.worker1, world.worker2, world.outsider):
        board = board_tasks(user=user, today=today)
        plain = scoped(VisitTask.objects.filter(is_open=True), user, READ_RECORDS)
        expected = [
            *plain.filter(due_date__lt=today).order_by(*BOARD_ORDER).values_list("pk", flat=True),
            *plain.filter(due_date__gte=today, due_date__lte=date(2026, 6, 17))
            .order_by(*BOARD_ORDER)
            .values_list("pk", flat=True),
        ]
        assert board.count() == len(expected)
        for start in range(len(expected) + 1):
            for stop in range(start, len(expected) + 2):
                assert [t.pk for t in board[start:stop]] == expected[start:stop], (start, stop)
