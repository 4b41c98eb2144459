"""A person's life events reach visits and benefits through people.hooks, on every path that
changes a person's village or status: the edit form, the API PATCH, the ledger import, the
benefits external list (issue 10 part 1)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from yanglao.accounts.roles import Role
from yanglao.benefits import services as benefits
from yanglao.benefits.choices import AppStatus, ImportKind, StopReason, TaskKind, TaskStatus
from yanglao.benefits.models import Application, Entitlement, ReviewTask, ServiceItem
from yanglao.core.models import AuditEvent
from yanglao.people import hooks
from yanglao.people import services as people
from yanglao.people.choices import Category, LifeStatus
from yanglao.people.forms import PersonForm
from yanglao.people.models import Person
from yanglao.people.testing import person_input
from yanglao.visits import selectors as visit_selectors
from yanglao.visits import services as visits
from yanglao.visits.choices import FollowUpKind, FollowUpStatus
from yanglao.visits.choices import TaskStatus as VisitTaskStatus
from yanglao.visits.models import FollowUp, TaskEvent, VisitRecord, VisitSubject, VisitTask
from yanglao.visits.rules import FollowUpInput
from yanglao.visits.testing import visit_input

pytestmark = pytest.mark.django_db

V1 = "220102001001"  # 南关区 南岭街道 华阳社区
V2 = "220102001002"  # same township
V_OTHER_TOWNSHIP = "220102002001"  # 南关区, another township (北安社区)
V_OTHER_COUNTY = "220204001001"  # 船营区
MONTH = date(2026, 6, 1)
TODAY = date(2026, 6, 3)
PASSWORD = "Yl-test-pass-2026"


@dataclass
class World:
    province: Any
    county: Any
    worker1: Any
    worker_other: Any
    counter: list[int]

    def person(self, village: str = V1, **extra: Any) -> Person:
        self.counter[0] += 1
        p, _ = people.person_register(
            actor=self.province,
            data=person_input(village, seq=self.counter[0], **extra),
            today=TODAY,
        )
        people.person_category_add(
            actor=self.province, person=p, category=Category.LIVING_ALONE, start=date(2024, 1, 1)
        )
        return p

    def with_visit_file(self, p: Person) -> Person:
        """Assigned to worker1, this month's task generated, one visit with an open follow-up."""
        visits.assign(actor=self.county, people=[p], worker=self.worker1)
        visits.tasks_generate(month=MONTH)
        rec = visits.visit_record(
            actor=self.worker1,
            person=p,
            data=visit_input(
                date(2026, 6, 2),
                follow_ups=[FollowUpInput(FollowUpKind.SERVICE, "社区助餐点", date(2026, 6, 20))],
            ),
            client_uuid=uuid.uuid4(),
            today=date(2026, 6, 2),
        ).record
        assert rec.region_id == V1
        # A second, still open task (next month's) so there is an open task to move.
        visits.tasks_generate(month=date(2026, 7, 1))
        p.refresh_from_db()
        return p


@pytest.fixture
def world(regions: None, make_user: Callable[..., Any]) -> World:
    return World(
        province=make_user(Role.PROVINCE_OFFICER, "22"),
        county=make_user(Role.COUNTY_OFFICER, "220102"),
        worker1=make_user(Role.VISIT_WORKER, V1),
        worker_other=make_user(Role.VISIT_WORKER, V_OTHER_TOWNSHIP),
        counter=[0],
    )


def _move(world: World, p: Person, village: str, via: str = "form") -> Person:
    data = person_input(village, seq=1)
    data.id_number = p.id_number
    data.name, data.birth_date, data.sex = p.name, p.birth_date, p.sex
    moved, _ = people.person_update(
        actor=world.province,
        person=p,
        data=data,
        expected_version=p.version,
        today=TODAY,
        via=via,
    )
    return moved


def _assert_followed(p: Person, village: str, worker_cleared: bool) -> None:
    subject = VisitSubject.objects.get(person=p)
    assert subject.region_id == village
    assert (subject.worker_id is None) is worker_cleared
    open_tasks = VisitTask.objects.filter(person=p, status__in=["pending", "overdue"])
    assert open_tasks.exists()
    assert set(open_tasks.values_list("region_id", flat=True)) == {village}
    if worker_cleared:
        assert set(open_tasks.values_list("worker_id", flat=True)) == {None}
    follow_up = FollowUp.objects.get(record__person=p, status=FollowUpStatus.OPEN)
    assert follow_up.region_id == village
    # What was already done keeps its region: the visit record stays in the old village.
    assert set(VisitRecord.objects.filter(person=p).values_list("region_id", flat=True)) == {V1}
    assert TaskEvent.objects.filter(task__person=p, note__contains="迁居").exists()
    ev = AuditEvent.objects.get(action="visit.follow_move", object_id=str(p.public_id))
    assert ev.region_code == village
    assert ev.changes["open_tasks_moved"] >= 1 and ev.changes["follow_ups_moved"] == 1


