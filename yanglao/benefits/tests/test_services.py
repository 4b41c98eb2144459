"""Services: the list's inheritance, the three-level review, overlaps, the mechanical stop
on death and move-out, the nightly run and a month of rolls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from yanglao.accounts.roles import Role
from yanglao.benefits import query, services
from yanglao.benefits.choices import AppStatus, LineKind, RefusalReason, TaskKind, TaskStatus
from yanglao.benefits.models import (
    Application,
    Candidate,
    CandidateClosure,
    ClosureOutcome,
    Decision,
    Entitlement,
    ReviewTask,
    RollLine,
    ServiceItem,
)
from yanglao.benefits.services import BenefitInvalid, ItemInput, NotPermitted
from yanglao.benefits.tests.conftest import N06_BANDS, OTHER_VILLAGE
from yanglao.core import crypto
from yanglao.core.models import AuditEvent
from yanglao.people import services as people_services
from yanglao.people.models import Person

pytestmark = pytest.mark.django_db
D = Decimal
ACCOUNT = "6217000012345678"


def _item_input(item: ServiceItem, **kw: Any) -> ItemInput:
    base: dict[str, Any] = {
        "code": item.code,
        "name": item.name,
        "category": item.category,
        "target": item.target,
        "rule": item.rule,
        "standard": item.standard,
        "effective_from": date(2026, 1, 1),
        "document_no": "南民发〔2026〕2号",
        "payable": item.payable,
    }
    base.update(kw)
    return ItemInput(**base)


# --- the list -----------------------------------------------------------------------------


def test_county_list_inherits_province_and_national(catalog_loaded: None) -> None:
    items = {r.code: r for r in query.resolve_list("220102000000", date(2026, 1, 1))}
    assert len(items) == 17  # 16 national items (item 7 is two subsidies)
    assert items["N07-1"].standard[0]["value"] == "99.00"
    assert items["N07-2"].standard[0]["value"] == "93.00"
    assert "吉民发〔2025〕26号" in items["N07-1"].sources
    before = {r.code: r for r in query.resolve_list("220102000000", date(2025, 6, 30))}
    assert before["N07-1"].standard[0]["value"] == "85.00"


def test_county_may_raise_and_add_a_local_item(catalog_loaded: None, county_officer: Any) -> None:
    jilin = query.resolve_item("220102000000", "N07-1", date(2026, 1, 1))
    assert jilin is not None
    raised = [{**jilin.item.standard[0], "value": "120"}]
    services.item_publish(
        actor=county_officer,
        region_code="220102000000",
        data=_item_input(jilin.item, standard=raised),
    )
    services.item_publish(
        actor=county_officer,
        region_code="220102000000",
        data=ItemInput(
            code="L01",
            name="独居老人紧急呼叫设备",
            category="caring",
            target="独居老年人",
            rule={"all": [{"kind": "alive"}, {"kind": "category", "in": ["living_alone"]}]},
            standard=[{"band": "每人", "when": None, "value": "1"}],
            effective_from=date(2026, 1, 1),
            document_no="南民发〔2026〕3号",
        ),
    )
    items = {r.code: r for r in query.resolve_list("220102000000", date(2026, 2, 1))}
    assert items["N07-1"].standard[0]["value"] == "120.00"
    assert "L01" in items
    # 船营区 is not affected
    other = {r.code: r for r in query.resolve_list("220204000000", date(2026, 2, 1))}
    assert other["N07-1"].standard[0]["value"] == "99.00" and "L01" not in other
    assert AuditEvent.objects.filter(action="benefit_item.publish").count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"standard": [{"band": "每人", "when": None, "value": "98.99"}]}, "不能降低"),
        ({"standard": [{"band": "每档", "when": None, "value": "120"}]}, "不能删除"),
        ({"rule": {"kind": "age", "min": 70}}, "不能比省级清单窄"),
        ({"payable": False}, "不能取消"),
    ],
)
def test_county_cannot_go_below_province(
    catalog_loaded: None, county_officer: Any, change: dict[str, Any], message: str
) -> None:
    jilin = query.resolve_item("220102000000", "N07-1", date(2026, 1, 1))
    assert jilin is not None
    with pytest.raises(BenefitInvalid) as exc:
        services.item_publish(
            actor=county_officer,
            region_code="220102000000",
            data=_item_input(jilin.item, **change),
        )
    assert message in " ".join(exc.value.errors["standard"])
    assert not ServiceItem.objects.filter(region_id="220102000000").exists()


def test_new_version_closes_the_previous(nanguan_list: ServiceItem, county_officer: Any) -> None:
    bands = [{**b, "value": str(int(str(b["value"])) + 20)} for b in N06_BANDS]
    v2 = services.item_publish(
        actor=county_officer,
        region_code="220102000000",
        data=_item_input(nanguan_list, standard=bands, effective_from=date(2026, 7, 1)),
    )
    nanguan_list.refresh_from_db()
    assert v2.version == 2 and nanguan_list.effective_to == date(2026, 7, 1)
    with pytest.raises(BenefitInvalid) as exc:
        services.item_publish(
            actor=county_officer,
            region_code="220102000000",
            data=_item_input(nanguan_list, standard=bands, effective_from=date(2026, 6, 1)),
        )
    assert "晚于现行版本" in exc.value.errors["effective_from"][0]


def test_publishing_needs_the_level_itself(
    catalog_loaded: None, make_user: Callable[..., Any], worker: Any
) -> None:
    item = ServiceItem.objects.get(code="N06", region__isnull=True)
    other_county = make_user(Role.COUNTY_OFFICER, "220204")
    with pytest.raises(Http404):
        services.item_publish(
            actor=other_county, region_code="220102000000", data=_item_input(item)
        )
    with pytest.raises(NotPermitted):
        services.item_publish(actor=worker, region_code="220102000000", data=_item_input(item))
    with pytest.raises(NotPermitted):  # a county officer cannot edit the national list
        services.item_publish(actor=other_county, region_code=None, data=_item_input(item))


def test_bad_rule_and_standard_in_chinese(catalog_loaded: None, county_officer: Any) -> None:
    with pytest.raises(BenefitInvalid) as exc:
        services.item_publish(
            actor=county_officer,
            region_code="220102000000",
            data=ItemInput(
                code="L02",
                name="",
                category="x",
                target="t",
                rule={"kind": "income"},
                standard=[],
                effective_from=date(2026, 1, 1),
                document_no="",
            ),
        )
    assert set(exc.value.errors) == {"name", "category", "rule", "standard", "document_no"}


# --- applications -------------------------------------------------------------------------


def _apply(
    worker: Any, person: Person, code: str = "N06", on: date = date(2026, 10, 10)
) -> Application:
    return services.application_create(
        actor=worker, person=person, item_code=code, account=ACCOUNT, note="本人申请", today=on
    )


def test_three_levels_with_reasons(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    p = make_person(date(1940, 5, 1))
    app = _apply(worker, p)
    assert app.status == AppStatus.ACCEPTED and app.account_masked == "6217****5678"
    with pytest.raises(NotPermitted):  # the county cannot skip the township
        services.application_decide(
            actor=county_officer, application=app, approve=True, reason="同意"
        )
    with pytest.raises(BenefitInvalid) as exc:
        services.application_decide(actor=township, application=app, approve=True, reason=" ")
    assert exc.value.errors["reason"] == ["请填写审核意见"]
    services.application_decide(actor=township, application=app, approve=True, reason="情况属实")
    app = services.application_decide(
        actor=county_officer,
        application=app,
        approve=True,
        reason="同意",
        today=date(2026, 12, 1),
    )
    assert app.status == AppStatus.APPROVED
    ent = Entitlement.objects.get(person=p, item_code="N06")
    assert ent.start == date(2026, 10, 1)  # from the month of acceptance: back-paid
    assert [d.step for d in Decision.objects.filter(application=app)] == [
        "accept",
        "review",
        "approve",
    ]
    assert AuditEvent.objects.filter(action="benefit.decide").count() == 2
    with pytest.raises(BenefitInvalid) as exc:  # one active entitlement per benefit
        _apply(worker, p)
    assert "正在享受此项待遇" in exc.value.errors["item_code"][0]


def test_refusal_needs_a_reason_code_and_one_appeal(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    p = make_person(date(1940, 5, 1))
    app = _apply(worker, p)
    with pytest.raises(BenefitInvalid) as exc:
        services.application_decide(actor=township, application=app, approve=False, reason="不符")
    assert "reason_code" in exc.value.errors
    app = services.application_decide(
        actor=township,
        application=app,
        approve=False,
        reason="材料不全",
        reason_code=RefusalReason.DOCUMENTS,
    )
    assert app.status == AppStatus.REFUSED
    app = services.application_appeal(actor=worker, application=app, reason="已补齐户口本")
    assert app.status == AppStatus.APPEALED
    app = services.application_decide(
        actor=county_officer,
        application=app,
        approve=False,
        reason="仍不符合",
        reason_code=RefusalReason.NOT_ELIGIBLE,
    )
    with pytest.raises(BenefitInvalid) as exc:
        services.application_appeal(actor=worker, application=app, reason="再次申诉")
    assert exc.value.errors["__all__"] == ["每项申请只能申诉一次"]


NOT_80 = "经系统核对，不符合该项目条件：年龄76周岁（条件：80周岁及以上）"


def test_not_eligible_needs_the_officers_confirmation_and_is_never_approved(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    """Issue #10: an ineligible application may be filed (申请人有权申请), but only once the
    officer confirms the applicant was told; every later step carries the finding, and the
    county cannot approve it while the engine says no."""
    p = make_person(date(1950, 5, 1))  # 76 on 2026-10-10: N06 needs 80
    with pytest.raises(BenefitInvalid) as exc:
        _apply(worker, p)
    notice, how = exc.value.errors["acknowledge_ineligible"]
    assert notice.startswith("经系统核对，不符合该项目条件：")
    assert "年龄76周岁（条件：80周岁及以上）" in notice and "申请人坚持申请" in how
    assert not Application.objects.exists()

    app = services.application_create(
        actor=worker,
        person=p,
        item_code="N06",
        account=ACCOUNT,
        note="本人坚持申请",
        acknowledge_ineligible=True,
        today=date(2026, 10, 10),
    )
    assert app.status == AppStatus.ACCEPTED and app.warnings[0] == NOT_80
    assert app.eligibility["value"] is False
    accepted = AuditEvent.objects.get(action="benefit.apply")
    assert accepted.changes["ineligible_acknowledged"] is True

    services.application_decide(
        actor=township, application=app, approve=True, reason="转县复核", today=date(2026, 10, 12)
    )
    reviewed = AuditEvent.objects.get(action="benefit.decide")
    assert reviewed.changes["system_check"]["eligible"] is False
    with pytest.raises(BenefitInvalid) as exc:
        services.application_decide(
            actor=county_officer, application=app, approve=True, reason="同意"
        )
    refusal = exc.value.errors["__all__"][0]
    assert refusal.startswith(NOT_80) and "不能批准" in refusal
    app.refresh_from_db()
    assert app.status == AppStatus.REVIEWED and not Entitlement.objects.exists()
    app = services.application_decide(
        actor=county_officer,
        application=app,
        approve=False,
        reason="年龄不满80周岁",
        reason_code=RefusalReason.NOT_ELIGIBLE,
    )
    assert app.status == AppStatus.REFUSED


def test_eligible_application_needs_no_confirmation(
    nanguan_list: Any, make_person: Callable[..., Person], worker: Any
) -> None:
    app = _apply(worker, make_person(date(1940, 5, 1)))
    assert app.warnings == [] and app.eligibility["value"] is True
    assert (
        AuditEvent.objects.get(action="benefit.apply").changes["ineligible_acknowledged"] is False
    )


def test_application_without_an_item_or_with_a_bad_account(
    nanguan_list: Any, make_person: Callable[..., Person], worker: Any
) -> None:
    p = make_person(date(1940, 5, 1))
    with pytest.raises(BenefitInvalid) as exc:
        services.application_create(actor=worker, person=p, item_code="", account=ACCOUNT)
    assert exc.value.errors == {"item_code": ["请选择申请项目"]}
    for bad in ("6217\x00000012345678", "12345", "6217abcd12345678"):
        with pytest.raises(BenefitInvalid) as exc:
            services.application_create(actor=worker, person=p, item_code="N06", account=bad)
        assert "10–30位数字" in exc.value.errors["account"][0]
    app = services.application_create(
        actor=worker, person=p, item_code="N06", account="６２１７ ００００ １２３４ ５６７８"
    )
    assert app.account_masked == "6217****5678"
    assert crypto.decrypt(app.account_cipher) == "6217000012345678"


def test_missing_fact_is_a_warning_not_a_refusal(
    catalog_loaded: None, make_person: Callable[..., Person], worker: Any
) -> None:
    p = make_person(date(1950, 5, 1), minimum_living="")  # 低保, never assessed
    app = _apply(worker, p, code="N05")
    assert app.warnings == ["缺少信息：能力评估等级，由审核人员核实"]


def test_other_county_gets_404(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    make_user: Callable[..., Any],
) -> None:
    p = make_person(date(1940, 5, 1))
    app = _apply(worker, p)
    outsider_worker = make_user(Role.VISIT_WORKER, OTHER_VILLAGE)
    outsider_township = make_user(Role.TOWNSHIP_OFFICER, OTHER_VILLAGE[:9])
    with pytest.raises(Http404):
        _apply(outsider_worker, p)
    with pytest.raises(Http404):
        services.application_decide(
            actor=outsider_township, application=app, approve=True, reason="越权"
        )
    app.refresh_from_db()
    assert app.status == AppStatus.ACCEPTED


def _approve(app: Application, township: Any, county: Any, on: date) -> Entitlement:
    services.application_decide(
        actor=township, application=app, approve=True, reason="属实", today=on
    )
    services.application_decide(
        actor=county, application=app, approve=True, reason="同意", today=on
    )
    return Entitlement.objects.get(application=app)


def test_overlap_exclusive_and_choose_higher(
    catalog_loaded: None,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    # 护理补贴 (N05) at 200 for 重度 in 南关区; 重度残疾人护理补贴 (N07-2) is 93: 择高.
    n05 = ServiceItem.objects.get(code="N05", region__isnull=True)
    bands = [
        {**b, "value": v} for b, v in zip(n05.standard, ["50", "100", "200", "300"], strict=True)
    ]
    services.item_publish(
        actor=county_officer,
        region_code="220102000000",
        data=_item_input(n05, standard=bands, effective_from=date(2024, 1, 1)),
    )
    p = make_person(date(1950, 5, 1), severe_disability="一级", minimum_living="", disabled="重度")
    on = date(2026, 10, 10)
    care = _approve(_apply(worker, p, "N07-2", on), township, county_officer, on)
    nursing = _apply(worker, p, "N05", on)
    assert "择高" in nursing.warnings[0] and "本项较高" in nursing.warnings[0]
    _approve(nursing, township, county_officer, on)
    care.refresh_from_db()
    assert care.end == date(2026, 11, 1) and care.stop_reason == "replaced"
    # now holding N05 (200), an application for N07-2 (93) is warned and refused at approval
    again = _apply(worker, p, "N07-2", on)
    assert "原待遇较高" in again.warnings[0]
    services.application_decide(actor=township, application=again, approve=True, reason="属实")
    with pytest.raises(BenefitInvalid) as exc:
        services.application_decide(
            actor=county_officer, application=again, approve=True, reason="同意"
        )
    assert "择高" in exc.value.errors["__all__"][0]


def test_exclusive_rule_refused_at_application(
    catalog_loaded: None,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    from yanglao.benefits.models import OverlapRule

    OverlapRule.objects.create(
        code_a="N08",
        code_b="N13",
        kind="exclusive",
        document_no="测试〔2026〕1号",
        effective_from=date(2020, 1, 1),
    )
    p = make_person(date(1950, 5, 1), bereaved_family="", living_alone="")
    on = date(2026, 10, 10)
    _approve(_apply(worker, p, "N13", on), township, county_officer, on)
    with pytest.raises(BenefitInvalid) as exc:
        _apply(worker, p, "N08", on)
    assert "不能同时享受（依据：国家 测试〔2026〕1号）" in exc.value.errors["item_code"][0]


# --- death / move-out / reviews ---------------------------------------------------------------


def test_death_stops_from_next_month_in_the_same_transaction(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    p = make_person(date(1940, 5, 1))
    ent = _approve(_apply(worker, p), township, county_officer, date(2026, 10, 10))
    pending = _apply(worker, make_person(date(1940, 6, 1)))
    people_services.person_record_death(
        actor=county_officer,
        person=p,
        on=date(2026, 11, 12),
        reason="病故",
        expected_version=1,
        today=date(2026, 11, 12),
    )
    ent.refresh_from_db()
    assert ent.end == date(2026, 12, 1) and ent.stop_reason == "death"
    task = ReviewTask.objects.get(person=p)
    assert task.kind == TaskKind.DEATH and task.status == TaskStatus.OPEN
    assert AuditEvent.objects.filter(action="benefit.auto_stop").count() == 1
    pending.refresh_from_db()
    assert pending.status == AppStatus.ACCEPTED  # another person's application is untouched


def test_nightly_discovery_per_village_and_idempotent(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
    make_user: Callable[..., Any],
) -> None:
    old = make_person(date(1940, 5, 1), name="甲")
    young = make_person(date(1950, 5, 1), name="乙")
    other = make_person(date(1930, 5, 1), village=OTHER_VILLAGE, name="丙")
    on = date(2026, 11, 20)
    services.nightly(on=on)
    found = set(Candidate.objects.filter(item_code="N06").values_list("person_id", flat=True))
    assert old.pk in found and young.pk not in found and other.pk in found
    services.nightly(on=on)
    assert Candidate.objects.filter(item_code="N06", person=old).count() == 1
    # once applied for, the person leaves the list on the next run
    _apply(worker, old, on=on)
    services.nightly(on=date(2026, 11, 21))
    assert not Candidate.objects.filter(item_code="N06", person=old).exists()
    assert Candidate.objects.get(item_code="N06", person=other).first_found == on
    # ... and the run keeps why the name left the list: a gap closed (statistics)
    closed = CandidateClosure.objects.get(item_code="N06", person=old)
    assert (closed.outcome, closed.closed_on, closed.first_found) == (
        ClosureOutcome.APPLIED,
        date(2026, 11, 21),
        on,
    )
    assert closed.region_id == old.region_id
    # a name that no longer qualifies (died) lapses: kept, but not as a gap closed
    people_services.person_record_death(
        actor=make_user(Role.COUNTY_OFFICER, "220204"),
        person=other,
        on=date(2026, 11, 21),
        reason="病故",
        expected_version=Person.objects.get(pk=other.pk).version,
    )
    services.nightly(on=date(2026, 11, 22))
    lapsed = CandidateClosure.objects.get(item_code="N06", person=other)
    assert lapsed.outcome == ClosureOutcome.INELIGIBLE
    services.nightly(on=date(2026, 11, 22))  # idempotent: nothing closes twice
    assert CandidateClosure.objects.filter(item_code="N06").count() == 2
    # items with a manual condition never enter discovery
    assert not Candidate.objects.filter(item_code__in=["N01", "N09", "N10", "N14", "N16"]).exists()


def test_nightly_review_tasks_turned_90_and_status_lost(
    catalog_loaded: None,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    n04 = ServiceItem.objects.get(code="N04", region__isnull=True)
    services.item_publish(
        actor=county_officer,
        region_code="220102000000",
        data=_item_input(
            n04,
            standard=[{"band": "每人", "when": None, "value": "80"}],
            effective_from=date(2024, 1, 1),
        ),
    )
    p = make_person(date(1936, 11, 20), minimum_living="")
    _approve(
        _apply(worker, p, "N04", date(2026, 10, 1)), township, county_officer, date(2026, 10, 1)
    )
    tag = p.categories.get(category="minimum_living")
    people_services.person_category_end(actor=county_officer, tag=tag, end=date(2026, 11, 10))
    made = services.review_run(on=date(2026, 11, 20), since=date(2026, 11, 19))
    assert made["turned_90"] == 1 and made["status_lost"] == 1
    again = services.review_run(on=date(2026, 11, 20), since=date(2026, 11, 19))
    assert again == {"turned_90": 0, "turned_100": 0, "status_lost": 0, "new_grade": 0}


def test_nightly_review_new_assessment_grade(
    catalog_loaded: None,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    p = make_person(date(1950, 5, 1), bereaved_family="")
    ent = _approve(
        _apply(worker, p, "N08", date(2026, 10, 1)), township, county_officer, date(2026, 10, 1)
    )
    assert services.review_run(on=date(2026, 11, 20), since=date(2026, 11, 19))["new_grade"] == 0
    people_services.person_category_add(
        actor=None,
        person=p,
        category="disabled",
        start=date(2026, 11, 5),
        grade="中度",
        system=True,
    )
    made = services.review_run(on=date(2026, 11, 20), since=date(2026, 11, 19))
    assert made["new_grade"] == 1
    assert ReviewTask.objects.get(kind=TaskKind.NEW_GRADE).entitlement_id == ent.pk


# --- a month of rolls ------------------------------------------------------------------------


def _death_and_late_move_out(officer: Any, dies: Person, moves: Person) -> None:
    """A death on 11-12; a move-out on 10-20 recorded only on 11-25 (November was paid)."""
    people_services.person_record_death(
        actor=officer,
        person=dies,
        on=date(2026, 11, 12),
        reason="病故",
        expected_version=1,
        today=date(2026, 11, 12),
    )
    people_services.person_record_move_out(
        actor=officer,
        person=moves,
        on=date(2026, 10, 20),
        reason="迁往长春市朝阳区",
        expected_version=1,
        today=date(2026, 11, 25),
    )


def test_roll_month_with_death_move_out_upgrade_and_back_pay(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    nov, dec = date(2026, 11, 1), date(2026, 12, 1)
    turning_90 = make_person(date(1936, 11, 20), name="满九十")
    dies = make_person(date(1940, 3, 3), name="病故者")
    moves = make_person(date(1941, 4, 4), name="迁出者")
    late = make_person(date(1942, 6, 6), name="迟批者")
    for p in (turning_90, dies, moves):
        _approve(_apply(worker, p, on=date(2026, 11, 1)), township, county_officer, nov)
    late_app = _apply(worker, late, on=date(2026, 10, 8))

    nov_roll = services.roll_generate(actor=county_officer, county_code="220102", month=nov)
    assert nov_roll.totals["amount"] == "300.00" and nov_roll.totals["persons"] == 3
    services.roll_approve(actor=county_officer, roll=nov_roll)
    with pytest.raises(BenefitInvalid) as exc:
        services.roll_generate(actor=county_officer, county_code="220102", month=nov)
    assert "已审定" in exc.value.errors["month"][0]

    # November: a death on the 12th; a move-out on 10-20 recorded only on 11-25 (paid Nov).
    _death_and_late_move_out(county_officer, dies, moves)
    _approve(late_app, township, county_officer, date(2026, 11, 28))

    dec_roll = services.roll_generate(actor=county_officer, county_code="220102", month=dec)
    lines = {
        (ln.person.name, ln.kind, f"{ln.period:%Y-%m}"): ln.amount
        for ln in RollLine.objects.filter(roll=dec_roll).select_related("person")
    }
    assert lines == {
        ("满九十", LineKind.CHANGED, "2026-12"): D("200.00"),  # 90 on 11-20: 90–99 band
        ("病故者", LineKind.STOPPED, "2026-12"): D("0.00"),  # paid Nov, stopped from Dec
        ("迁出者", LineKind.RECOVERY, "2026-11"): D("-100.00"),  # Nov paid after move-out
        ("迁出者", LineKind.STOPPED, "2026-12"): D("0.00"),
        ("迟批者", LineKind.BACK_PAY, "2026-10"): D("100.00"),  # accepted in Oct
        ("迟批者", LineKind.BACK_PAY, "2026-11"): D("100.00"),
        ("迟批者", LineKind.NEW, "2026-12"): D("100.00"),
    }
    totals = dec_roll.totals
    assert totals["amount"] == "400.00"
    assert totals["items"]["N06"]["kinds"]["back_pay"] == {"n": 2, "amount": "200.00"}
    # a draft may be re-generated; the result is the same
    again = services.roll_generate(actor=county_officer, county_code="220102", month=dec)
    assert again.pk == dec_roll.pk and again.totals == totals


def test_roll_is_scoped(nanguan_list: Any, make_user: Callable[..., Any]) -> None:
    outsider = make_user(Role.COUNTY_OFFICER, "220204")
    with pytest.raises(Http404):
        services.roll_generate(actor=outsider, county_code="220102", month=date(2026, 12, 1))


@pytest.mark.parametrize(
    ("kind", "ok"),
    [("allowed", True), ("choose_higher", True), ("exclusive", False)],
)
def test_county_overlap_rule_only_more_generous(
    catalog_loaded: None, county_officer: Any, kind: str, ok: bool
) -> None:
    # national: N07-2 × N05 choose the higher
    if not ok:
        with pytest.raises(BenefitInvalid) as exc:
            services.overlap_publish(
                actor=county_officer,
                region_code="220102000000",
                code_a="N05",
                code_b="N07-2",
                kind=kind,
                document_no="南民发〔2026〕4号",
                effective_from=date(2026, 1, 1),
            )
        assert "不能更严格" in exc.value.errors["kind"][0]
        return
    services.overlap_publish(
        actor=county_officer,
        region_code="220102000000",
        code_a="N05",
        code_b="N07-2",
        kind=kind,
        document_no="南民发〔2026〕4号",
        effective_from=date(2026, 1, 1),
    )
    views = query.overlap_rules("220102000000", date(2026, 2, 1))
    best = max(
        (r for r in views if {r.code_a, r.code_b} == {"N05", "N07-2"}), key=lambda r: r.specificity
    )
    assert best.kind == kind and "南民发〔2026〕4号" in best.source


def test_overlap_rule_needs_known_items_and_a_document(
    catalog_loaded: None, county_officer: Any
) -> None:
    with pytest.raises(BenefitInvalid) as exc:
        services.overlap_publish(
            actor=county_officer,
            region_code="220102000000",
            code_a="N05",
            code_b="X9",
            kind="allowed",
            document_no="",
            effective_from=date(2026, 1, 1),
        )
    assert set(exc.value.errors) == {"code_b", "document_no"}


def test_documents_must_be_what_they_claim(
    nanguan_list: Any, make_person: Callable[..., Person], worker: Any
) -> None:
    p = make_person(date(1940, 5, 1))
    fake = services.Upload("证明.pdf", "application/pdf", b"<html>not a pdf</html>")
    with pytest.raises(BenefitInvalid) as exc:
        services.application_create(
            actor=worker, person=p, item_code="N06", account=ACCOUNT, documents=[fake]
        )
    assert exc.value.errors["documents"] == ["“证明.pdf”不是 PDF、JPG 或 PNG 文件"]
    assert not Application.objects.exists()
    ok = services.Upload("户口簿.png", "image/png", b"\x89PNG\r\n\x1a\n....")
    app = services.application_create(
        actor=worker, person=p, item_code="N06", account=ACCOUNT, documents=[ok]
    )
    assert app.documents.get().size == 12


# --- payment accounts and roll approval (issue #10 part 3) -----------------------------


NTH = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def _receiving(make_person: Callable[..., Person], n: int, start: date) -> list[Entitlement]:
    """People already receiving 高龄津贴 without an account, as a legacy import leaves them."""
    ents = []
    for i in range(n):
        p = make_person(date(1940, 1, 1 + i % 28), name=f"无账号{NTH[i]}")
        ents.append(
            Entitlement.objects.create(
                person=p, item_code="N06", county_id="220102000000", start=start
            )
        )
    return ents


def test_entitlement_account_set_validates_and_audits_masked(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    county_officer: Any,
    make_user: Callable[..., Any],
) -> None:
    (ent,) = _receiving(make_person, 1, date(2026, 11, 1))
    for account, note, field in (
        ("12345", "本人社保卡", "account"),
        ("6217\x00000012345678", "本人社保卡", "account"),
        ("6217000012345678", " ", "note"),
        ("6217000012345678", "社保卡\x00", "note"),
    ):
        with pytest.raises(BenefitInvalid) as exc:
            services.entitlement_account_set(
                actor=county_officer, entitlement=ent, account=account, note=note
            )
        assert field in exc.value.errors
    with pytest.raises(NotPermitted):  # a village worker does not change where money goes
        services.entitlement_account_set(
            actor=worker, entitlement=ent, account=ACCOUNT, note="本人社保卡"
        )
    with pytest.raises(Http404):
        services.entitlement_account_set(
            actor=make_user(Role.COUNTY_OFFICER, "220204"),
            entitlement=ent,
            account=ACCOUNT,
            note="本人社保卡",
        )
    ent.refresh_from_db()
    assert (
        ent.account_cipher == ""
        and not AuditEvent.objects.filter(action="benefit.account_set").exists()
    )

    ent = services.entitlement_account_set(
        actor=county_officer, entitlement=ent, account="６２１７-0000-1234-5678", note="本人社保卡"
    )
    assert crypto.decrypt(ent.account_cipher) == ACCOUNT and ent.account_masked == "6217****5678"
    with pytest.raises(BenefitInvalid) as exc:
        services.entitlement_account_set(
            actor=county_officer, entitlement=ent, account=ACCOUNT, note="再次录入"
        )
    assert exc.value.errors["account"] == ["与现有发放账号相同，无需更正"]
    services.entitlement_account_set(
        actor=county_officer, entitlement=ent, account="6228480012345678901", note="换卡"
    )
    events = list(AuditEvent.objects.filter(action="benefit.account_set").order_by("pk"))
    assert [e.changes["account"] for e in events] == [
        {"old": "", "new": "6217****5678"},
        {"old": "6217****5678", "new": "6228****8901"},
    ]
    assert all("6217000012345678" not in str(e.changes) for e in events)


def test_roll_approval_refused_while_payable_lines_lack_an_account(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    dec = date(2026, 12, 1)
    ents = _receiving(make_person, 22, dec)
    paid = _approve(
        _apply(worker, make_person(date(1941, 2, 2), name="有账号")), township, county_officer, dec
    )
    roll = services.roll_generate(actor=county_officer, county_code="220102", month=dec)
    assert roll.totals["persons"] == 23
    with pytest.raises(BenefitInvalid) as exc:
        services.roll_approve(actor=county_officer, roll=roll)
    (msg,) = exc.value.errors["__all__"]
    first = ents[0].person
    assert msg.startswith("有22人的应发款项没有发放账号")
    assert f"无账号甲（{first.id_number_masked}，N06 高龄津贴）" in msg
    assert "无账号酉（" in msg and "无账号戌（" not in msg and "等22人" in msg
    assert first.id_number not in msg and "有账号" not in msg.split("：", 1)[1]
    roll.refresh_from_db()
    assert roll.status == "draft" and not AuditEvent.objects.filter(action="roll.approve").exists()

    for e in ents:  # no re-generation needed: the account is read at approval and export
        services.entitlement_account_set(
            actor=county_officer, entitlement=e, account=f"62170000{e.pk:08d}", note="本人社保卡"
        )
    roll = services.roll_approve(actor=county_officer, roll=roll)
    assert roll.status == "approved" and paid.account_cipher


def test_roll_approval_ignores_stops_and_recoveries_without_an_account(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    """Only lines with an amount > 0 are paid by the bank: a stop (0) or a recovery (< 0)
    of someone without an account does not hold up the roll."""
    nov, dec = date(2026, 11, 1), date(2026, 12, 1)
    dies = make_person(date(1940, 3, 3), name="病故者")
    moves = make_person(date(1941, 4, 4), name="迁出者")
    for p in (dies, moves):
        _approve(_apply(worker, p, on=nov), township, county_officer, nov)
    services.roll_approve(
        actor=county_officer,
        roll=services.roll_generate(actor=county_officer, county_code="220102", month=nov),
    )
    _death_and_late_move_out(county_officer, dies, moves)
    Entitlement.objects.update(account_cipher="", account_masked="")  # legacy rows
    roll = services.roll_generate(actor=county_officer, county_code="220102", month=dec)
    kinds = set(RollLine.objects.filter(roll=roll).values_list("kind", flat=True))
    assert kinds == {LineKind.STOPPED, LineKind.RECOVERY}
    assert services.roll_approve(actor=county_officer, roll=roll).status == "approved"


def test_home_service_discovery_finds_home_dwellers_only(
    catalog_loaded: None, make_person: Callable[..., Person]
) -> None:
    """N12 居家上门服务: a 失能 person in an institution is not a candidate (issue 10 part 6)."""
    home = make_person(date(1940, 5, 1), name="居家", disabled="重度")
    away = make_person(date(1940, 5, 1), name="机构", disabled="重度")
    Person.objects.filter(pk=away.pk).update(dwelling="institution")
    services.nightly(on=date(2026, 11, 20))
    found = set(Candidate.objects.filter(item_code="N12").values_list("person_id", flat=True))
    assert home.pk in found and away.pk not in found


def test_hukou_condition_reads_the_household_region(
    catalog_loaded: None, make_person: Callable[..., Person]
) -> None:
    """An item whose rule names 户籍 reads household_region, residence stays the default."""
    from yanglao.benefits import query, rules

    here = make_person(date(1940, 5, 1), name="本地户籍")
    moved = make_person(date(1940, 5, 1), name="外地户籍")
    Person.objects.filter(pk=moved.pk).update(household_region_id="220204001001")
    on = date(2026, 11, 20)
    for rule, expected in (
        ({"kind": "hukou", "region": "220102"}, {here.pk}),
        ({"kind": "hukou", "region": "220204"}, {moved.pk}),
        ({"kind": "residence", "region": "220102"}, {here.pk, moved.pk}),
    ):
        got = set(
            Person.objects.filter(pk__in=[here.pk, moved.pk])
            .filter(query.eligible_q(rule, on))
            .values_list("pk", flat=True)
        )
        assert got == expected, rule
        facts = query.facts_for([here.pk, moved.pk])
        assert {pk for pk, f in facts.items() if rules.evaluate(rule, f, on).value} == expected
