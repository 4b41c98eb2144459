"""Assessment records: draft → submitted → final by a second assessor; effects on the ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.assessments import selectors, services
from yanglao.assessments.choices import Reason, Status
from yanglao.assessments.models import Assessment, AssessmentPolicy
from yanglao.assessments.services import AssessmentData, AssessmentInvalid
from yanglao.assessments.tests.conftest import FULL
from yanglao.assessments.tests.test_scoring import answers_with_total
from yanglao.core.models import AuditEvent
from yanglao.people.choices import Category
from yanglao.people.models import Person, PersonCategory
from yanglao.people.services import NotPermitted

pytestmark = pytest.mark.django_db


def data(total_cut: int = 0, **kw: Any) -> AssessmentData:
    items = answers_with_total(90 - total_cut)
    base: dict[str, Any] = {
        "items": items,
        "b39_state": "clear",
        "provider_name": "王建国",
        "provider_relation": "child",
        "contact_name": "王建国",
        "contact_phone": "13800138000",
    }
    base.update(kw)
    return AssessmentData(**base)


def complete(
    a_user: Any, b_user: Any, person: Person, on: date, total_cut: int = 0, **kw: Any
) -> Assessment:
    a = services.assessment_start(
        actor=a_user,
        person=person,
        reason=kw.pop("reason", Reason.FIRST),
        assessment_date=on,
        supersedes=kw.pop("supersedes", None),
    )
    a = services.assessment_save(actor=a_user, assessment=a, data=data(total_cut, **kw))
    a = services.assessment_submit(actor=a_user, assessment=a)
    return services.assessment_confirm(actor=b_user, assessment=a)


def disabled_tags(person: Person) -> list[tuple[str, date, date | None]]:
    return [
        (t.grade, t.start_date, t.end_date)
        for t in PersonCategory.objects.filter(person=person, category=Category.DISABLED).order_by(
            "start_date", "pk"
        )
    ]


def test_full_flow_sets_tag_and_audits(assessor_a: Any, assessor_b: Any, person: Person) -> None:
    on = timezone.localdate() - timedelta(days=3)
    a = services.assessment_start(
        actor=assessor_a, person=person, reason=Reason.FIRST, assessment_date=on
    )
    assert a.number.startswith(f"PG{on:%Y%m%d}") and a.status == Status.DRAFT
    a = services.assessment_save(actor=assessor_a, assessment=a, data=data(30))  # total 60
    assert a.total is None and a.subtotals["self_care"] == 2
    with pytest.raises(AssessmentInvalid):
        services.assessment_confirm(actor=assessor_b, assessment=a)  # not submitted
    a = services.assessment_submit(actor=assessor_a, assessment=a)
    assert (a.total, a.final_grade) == (60, 2)
    with pytest.raises(AssessmentInvalid, match="另一名评估员"):
        services.assessment_confirm(actor=assessor_a, assessment=a)
    a = services.assessment_confirm(actor=assessor_b, assessment=a)
    assert a.status == Status.FINAL and a.confirmer == assessor_b
    assert disabled_tags(person) == [("中度", on, None)]
    assert a.contact_phone_masked and "13800138000" not in str(a.contact_phone_masked)
    actions = list(
        AuditEvent.objects.filter(action__startswith="assessment")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "assessment.create",
        "assessment.update",
        "assessment.submit",
        "assessment.confirm",
    ]
    assert AuditEvent.objects.filter(action="person.category_add").count() == 1


def test_scores_are_recomputed_on_the_server(
    assessor_a: Any, assessor_b: Any, person: Person
) -> None:
    on = timezone.localdate()
    a = services.assessment_start(
        actor=assessor_a, person=person, reason=Reason.FIRST, assessment_date=on
    )
    a = services.assessment_save(actor=assessor_a, assessment=a, data=data(0))
    a = services.assessment_submit(actor=assessor_a, assessment=a)
    Assessment.objects.filter(pk=a.pk).update(final_grade=4, total=10)  # tampered
    a = services.assessment_confirm(actor=assessor_b, assessment=a)
    assert (a.total, a.final_grade) == (90, 0)
    assert disabled_tags(person) == []


def test_invalid_items_refused_and_incomplete_cannot_submit(
    assessor_a: Any, person: Person
) -> None:
    a = services.assessment_start(
        actor=assessor_a, person=person, reason=Reason.FIRST, assessment_date=timezone.localdate()
    )
    with pytest.raises(AssessmentInvalid) as exc:
        services.assessment_save(
            actor=assessor_a, assessment=a, data=data(items={**FULL, "B.2.4": 4})
        )
    assert exc.value.errors == {"B.2.4": ["B.2.4 上下楼梯：只能取 0、1、2、3 分"]}
    items = dict(FULL)
    del items["B.1.1"]
    a = services.assessment_save(actor=assessor_a, assessment=a, data=data(items=items))
    with pytest.raises(AssessmentInvalid) as exc:
        services.assessment_submit(actor=assessor_a, assessment=a)
    assert exc.value.errors == {"B.1.1": ["B.1.1 进食：未填写"]}


def test_later_assessments_move_the_tag(assessor_a: Any, assessor_b: Any, person: Person) -> None:
    today = timezone.localdate()
    d1, d2, d3 = today - timedelta(days=400), today - timedelta(days=30), today
    complete(assessor_a, assessor_b, person, d1, 30)  # 60 → 中度
    complete(assessor_a, assessor_b, person, d2, 50, reason=Reason.ROUTINE)  # 40 → 重度
    assert disabled_tags(person) == [("中度", d1, d2), ("重度", d2, None)]
    complete(assessor_b, assessor_a, person, d3, 0, reason=Reason.ROUTINE)  # 90 → none
    assert disabled_tags(person) == [("中度", d1, d2), ("重度", d2, d3)]


def test_coma_and_adjustments_reach_the_tag(
    assessor_a: Any, assessor_b: Any, person: Person
) -> None:
    a = complete(assessor_a, assessor_b, person, timezone.localdate(), 0, coma=True)
    assert a.final_grade == 4 and a.reasons == ["COMA"]
    assert disabled_tags(person)[-1][0] == "完全"


def test_final_is_never_edited_correction_supersedes(
    assessor_a: Any, assessor_b: Any, person: Person
) -> None:
    on = timezone.localdate()
    first = complete(assessor_a, assessor_b, person, on, 30)
    with pytest.raises(AssessmentInvalid):
        services.assessment_save(actor=assessor_a, assessment=first, data=data(0))
    with pytest.raises(AssessmentInvalid, match="复评"):
        services.assessment_start(
            actor=assessor_a,
            person=person,
            reason=Reason.ROUTINE,
            assessment_date=on,
            supersedes=first,
        )
    fixed = complete(assessor_a, assessor_b, person, on, 10, reason=Reason.REVIEW, supersedes=first)
    assert fixed.supersedes == first and fixed.final_grade == 1
    first.refresh_from_db()
    assert (first.total, first.final_grade, first.status) == (60, 2, Status.FINAL)
    assert disabled_tags(person) == [("中度", on, on), ("轻度", on, None)]


def test_one_open_assessment_and_owner_only(
    assessor_a: Any, assessor_b: Any, person: Person
) -> None:
    on = timezone.localdate()
    a = services.assessment_start(
        actor=assessor_a, person=person, reason="first", assessment_date=on
    )
    with pytest.raises(AssessmentInvalid, match="未完成"):
        services.assessment_start(
            actor=assessor_b, person=person, reason="first", assessment_date=on
        )
    with pytest.raises(NotPermitted):
        services.assessment_save(actor=assessor_b, assessment=a, data=data())
    a = services.assessment_save(actor=assessor_a, assessment=a, data=data())
    a = services.assessment_submit(actor=assessor_a, assessment=a)
    a = services.assessment_return(actor=assessor_b, assessment=a, note="B.1.1 请核对")
    assert a.status == Status.DRAFT


def test_scope_and_capability(
    make_user: Callable[..., Any], officer: Any, assessor_a: Any, person: Person
) -> None:
    on = timezone.localdate()
    other = make_user(Role.ASSESSOR, "220204", mode="search")
    with pytest.raises(Http404):
        services.assessment_start(actor=other, person=person, reason="first", assessment_date=on)
    with pytest.raises(NotPermitted):
        services.assessment_start(actor=officer, person=person, reason="first", assessment_date=on)
    a = services.assessment_start(
        actor=assessor_a, person=person, reason="first", assessment_date=on
    )
    with pytest.raises(Http404):
        selectors.assessment_get(user=other, public_id=a.public_id)
    assert selectors.assessment_get(user=officer, public_id=a.public_id) == a


def test_policy_most_specific_and_overdue(
    assessor_a: Any, assessor_b: Any, officer: Any, person: Person
) -> None:
    today = timezone.localdate()
    national = selectors.policy_for(person.region_id, today)
    assert national is not None and national.interval_months == 12
    complete(assessor_a, assessor_b, person, selectors.add_months(today, -13), 30)
    rows = selectors.overdue(user=officer, on=today)
    assert [(r.person, r.reason) for r in rows] == [(person, "常规复评到期")]
    AssessmentPolicy.objects.create(
        region_id="220102000000", interval_months=24, effective_from=date(2023, 1, 1)
    )
    assert selectors.policy_for(person.region_id, today).interval_months == 24  # type: ignore[union-attr]
    assert selectors.overdue(user=officer, on=today) == []
    assert selectors.grade_distribution(user=officer) == {2: 1}


def test_reassessment_request_hook(
    assessor_a: Any, assessor_b: Any, officer: Any, person: Person, make_user: Callable[..., Any]
) -> None:
    worker = make_user(Role.VISIT_WORKER, "220102001001")
    services.reassessment_request(actor=worker, person=person, reason="走访发现卧床不起")
    rows = selectors.overdue(user=officer, on=timezone.localdate())
    assert [r.reason for r in rows] == ["即时评估申请：走访发现卧床不起"]
    outsider = make_user(Role.VISIT_WORKER, "220204001001")
    with pytest.raises(Http404):
        services.reassessment_request(actor=outsider, person=person, reason="x")
    complete(assessor_a, assessor_b, person, timezone.localdate(), 0, reason=Reason.IMMEDIATE)
    assert selectors.overdue(user=officer, on=timezone.localdate()) == []


def test_add_months_clamps() -> None:
    assert selectors.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert selectors.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert selectors.add_months(date(2024, 5, 15), -13) == date(2023, 4, 15)


def test_ltc_assessment_records_grade_without_tag(
    assessor_a: Any, assessor_b: Any, person: Person
) -> None:
    from yanglao.assessments import ltc

    on = timezone.localdate()
    a = services.assessment_start(
        actor=assessor_a, person=person, reason="first", assessment_date=on, standard="LTC-2021"
    )
    items = {i.code: max(i.allowed) for i in ltc.ITEMS}
    items["ADL.7"] = 0
    items["ADL.8"] = 0  # ADL 70 → 轻度受损
    a = services.assessment_save(
        actor=assessor_a, assessment=a, data=data(items=items, b39_state="")
    )
    a = services.assessment_submit(actor=assessor_a, assessment=a)
    a = services.assessment_confirm(actor=assessor_b, assessment=a)
    assert a.final_grade == 1 and a.config_version == "2021-candidate-1"
    assert disabled_tags(person) == []


@pytest.mark.parametrize(
    ("diagnoses", "recorded"),
    [
        ([{"icd": "F01.1", "diagnosed_by": "physician", "confirmed": True}], True),  # 痴呆
        ([{"icd": "F03", "diagnosed_by": "unknown", "confirmed": True}], True),
        ([{"icd": "F00", "diagnosed_by": "physician", "confirmed": False}], False),  # unconfirmed
        ([{"icd": "F04", "diagnosed_by": "psychiatrist", "confirmed": True}], False),  # not 痴呆
        ([], False),
    ],
)
def test_confirmed_dementia_diagnosis_records_the_fact(
    assessor_a: Any, assessor_b: Any, person: Person, diagnoses: list[Any], recorded: bool
) -> None:
    from yanglao.people import groups
    from yanglao.people.models import Dementia

    on = timezone.localdate()
    a = complete(assessor_a, assessor_b, person, on, 0, diagnoses=diagnoses)
    rows = list(Dementia.objects.filter(person=person))
    assert len(rows) == int(recorded)
    if recorded:
        assert (rows[0].source, rows[0].diagnosed_on, rows[0].reference) == (
            "assessment",
            on,
            a.number,
        )
        # 失智 counts as 失能（含失智） for the key groups even at grade 能力完好 + 1.
        assert Person.objects.filter(groups.q(on, ["disabled"]), pk=person.pk).exists()
        # A second assessment with the same diagnosis adds nothing.
        complete(assessor_a, assessor_b, person, on, 0, diagnoses=diagnoses, reason=Reason.ROUTINE)
        assert Dementia.objects.filter(person=person).count() == 1