def test_form_move_to_another_township_takes_visit_file_and_clears_worker(
    world: World, client: Client
) -> None:
    p = world.with_visit_file(world.person())
    client.force_login(world.province)
    post = {k: v for k, v in PersonForm.initial_from(p).items() if v is not None}
    post.update(region_code=V_OTHER_TOWNSHIP, version=p.version, id_number=p.id_number)
    r = client.post(reverse("people:edit", args=[p.public_id]), post)
    assert r.status_code == 302, r.content.decode()[:2000]
    page = client.get(r["Location"]).content.decode()
    assert "居住村（社区）已由华阳社区改为北安社区" in page and "分配巡访员" in page
    _assert_followed(p, V_OTHER_TOWNSHIP, worker_cleared=True)
    # The new village's worker finds the person once assigned (the list is scoped by the
    # visit file's region, which now is the new village).
    visits.assign(
        actor=world.county, people=[Person.objects.get(pk=p.pk)], worker=world.worker_other
    )
    listed = visit_selectors.worker_list(user=world.worker_other, today=TODAY)
    assert [i.person.pk for i in listed] == [p.pk]
    assert visit_selectors.worker_list(user=world.worker1, today=TODAY) == []


def test_move_inside_the_workers_township_keeps_an_eligible_worker(
    world: World, make_user: Callable[..., Any]
) -> None:
    township_worker = make_user(Role.VISIT_WORKER, V1[:9])  # covers both V1 and V2
    p = world.person()
    visits.assign(actor=world.county, people=[p], worker=township_worker)
    visits.tasks_generate(month=MONTH)
    p.refresh_from_db()
    _move(world, p, V2)
    subject = VisitSubject.objects.get(person=p)
    assert subject.region_id == V2 and subject.worker_id == township_worker.pk
    assert VisitTask.objects.get(person=p).worker_id == township_worker.pk


def test_api_patch_moves_the_visit_file(world: World, api_client: Callable[..., Any]) -> None:
    p = world.with_visit_file(world.person())
    api = api_client(world.province)
    r = api.patch(
        f"/api/v1/persons/{p.public_id}", {"version": p.version, "region_code": V_OTHER_TOWNSHIP}
    )
    assert r.status_code == 200, r.content
    _assert_followed(p, V_OTHER_TOWNSHIP, worker_cleared=True)
    assert AuditEvent.objects.get(action="visit.follow_move").changes["via"] == "api"


def _n07() -> ServiceItem:
    return ServiceItem.objects.create(
        code="N07",
        name="经济困难失能老年人护理补贴",
        category="subsidy",
        target="经济困难的失能老年人",
        rule={},
        effective_from=date(2024, 1, 1),
        document_no="测试",
    )


def test_county_change_stops_old_roll_and_opens_review_in_new_county(world: World) -> None:
    p = world.person()
    item = _n07()
    ent = Entitlement.objects.create(
        person=p, item_code="N06", county_id="220102000000", start=date(2025, 1, 1)
    )
    app = Application.objects.create(
        person=p,
        region_id=V1,
        item_code="N07",
        item=item,
        status=AppStatus.ACCEPTED,
        accepted_on=date(2026, 6, 1),
    )
    _move(world, p, V_OTHER_COUNTY)
    ent.refresh_from_db()
    assert ent.end == date(2026, 7, 1)  # paid for June, stopped from July (§4.4)
    assert ent.stop_reason == StopReason.MOVED_OUT and "船营区" in ent.stop_note
    task = ReviewTask.objects.get(person=p, kind=TaskKind.MOVED_IN)
    assert task.region_id == V_OTHER_COUNTY and task.status == TaskStatus.OPEN
    assert "南关区" in task.detail
    app.refresh_from_db()
    assert app.region_id == V_OTHER_COUNTY
    ev = AuditEvent.objects.get(action="benefit.follow_move")
    assert ev.region_code == V_OTHER_COUNTY and ev.changes["stopped"] == ["N06"]


