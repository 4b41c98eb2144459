"""The workbench's benefits to-dos (selectors.todo_counts): counts right, scoped, another
county's applications, tasks and rolls never counted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.benefits import selectors
from yanglao.benefits.choices import AppStatus, RollStatus, TaskKind
from yanglao.benefits.models import Application, Candidate, ReviewTask, Roll
from yanglao.core.todo import Todo
from yanglao.people.models import Person

from .conftest import OTHER_VILLAGE
from .test_services import _apply

pytestmark = pytest.mark.django_db


def _task(person: Person, due: date, key: str) -> None:
    ReviewTask.objects.create(
        person=person, region_id=person.region_id, kind=TaskKind.DEATH, key=key, due=due
    )


def test_todo_counts_scoped(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    county_officer: Any,
    township: Any,
    make_user: Callable[..., Any],
) -> None:
    today = timezone.localdate()
    here = [make_person(date(1940, 5, 1), name=n) for n in ("赵一", "钱二", "孙三", "李四")]
    far = make_person(date(1940, 5, 1), village=OTHER_VILLAGE, name="外县人")
    a1, a2, a3, far_app = (_apply(worker, p) for p in here)
    Application.objects.filter(pk=a2.pk).update(status=AppStatus.REVIEWED)
    Application.objects.filter(pk=a3.pk).update(status=AppStatus.APPEALED)
    # Another county's application at every step: never counted here.
    Application.objects.filter(pk=far_app.pk).update(
        person=far, region_id=far.region_id, status=AppStatus.REVIEWED
    )
    _task(here[0], today - timedelta(days=4), "a")
    _task(here[1], today + timedelta(days=10), "b")
    _task(far, today - timedelta(days=30), "c")
    Roll.objects.create(
        county_id="220102000000", month=date(2026, 11, 1), generated_at=timezone.now()
    )
    Roll.objects.create(
        county_id="220102000000",
        month=date(2026, 10, 1),
        generated_at=timezone.now(),
        status=RollStatus.APPROVED,
    )
    Roll.objects.create(
        county_id="220204000000", month=date(2026, 11, 1), generated_at=timezone.now()
    )
    Candidate.objects.create(
        person=here[2],
        item_code="N06",
        region_id=here[2].region_id,
        first_found=today,
        last_seen=today,
    )
    Candidate.objects.create(
        person=far, item_code="N06", region_id=far.region_id, first_found=today, last_seen=today
    )

    county = selectors.todo_counts(user=county_officer, today=today)
    assert county["to_review"] == Todo(1) and county["to_approve"] == Todo(1)
    assert county["appeals"] == Todo(1)
    assert county["review_tasks"] == Todo(2, 1, 4)  # not 船营区's task 30 days late
    assert county["draft_rolls"] == Todo(1)
    assert county["candidates"] == Todo(1)
    outsider = make_user(Role.COUNTY_OFFICER, "220204", username="far_county")
    theirs = selectors.todo_counts(user=outsider, today=today)
    assert theirs["to_approve"] == Todo(1) and theirs["to_review"] == Todo(0)
    assert theirs["review_tasks"] == Todo(1, 1, 30) and theirs["draft_rolls"] == Todo(1)
    assert selectors.todo_counts(user=township, today=today)["to_review"] == Todo(1)
    assert selectors.todo_counts(user=worker, today=today)["candidates"] == Todo(1)
    assert a1.status == AppStatus.ACCEPTED
