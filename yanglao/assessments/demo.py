"""Demo assessments (called by `yanglao demo`): with two assessors in 南关区, work that waits
for the second one, so confirmation can be shown. `assessor_nanguan2` has filled in two
assessments that wait for `assessor_nanguan` to confirm, and `assessor_nanguan` one that
waits for `assessor_nanguan2`. None is confirmed: confirming is what the demo lets one try
(and a confirmed one would set a 失能 tag on a demo person). Idempotent; marked 演示."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Protocol

from django.db import transaction

from yanglao.accounts.models import User
from yanglao.assessments import scoring, services
from yanglao.assessments.choices import Reason
from yanglao.assessments.models import Assessment
from yanglao.people.choices import LifeStatus
from yanglao.people.models import Person
from yanglao.regions import codes

LOCATION = "老人家中（演示）"
COUNTY = "220102"  # 长春市南关区


class Out(Protocol):
    def write(self, msg: str, /) -> Any: ...


def answers_with_total(total: int) -> dict[str, int]:
    """A complete, valid GB/T 42195 answer set whose total is `total` (items lowered in the
    standard's order)."""
    items = {i.code: i.max_points for i in scoring.ITEMS}
    missing = scoring.MAX_TOTAL - total
    for item in scoring.ITEMS:
        if missing == 0:
            break
        cut = min(missing, item.max_points)
        items[item.code] -= cut
        missing -= cut
    return items


def _data(total: int) -> services.AssessmentData:
    return services.AssessmentData(
        items=answers_with_total(total),
        b39_state="clear",
        provider_name="本人",
        provider_relation="self",
        location=LOCATION,
    )


def load(out: Out, *, today: date) -> None:
    if Assessment.objects.filter(location=LOCATION).exists():
        return
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["assessor_nanguan", "assessor_nanguan2"])
    }
    first, second = users.get("assessor_nanguan"), users.get("assessor_nanguan2")
    if first is None or second is None:
        return
    low, high = codes.subtree_range(codes.pad(COUNTY))
    people = list(
        Person.objects.filter(region_id__gte=low, region_id__lte=high, life_status=LifeStatus.ALIVE)
        .exclude(assessments__isnull=False)
        .order_by("-birth_date", "id")[:3]
    )
    if len(people) < 3:
        return
    # (who fills in, who confirms or None, person, total score, days ago)
    plan = [
        (second, None, people[0], 52, 2),
        (second, None, people[1], 71, 1),
        (first, None, people[2], 38, 0),
    ]
    with transaction.atomic():
        for assessor, confirmer, person, total, ago in plan:
            on = today - timedelta(days=ago)
            a = services.assessment_start(
                actor=assessor,
                person=person,
                reason=Reason.FIRST,
                assessment_date=on,
                location=LOCATION,
            )
            a = services.assessment_save(actor=assessor, assessment=a, data=_data(total))
            a = services.assessment_submit(actor=assessor, assessment=a)
            if confirmer is not None:
                services.assessment_confirm(actor=confirmer, assessment=a)
    out.write(
        "能力评估演示数据：assessor_nanguan 有 2 份待复核的评估，assessor_nanguan2 有 1 份"
        "（须由另一名评估员复核确认）。"
    )