def test_move_inside_the_county_keeps_payment(world: World) -> None:
    p = world.person()
    ent = Entitlement.objects.create(
        person=p, item_code="N06", county_id="220102000000", start=date(2025, 1, 1)
    )
    _move(world, p, V_OTHER_TOWNSHIP)
    ent.refresh_from_db()
    assert ent.end is None
    assert not ReviewTask.objects.filter(person=p).exists()


def test_a_failing_handler_rolls_back_the_whole_move(world: World) -> None:
    p = world.with_visit_file(world.person())

    def boom(ctx: hooks.EventContext, events: Any) -> None:
        raise RuntimeError("handler failed")

    hooks.persons_moved.connect(boom, key="test.boom")
    try:
        with pytest.raises(RuntimeError):
            _move(world, p, V_OTHER_TOWNSHIP)
    finally:
        hooks.persons_moved.disconnect("test.boom")
    p.refresh_from_db()
    assert p.region_id == V1
    assert VisitSubject.objects.get(person=p).region_id == V1
    assert not AuditEvent.objects.filter(action="person.update").exists()


@pytest.mark.django_db(transaction=True)
def test_hooks_refuse_to_run_outside_a_transaction() -> None:
    ctx = hooks.EventContext(actor=None, today=TODAY, via="test")
    with pytest.raises(RuntimeError):
        hooks.persons_moved.send(ctx, [hooks.Moved(1, V1, V2, TODAY)])
    hooks.persons_moved.send(ctx, [])  # an empty batch calls nobody


@pytest.mark.parametrize(
    ("old", "new", "crossed"),
    [
        (V1, V2, False),
        (V1, V_OTHER_TOWNSHIP, False),
        (V1, V_OTHER_COUNTY, True),
        ("220102001001", "220103001001", True),
    ],
)
def test_county_changed(old: str, new: str, crossed: bool) -> None:
    assert hooks.Moved(1, old, new, TODAY).county_changed is crossed


def test_every_app_registers_its_handlers() -> None:
    assert "yanglao.visits.hooks.on_moved" in hooks.persons_moved.handlers
    assert "yanglao.benefits.hooks.on_moved" in hooks.persons_moved.handlers
    assert "yanglao.visits.hooks.on_closed" in hooks.persons_closed.handlers
    assert "yanglao.benefits.hooks.on_closed" in hooks.persons_closed.handlers


@pytest.mark.parametrize(
    ("kind", "date_header", "status", "reason", "task_kind"),
    [
        (ImportKind.DEATHS, "死亡日期", LifeStatus.DECEASED, StopReason.DEATH, TaskKind.DEATH),
        (
            ImportKind.MOVES,
            "迁出日期",
            LifeStatus.MOVED_OUT,
            StopReason.MOVED_OUT,
            TaskKind.MOVED_OUT,
        ),
    ],
)
def test_external_list_cancels_tasks_and_stops_payment(
    world: World, kind: str, date_header: str, status: str, reason: str, task_kind: str
) -> None:
    """The benefits external lists (死亡名单, 户籍迁出名单) close the person on the ledger,
    and visits and benefits follow through the hooks."""
    p = world.with_visit_file(world.person())
    ent = Entitlement.objects.create(
        person=p, item_code="N06", county_id="220102000000", start=date(2025, 1, 1)
    )
    report = benefits.external_import(
        actor=world.county,
        kind=kind,
        rows=[["身份证号码", "姓名", date_header], [p.id_number, p.name, "2026-06-02"]],
        today=TODAY,
    )
    assert report.applied == 1, report.unmatched
    p.refresh_from_db()
    assert p.life_status == status
    assert not VisitTask.objects.filter(person=p, status__in=["pending", "overdue"]).exists()
    assert VisitTask.objects.filter(person=p, status=VisitTaskStatus.CANCELLED).exists()
    ent.refresh_from_db()
    assert ent.end == date(2026, 7, 1) and ent.stop_reason == reason
    task = ReviewTask.objects.get(person=p, kind=task_kind)
    assert task.region_id == V1 and task.status == TaskStatus.OPEN
    cancelled = AuditEvent.objects.get(action="visit.tasks_cancel")
    assert cancelled.region_code == V1 and cancelled.changes["via"] == "external_list"
    assert cancelled.object_id == str(p.public_id)


