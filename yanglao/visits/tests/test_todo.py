"""The workbench's visit to-dos (selectors.worker_todo / officer_todo) and the overdue-first
follow-up and emergency lists: counts right, scoped, another county never counted."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.core.todo import Todo
from yanglao.people import services as people
from yanglao.people.choices import Category
from yanglao.people.testing import person_input
from yanglao.regions.models import Region
from yanglao.visits import selectors, services
from yanglao.visits.choices import FollowUpKind, TaskStatus
from yanglao.visits.models import FollowUp, VisitTask
from yanglao.visits.rules import FollowUpInput
from yanglao.visits.testing import visit_input

from .conftest import V1, V2, World

pytestmark = pytest.mark.django_db


def _record(worker, person, today: date, *follow_ups: FollowUpInput) -> None:
    services.visit_record(
        actor=worker,
        person=person,
        data=visit_input(today, follow_ups=list(follow_ups)),
        client_uuid=uuid.uuid4(),
    )


def _late(person, days: int, today: date) -> None:
    VisitTask.objects.filter(person=person).update(
        status=TaskStatus.OVERDUE, due_date=today - timedelta(days=days)
    )


@pytest.fixture
def scene(world: World, make_user):
    """worker1's person with a task 5 days overdue, an emergency, a follow-up 3 days late and
    one not due yet; worker2's person with a task on time; the same again in 船营区."""
    today = timezone.localdate()
    p1, p2 = world.person(V1, name="甲"), world.person(V2, name="乙")
    services.assign(actor=world.township, people=[p1], worker=world.worker1)
    services.assign(actor=world.township, people=[p2], worker=world.worker2)
    far = Region.objects.filter(level=5, code__startswith="220204").order_by("code").first()
    assert far is not None
    far_worker = make_user(Role.VISIT_WORKER, far.code, username="far_worker")
    p3, _ = people.person_register(
        actor=world.outsider, data=person_input(far.code, name="丙", seq=90)
    )
    people.person_category_add(
        actor=world.outsider, person=p3, category=Category.LIVING_ALONE, start=date(2024, 1, 1)
    )
    services.assign(actor=world.outsider, people=[p3], worker=far_worker)
    services.tasks_generate(month=today)
    for worker, person in ((world.worker1, p1), (far_worker, p3)):
        _record(
            worker,
            person,
            today,
            FollowUpInput(FollowUpKind.EMERGENCY, "已拨打120", call_made=True),
            FollowUpInput(FollowUpKind.SERVICE, "助餐", due_date=today),
            FollowUpInput(FollowUpKind.OTHER, "复查", due_date=today + timedelta(days=5)),
        )
    # The visit was made, but (say) last period's task is still open and late.
    _late(p1, 5, today)
    _late(p3, 9, today)
    # Deadlines in the past (a form refuses them on entry; time passing makes them so).
    FollowUp.objects.filter(kind=FollowUpKind.SERVICE).update(due_date=today - timedelta(days=3))
    FollowUp.objects.filter(kind=FollowUpKind.EMERGENCY).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    return world, far_worker, today


def test_worker_todo_counts_their_people_only(scene) -> None:
    world, far_worker, today = scene
    mine = selectors.worker_todo(user=world.worker1, today=today)
    assert mine["visits"] == Todo(1, 1, 5)
    assert mine["emergencies"] == Todo(1, 1, 2)
    assert mine["follow_ups"] == Todo(2, 1, 3)
    other = selectors.worker_todo(user=world.worker2, today=today)
    assert other["visits"] == Todo(1, 0, 0)
    assert other["emergencies"] == Todo(0) and other["follow_ups"] == Todo(0)
    assert selectors.worker_todo(user=far_worker, today=today)["visits"] == Todo(1, 1, 9)


def test_officer_todo_is_scoped(scene) -> None:
    world, _, today = scene
    mine = selectors.officer_todo(user=world.township, today=today)
    assert mine["overdue_visits"] == Todo(1, 1, 5)  # not 船营区's (9 days)
    assert mine["emergencies"] == Todo(1, 1, 2)
    assert mine["follow_ups"] == Todo(2, 1, 3)
    theirs = selectors.officer_todo(user=world.outsider, today=today)
    assert theirs["overdue_visits"] == Todo(1, 1, 9)
    assert theirs["emergencies"].total == 1 and theirs["follow_ups"].total == 2


def test_follow_ups_overdue_first_with_days(scene) -> None:
    world, _, today = scene
    rows = selectors.worker_follow_ups(user=world.worker1, today=today)
    assert [f.kind for f in rows] == [
        FollowUpKind.EMERGENCY,
        FollowUpKind.SERVICE,
        FollowUpKind.OTHER,
    ]
    days = [(getattr(f, "days_open"), getattr(f, "days_overdue")) for f in rows]  # noqa: B009
    assert days[0][0] == 2 and days[1][1] == 3 and days[2][1] == 0


def test_lists_show_days_overdue_in_red(scene) -> None:
    world, _, _ = scene
    c = Client()
    c.force_login(world.worker1)
    page = c.get("/visits/").content.decode()
    assert "逾期3天" in page and "已2天未办结" in page and 'class="late"' in page
    assert page.index("已2天未办结") < page.index("逾期3天")
    c.force_login(world.township)
    board = c.get("/visits/board/", {"status": "overdue"}).content.decode()
    assert "逾期5天" in board and "甲" in board and "丙" not in board
    assert "已2天未办结" in c.get("/visits/board/emergencies/").content.decode()
    assert "逾期3天" in board
