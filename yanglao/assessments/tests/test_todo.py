"""Work waiting for an assessor (awaiting_confirmation, my_drafts, the to-confirm page) and
overdue_count: counts right, scoped, never the user's own submission, never another county."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.assessments import selectors, services
from yanglao.assessments.choices import Reason
from yanglao.assessments.demo import answers_with_total
from yanglao.assessments.models import AssessmentPolicy
from yanglao.core.todo import Todo
from yanglao.people import services as people_services
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db


def _submitted(assessor: Any, person: Any, on: date) -> Any:
    a = services.assessment_start(
        actor=assessor, person=person, reason=Reason.FIRST, assessment_date=on
    )
    a = services.assessment_save(
        actor=assessor,
        assessment=a,
        data=services.AssessmentData(
            items=answers_with_total(60),
            b39_state="clear",
            provider_name="本人",
            provider_relation="self",
        ),
    )
    return services.assessment_submit(actor=assessor, assessment=a)


@pytest.fixture
def far(make_user: Callable[..., Any], regions: None) -> tuple[Any, Any, Any]:
    officer = make_user(Role.COUNTY_OFFICER, "220204", username="far_officer")
    a = make_user(Role.ASSESSOR, "220204", mode="search", username="far_a")
    b = make_user(Role.ASSESSOR, "220204", mode="search", username="far_b")
    p, _ = people_services.person_register(
        actor=officer, data=person_input("220204001001", name="外县老人", seq=70)
    )
    _submitted(a, p, timezone.localdate())
    return a, b, p


def test_awaiting_confirmation_is_for_the_second_assessor(
    assessor_a: Any, assessor_b: Any, officer: Any, far: Any
) -> None:
    today = timezone.localdate()
    people = [
        people_services.person_register(
            actor=officer, data=person_input("220102001001", name=n, seq=i)
        )[0]
        for i, n in enumerate(("王桂芳", "刘淑兰", "陈玉梅"), start=40)
    ]
    _submitted(assessor_a, people[0], today - timedelta(days=2))
    _submitted(assessor_a, people[1], today)
    services.assessment_start(
        actor=assessor_b, person=people[2], reason=Reason.FIRST, assessment_date=today
    )
    waiting_b = selectors.awaiting_confirmation(user=assessor_b)
    assert [a.person.name for a in waiting_b] == ["王桂芳", "刘淑兰"]  # not 船营区's
    assert selectors.awaiting_confirmation(user=assessor_a).count() == 0  # never one's own
    assert selectors.todo_counts(user=assessor_b, on=today)["to_confirm"].total == 2
    assert selectors.todo_counts(user=assessor_b, on=today)["drafts"] == Todo(1)
    far_a, far_b, _ = far
    assert selectors.awaiting_confirmation(user=far_b).count() == 1
    assert selectors.awaiting_confirmation(user=far_a).count() == 0
    c = Client()
    c.force_login(assessor_b)
    page = c.get("/assessments/to-confirm/").content.decode()
    assert "王桂芳" in page and "刘淑兰" in page and "外县老人" not in page
    assert "陈玉梅" in page  # the own draft, under 我填写中的评估
    c.force_login(officer)
    assert c.get("/assessments/to-confirm/").status_code == 403


def test_overdue_count_matches_the_list(
    assessor_a: Any, assessor_b: Any, officer: Any, far: Any
) -> None:
    today = timezone.localdate()
    AssessmentPolicy.objects.create(
        region=None, interval_months=12, effective_from=date(2020, 1, 1)
    )
    AssessmentPolicy.objects.create(
        region_id="220102001000", interval_months=6, effective_from=date(2020, 1, 1)
    )
    ages = {"周凤英": 400, "吴秀云": 200, "郑丽华": 100, "冯桂香": 190}
    for i, (name, days) in enumerate(ages.items(), start=50):
        village = "220102002001" if name == "吴秀云" else "220102001001"
        p, _ = people_services.person_register(
            actor=officer, data=person_input(village, name=name, seq=i)
        )
        a = _submitted(assessor_a, p, today - timedelta(days=days))
        services.assessment_confirm(actor=assessor_b, assessment=a)
    # 南岭街道 reassesses every 6 months: 周凤英 (400 days) and 冯桂香 (190 days) are due;
    # 吴秀云 lives in another township (12 months, 200 days: not due); 郑丽华 is recent.
    rows = selectors.overdue(user=officer, on=today)
    assert selectors.overdue_count(user=officer, on=today) == len(rows) == 2
    assert {r.person.name for r in rows} == {"周凤英", "冯桂香"}
    assert selectors.todo_counts(user=officer, on=today)["overdue"] == Todo(2)