# --- the ledger import --------------------------------------------------------------------


@pytest.fixture
def imported(world: World, on_commit_now: None) -> Callable[[list[list[str]]], Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yanglao.imports import services as imports

    def run(rows: list[list[str]]) -> Any:
        text = "\n".join(",".join(r) for r in rows) + "\n"
        upload = SimpleUploadedFile("台账.csv", text.encode("utf-8"))
        batch = imports.batch_upload(actor=world.province, upload=upload, reference_date=TODAY)
        imports.batch_map(
            actor=world.province,
            batch=batch,
            mapping={int(i): k for i, k in batch.mapping.items()},
        )
        batch.refresh_from_db()
        imports.batch_commit_request(actor=world.province, batch=batch)
        batch.refresh_from_db()
        return batch

    return run


def test_import_move_reaches_visits_and_audits_per_person(
    world: World, imported: Callable[[list[list[str]]], Any], make_user: Callable[..., Any]
) -> None:
    p = world.with_visit_file(world.person())
    newcomer = person_input(V_OTHER_COUNTY, seq=77, name="王桂兰")
    header = ["姓名", "性别", "出生日期", "身份证号码", "村（社区）代码"]
    batch = imported(
        [
            header,
            [p.name, "女", "1945-03-15", p.id_number, V_OTHER_TOWNSHIP],
            [newcomer.name, "女", "1945-03-15", newcomer.id_number, V_OTHER_COUNTY],
        ]
    )
    assert batch.status == "committed", (batch.status, batch.message, batch.counts)
    _assert_followed(p, V_OTHER_TOWNSHIP, worker_cleared=True)
    assert AuditEvent.objects.get(action="visit.follow_move").changes["via"] == "import"
    created = AuditEvent.objects.get(action="person.bulk_create")
    assert created.object_label == "王桂兰" and created.region_code == V_OTHER_COUNTY
    updated = AuditEvent.objects.get(action="person.bulk_update", object_id=str(p.public_id))
    assert updated.region_code == V_OTHER_TOWNSHIP
    # A county auditor sees exactly their county's rows of the bulk write.
    auditor = make_user(Role.AUDITOR, "220204", mode="stats")
    c = Client()
    c.force_login(auditor)
    page = c.get("/audit/", {"action": "person."}).content.decode()
    assert "王桂兰" in page and p.name not in page


# --- the edit form's death and move-out ----------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "reason"),
    [
        ("death", LifeStatus.DECEASED, StopReason.DEATH),
        ("move-out", LifeStatus.MOVED_OUT, StopReason.MOVED_OUT),
    ],
)
def test_form_death_or_move_out_cancels_tasks_and_stops_payment(
    world: World, client: Client, kind: str, status: str, reason: str
) -> None:
    p = world.with_visit_file(world.person())
    ent = Entitlement.objects.create(
        person=p, item_code="N06", county_id="220102000000", start=date(2025, 1, 1)
    )
    client.force_login(world.county)
    r = client.post(
        reverse("people:event", args=[p.public_id, kind]),
        {"date": "2026-06-02", "reason": "家属告知", "version": p.version},
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.life_status == status
    assert not VisitTask.objects.filter(person=p, status__in=["pending", "overdue"]).exists()
    ent.refresh_from_db()
    assert ent.end == date(2026, 7, 1) and ent.stop_reason == reason
    cancelled = AuditEvent.objects.get(action="visit.tasks_cancel", object_id=str(p.public_id))
    assert cancelled.changes["via"] == "form" and cancelled.region_code == V1


# --- the migrations that put back copies left stale before the hooks -----------------------


def test_migrations_realign_copies_left_in_the_old_village(
    world: World, make_user: Callable[..., Any]
) -> None:
    """visits 0007 and benefits 0005: a move written before people.hooks existed left the
    visit file, the open task and follow-up, the open application, review task and discovery
    row in the old village. The migrations put them in the residence village the way the hook
    does (worker cleared where not eligible); records already made keep their region."""
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from yanglao.benefits.models import Candidate

    moved = world.with_visit_file(world.person())
    township_worker = make_user(Role.VISIT_WORKER, V1[:9])  # covers V1 and V2
    near = world.person()
    visits.assign(actor=world.county, people=[near], worker=township_worker)
    stays = world.with_visit_file(world.person())
    item = _n07()

    def application(p: Person, status: str) -> Application:
        return Application.objects.create(
            person=p, region_id=V1, item_code="N07", item=item, status=status, accepted_on=TODAY
        )

    for p in (moved, stays):
        application(p, AppStatus.ACCEPTED)
        ReviewTask.objects.create(
            person=p, region_id=V1, kind=TaskKind.ROSTER, key="k", due=TODAY, detail="核对"
        )
        Candidate.objects.create(
            person=p, item_code="N07", region_id=V1, first_found=TODAY, last_seen=TODAY
        )
    closed = application(moved, AppStatus.APPROVED)
    far = world.person()
    paid = [
        Entitlement.objects.create(
            person=p, item_code="N06", county_id="220102000000", start=date(2025, 1, 1)
        )
        for p in (moved, far)
    ]
    # What the old code did on a move: only the person row changed.
    Person.objects.filter(pk=moved.pk).update(region_id=V_OTHER_TOWNSHIP)
    Person.objects.filter(pk=near.pk).update(region_id=V2)
    Person.objects.filter(pk=far.pk).update(region_id=V_OTHER_COUNTY)
    done = VisitTask.objects.filter(person=moved, status="visited").values_list("pk", flat=True)
    assert done  # June's task, fulfilled in V1

    # Each migration's forward() with the historical models of its own state (the schema of
    # these tables has not changed since), on the rows the old code left behind.
    loader = MigrationLoader(connection)
    for app, name in (
        ("visits", "0007_realign_region_copies"),
        ("benefits", "0005_realign_region_copies"),
    ):
        state = loader.project_state((app, name), at_end=False).apps
        importlib.import_module(f"yanglao.{app}.migrations.{name}").forward(state, None)

    subject = VisitSubject.objects.get(person=moved)
    assert (subject.region_id, subject.worker_id) == (V_OTHER_TOWNSHIP, None)
    open_tasks = VisitTask.objects.filter(person=moved, status__in=["pending", "overdue"])
    assert set(open_tasks.values_list("region_id", "worker_id")) == {(V_OTHER_TOWNSHIP, None)}
    assert TaskEvent.objects.filter(task__person=moved, note__contains="数据整理").exists()
    assert set(VisitTask.objects.filter(pk__in=done).values_list("region_id", flat=True)) == {V1}
    assert FollowUp.objects.get(record__person=moved).region_id == V_OTHER_TOWNSHIP
    assert set(VisitRecord.objects.filter(person=moved).values_list("region_id", flat=True)) == {V1}
    assert Application.objects.get(person=moved, status=AppStatus.ACCEPTED).region_id == (
        V_OTHER_TOWNSHIP
    )
    closed.refresh_from_db()
    assert closed.region_id == V1
    assert ReviewTask.objects.get(person=moved).region_id == V_OTHER_TOWNSHIP
    assert Candidate.objects.get(person=moved).region_id == V_OTHER_TOWNSHIP
    # A township-wide worker stays responsible after a move inside the township.
    assert VisitSubject.objects.get(person=near).region_id == V2
    assert VisitSubject.objects.get(person=near).worker_id == township_worker.pk
    # Someone who did not move is untouched.
    assert VisitSubject.objects.get(person=stays).region_id == V1
    assert VisitSubject.objects.get(person=stays).worker_id == world.worker1.pk
    assert set(Application.objects.filter(person=stays).values_list("region_id", flat=True)) | set(
        ReviewTask.objects.filter(person=stays).values_list("region_id", flat=True)
    ) == {V1}
    # The new village's worker now finds the person once assigned; the old one no longer does.
    visits.assign(
        actor=world.county, people=[Person.objects.get(pk=moved.pk)], worker=world.worker_other
    )
    listed = visit_selectors.worker_list(user=world.worker_other, today=TODAY)
    assert [i.person.pk for i in listed] == [moved.pk]
    assert moved.pk not in {
        i.person.pk for i in visit_selectors.worker_list(user=world.worker1, today=TODAY)
    }
    # Payments are not stopped by the migration; docs/benefits.md's query lists the ones a
    # county the person no longer lives in still pays.
    from django.db.models.functions import Substr

    listed_paid = (
        Entitlement.objects.filter(end__isnull=True)
        .annotate(lives=Substr("person__region_id", 1, 6))
        .exclude(lives=Substr("county_id", 1, 6))
    )
    assert list(listed_paid) == [paid[1]]
    assert all(e.end is None for e in Entitlement.objects.filter(pk__in=[e.pk for e in paid]))
