"""Demo visits: assignments, history, an open emergency; a second run adds nothing."""

from __future__ import annotations

from datetime import date

import pytest

from yanglao.accounts.roles import Role
from yanglao.regions.models import Region
from yanglao.visits import demo, selectors
from yanglao.visits.choices import FollowUpKind, TaskStatus
from yanglao.visits.models import FollowUp, VisitRecord, VisitSubject, VisitTask

from .conftest import V1, V2, World

pytestmark = pytest.mark.django_db


def test_demo_populates_once(world: World, make_user) -> None:
    worker = make_user(Role.VISIT_WORKER, V1, username="village_nanling")
    officer = make_user(Role.TOWNSHIP_OFFICER, "220102001", username="township_nanling")
    for i in range(12):
        world.person(V1 if i % 3 else V2, name="演示" + "甲乙丙丁戊己庚辛壬癸子丑"[i])
    villages = {
        "village:nanling": Region.objects.get(code=V1),
        "village:chuanying": Region.objects.get(code="220204001001"),
    }
    today = date(2026, 6, 20)
    report = demo.populate(villages=villages, today=today, seed=1)
    assert report is not None and report.subjects == 12 and report.visits > 40
    assert VisitSubject.objects.filter(worker=worker).count() == 8
    assert VisitSubject.objects.filter(worker=officer, region_id=V2).count() == 4
    assert FollowUp.objects.filter(kind=FollowUpKind.EMERGENCY, region_id=V1).count() == 1
    statuses = set(VisitTask.objects.values_list("status", flat=True))
    assert {TaskStatus.VISITED, TaskStatus.PENDING} <= statuses
    township = Region.objects.get(code="220102001000")
    _, total = selectors.coverage_table(user=world.county, region=township, month=date(2026, 5, 1))
    assert total.roster == 12 and 0 < total.visited <= 12
    assert demo.populate(villages=villages, today=today) is None
    assert VisitRecord.objects.count() == report.visits
