"""Services and set-based queries of parts 3–4 and 特困 应养尽养: the monthly report, prepaid
filings and balances, stop notices, complaints, the risk list, policy overrides and the
unplaced 特困 list; scope (operators bound, officers by region) and nothing half-written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from django.http import Http404

from yanglao.core.models import AuditEvent
from yanglao.institutions import queries_reports as queries
from yanglao.institutions import reports, selectors_reports, services
from yanglao.institutions.models import (
    MonthlyReport,
    OperatingRule,
    PrepaidBalance,
    PrepaidFiling,
    ReportIncident,
)
from yanglao.institutions.prepaid_rules import Item
from yanglao.institutions.tests.conftest import TODAY, World
from yanglao.people import services as people
from yanglao.people.choices import Category

pytestmark = pytest.mark.django_db

MONTH = date(2026, 10, 1)
NANGUAN = ("220102000000", "220102999999")


def figures(**kw: int) -> dict[str, int]:
    return dict.fromkeys(queries.FIGURES, 0) | kw


def report_input(**kw) -> reports.ReportInput:
    base: dict[str, Any] = {
        "month": "2026-10",
        "figures": figures(staff_carer=5),
        "fees_collected": D(50_000),
    }
    return reports.ReportInput(**(base | kw))


def admitted(world: World, grade: str = "中度失能", kind: str = "nursing", room: str = "101"):
    bed = services.bed_add(
        actor=world.operator, institution=world.home, room=room, number="1", kind=kind
    )
    p = world.person(birth=date(1940, 1, 1))
    return services.resident_admit(
        actor=world.operator,
        institution=world.home,
        id_number=p.id_number,
        bed=bed,
        start=date(2026, 9, 1),
        care_grade=grade,
        today=TODAY,
    )


def test_prefill_counts_stays_open_at_month_end(world: World) -> None:
    admitted(world, "中度失能", "nursing", "101")
    admitted(world, "一级护理", "dementia", "102")
    pre = queries.prefill(world.home.pk, MONTH)
    assert pre["residents_moderate"] == 1 and pre["residents_unassessed"] == 1
    assert pre["beds_nursing_used"] == 1 and pre["beds_dementia_used"] == 1
    # Before the admissions nobody lived there.
    assert sum(queries.prefill(world.home.pk, date(2026, 8, 1)).values()) == 0


def test_operator_files_the_report_with_prefilled_figures(world: World) -> None:
    admitted(world)
    data = report_input(
        figures=figures(residents_moderate=1, beds_nursing_used=1, staff_carer=3, staff_nurse=1),
        incidents=[reports.Incident("fall", 2), reports.Incident("fall", 1, serious=True)],
    )
    r = reports.report_file(actor=world.operator, institution=world.home, data=data, today=TODAY)
    assert r.month == MONTH and r.due_on == date(2026, 11, 10) and r.late
    assert r.adjust_reason == "" and r.prefilled["residents_moderate"] == 1
    assert ReportIncident.objects.filter(report=r).count() == 2
    assert AuditEvent.objects.filter(action="institution.report_file").count() == 1
    # A second report of the month is refused.
    with pytest.raises(reports.InstitutionInvalid) as e:
        reports.report_file(actor=world.operator, institution=world.home, data=data, today=TODAY)
    assert "已报送" in e.value.errors["month"][0]


def test_changed_figures_need_a_reason(world: World) -> None:
    admitted(world)
    data = report_input(figures=figures(residents_moderate=2, beds_nursing_used=1))
    with pytest.raises(reports.InstitutionInvalid) as e:
        reports.report_file(actor=world.operator, institution=world.home, data=data, today=TODAY)
    assert "中度失能与系统预填数不一致" in e.value.errors["adjust_reason"][0]
    assert MonthlyReport.objects.count() == 0
    data.adjust_reason = "一位老人入住时未办理登记，已补登"
    r = reports.report_file(actor=world.operator, institution=world.home, data=data, today=TODAY)
    assert r.residents_moderate == 2 and r.adjust_reason


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"month": "2026-11"}, "month"),  # not over yet
        ({"month": "２０２６年１３月"}, "month"),
        ({"month": "2026\x00-10"}, "month"),
        ({"figures": figures(staff_carer=-1)}, "staff_carer"),
        ({"figures": figures(staff_carer=10**9)}, "staff_carer"),
        ({"figures": {"bogus": 1}}, "__all__"),
        ({"fees_collected": D("1e12")}, "fees_collected"),
        ({"incidents": [reports.Incident("meteor", 1)]}, "incidents"),
        ({"incidents": [reports.Incident("fall", 0)]}, "incidents"),
        ({"incidents": [reports.Incident("fall", 1), reports.Incident("fall", 2)]}, "incidents"),
    ],
)
def test_report_refuses_bad_input_in_chinese(world: World, kw, key) -> None:
    with pytest.raises(reports.InstitutionInvalid) as e:
        reports.report_file(
            actor=world.operator, institution=world.home, data=report_input(**kw), today=TODAY
        )
    assert key in e.value.errors
    assert all(any("\u4e00" <= c <= "\u9fff" for c in m) for m in e.value.errors[key])
    assert MonthlyReport.objects.count() == 0 and ReportIncident.objects.count() == 0


def test_other_operator_and_outsider_cannot_file(world: World) -> None:
    for actor in (world.other_operator, world.outsider):
        with pytest.raises(Http404):
            reports.report_file(
                actor=actor, institution=world.home, data=report_input(), today=TODAY
            )
    with pytest.raises(services.NotPermitted):
        reports.report_file(actor=world.worker, institution=world.home, data=report_input())
    assert MonthlyReport.objects.count() == 0


def test_reports_owed_reminders_late_list_and_totals(world: World) -> None:
    admitted(world)  # the home has residents since 2026-09-01
    owed = queries.reports_owed(NANGUAN, MONTH)
    assert [o.name for o in owed] == [world.home.name]  # the other home never admitted anyone
    assert owed[0].due == date(2026, 11, 10)
    world.home.refresh_from_db()
    assert selectors_reports.months_to_file(world.home, TODAY) == [
        (MONTH, date(2026, 11, 10)),
        (date(2026, 9, 1), date(2026, 10, 10)),
    ]
    with pytest.raises(Http404):
        selectors_reports.reports_owed(user=world.outsider, month=MONTH, region="220102")
    assert selectors_reports.reports_owed(user=world.operator, month=MONTH) == []
    reports.report_file(
        actor=world.operator,
        institution=world.home,
        data=report_input(
            figures=figures(residents_moderate=1, beds_nursing_used=1, staff_carer=4),
            incidents=[reports.Incident("choking", 1, serious=True)],
        ),
        today=date(2026, 11, 9),
    )
    assert queries.reports_owed(NANGUAN, MONTH) == []
    totals = queries.report_totals(NANGUAN, MONTH)
    assert totals["homes"] == 1 and totals["late"] == 0
    assert totals["residents_moderate"] == 1 and totals["staff_carer"] == 4
    assert totals["fees_collected"] == D(50_000)
    assert totals["incidents"] == {"choking": {"count": 1, "serious": 1}}
    assert queries.report_totals(("220204000000", "220204999999"), MONTH)["homes"] == 0


def test_county_due_day_override_is_used(world: World) -> None:
    reports.rule_add(
        actor=world.county,
        region_code="220102",
        key="report_due_day",
        value=D(5),
        effective_from=date(2026, 1, 1),
        document_no="南关民发〔2026〕1号",
    )
    admitted(world)
    assert queries.reports_owed(NANGUAN, MONTH)[0].due == date(2026, 11, 5)
    # Looser than the national default: refused, nothing written.
    with pytest.raises(reports.InstitutionInvalid) as e:
        reports.rule_add(
            actor=world.county,
            region_code="220102",
            key="service_months_max",
            value=D(18),
            effective_from=date(2026, 1, 1),
            document_no="x",
        )
    assert "取值应在" in e.value.errors["value"][0]
    with pytest.raises(reports.InstitutionInvalid) as e:
        reports.rule_add(
            actor=world.county,
            region_code="220102",
            key="report_due_day",
            value=D(4),
            effective_from=date(2026, 1, 1),
            document_no="x",
        )
    assert "已有取值" in e.value.errors["effective_from"][0]
    with pytest.raises(reports.InstitutionInvalid) as e:
        reports.rule_add(
            actor=world.outsider,
            region_code="220102",
            key="report_due_day",
            value=D(4),
            effective_from=date(2026, 2, 1),
            document_no="x",
        )
    assert "不在您的辖区内" in e.value.errors["region_code"][0]
    assert OperatingRule.objects.count() == 1


def prepaid(**kw) -> reports.PrepaidInput:
    base: dict[str, Any] = {
        "items": [
            Item("service_fee", D(30_000), months=12),
            Item("deposit", D(12_000), bed_fee=D(1000)),
        ],
        "total_held": D(500_000),
        "fixed_assets_net": D(2_000_000),
        "fixed_assets_pledged": D(0),
        "custody_bank": "中国建设银行长春南关支行",
        "custody_account": "22050100123400000001",
        "risk_reserve": D(100_000),
    }
    return reports.PrepaidInput(**(base | kw))


def test_prepaid_filing_records_what_breaks_the_rules(world: World) -> None:
    ok = reports.prepaid_file(
        actor=world.operator, institution=world.home, data=prepaid(), today=TODAY
    )
    assert ok.violations == [] and ok.items.count() == 2
    bad = reports.prepaid_file(
        actor=world.operator,
        institution=world.home,
        data=prepaid(items=[Item("service_fee", D(60_000), months=24)], total_held=D(3_000_000)),
        today=TODAY,
    )
    assert [v["code"] for v in bad.violations] == ["service_months", "assets"]
    assert "民发〔2024〕19号" in bad.violations[0]["document"]


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"items": []}, "items"),
        ({"items": [Item("bitcoin", D(1))]}, "items"),
        ({"items": [Item("service_fee", D(1))]}, "items"),  # months missing
        ({"items": [Item("deposit", D(1))]}, "items"),  # bed fee missing
        ({"items": [Item("service_fee", D(-1), months=1)]}, "items"),
        ({"fixed_assets_pledged": D(3_000_000)}, "fixed_assets_pledged"),
        ({"custody_account": "６２２２abc"}, "custody_account"),
        ({"total_held": D("1e11")}, "total_held"),
    ],
)
def test_prepaid_filing_refuses_impossible_input(world: World, kw, key) -> None:
    with pytest.raises(reports.InstitutionInvalid) as e:
        reports.prepaid_file(actor=world.operator, institution=world.home, data=prepaid(**kw))
    assert key in e.value.errors
    assert PrepaidFiling.objects.count() == 0


def balance(**kw) -> reports.BalanceInput:
    base: dict[str, Any] = {
        "month": "2026-10",
        "residents": 40,
        "service_fees_monthly": D(120_000),
        "bed_fees_monthly": D(40_000),
        "service_balance": D(300_000),
        "deposit_balance": D(200_000),
        "membership_balance": D(0),
        "custody_balance": D(250_000),
        "fixed_assets_net": D(5_000_000),
        "fixed_assets_pledged": D(0),
    }
    return reports.BalanceInput(**(base | kw))


def test_risk_list_ranks_a_falling_balance_with_complaints_first(world: World) -> None:
    for home, (sep, octo) in ((world.home, (250_000, 100_000)), (world.other_home, (250_000,) * 2)):
        actor = world.county
        for month, custody in (("2026-09", sep), ("2026-10", octo)):
            reports.balance_report(
                actor=actor,
                institution=home,
                data=balance(month=month, custody_balance=D(custody)),
                today=TODAY,
            )
    falling = PrepaidBalance.objects.get(institution=world.home, month=MONTH)
    assert [v["code"] for v in falling.violations] == ["custody"]  # 100,000 < 200,000 deposits
    reports.complaint_record(
        actor=world.county,
        institution=world.home,
        received_on=date(2026, 11, 20),
        summary="退住后押金迟迟不退",
        about_prepaid=True,
        today=TODAY,
    )
    rows = queries.risk_list(NANGUAN, MONTH, TODAY)
    assert [r.name for r in rows] == [world.home.name, world.other_home.name]
    top = rows[0].risk
    assert top.parts == {"fall": 40, "violations": 10, "complaints": 5} and top.score == 55
    assert rows[1].risk.score == 0
    # Stop notice given with too little notice: a violation and 30 points.
    n = reports.stop_notice_file(
        actor=world.operator,
        institution=world.home,
        stop_on=date(2026, 12, 20),
        reason="场地租赁到期",
        today=TODAY,
    )
    assert [v["code"] for v in n.violations] == ["stop_notice"]
    assert queries.risk_list(NANGUAN, MONTH, TODAY)[0].risk.score == 85
    # Scoped: the outsider's region filter is a 404, the operator sees no list.
    with pytest.raises(Http404):
        selectors_reports.risk_list(user=world.outsider, month=MONTH, today=TODAY, region="220102")
    assert selectors_reports.risk_list(user=world.operator, month=MONTH, today=TODAY) == []
    assert len(selectors_reports.risk_list(user=world.county, month=MONTH, today=TODAY)) == 2


def test_balance_twice_in_a_month_is_refused(world: World) -> None:
    reports.balance_report(
        actor=world.operator, institution=world.home, data=balance(), today=TODAY
    )
    with pytest.raises(reports.InstitutionInvalid):
        reports.balance_report(
            actor=world.operator, institution=world.home, data=balance(), today=TODAY
        )
    with pytest.raises(reports.InstitutionInvalid):
        reports.balance_report(
            actor=world.operator,
            institution=world.home,
            data=balance(month="2026-09", residents=-1),
        )
    assert PrepaidBalance.objects.count() == 1


def test_complaints_are_officers_only(world: World) -> None:
    with pytest.raises(services.NotPermitted):
        reports.complaint_record(
            actor=world.operator, institution=world.home, received_on=TODAY, summary="x"
        )
    with pytest.raises(Http404):
        reports.complaint_record(
            actor=world.outsider, institution=world.home, received_on=TODAY, summary="x"
        )
    c = reports.complaint_record(
        actor=world.county, institution=world.home, received_on=TODAY, summary="饭菜差", today=TODAY
    )
    with pytest.raises(reports.InstitutionInvalid):
        reports.complaint_close(actor=world.county, complaint=c, result=" \x00 ")
    reports.complaint_close(actor=world.county, complaint=c, result="已约谈整改")
    with pytest.raises(reports.InstitutionInvalid):
        reports.complaint_close(actor=world.county, complaint=c, result="再次")


def test_tekun_unplaced_list(world: World) -> None:
    tekun = world.person(name="特困甲")
    placed = world.person(name="特困乙", birth=date(1940, 1, 1))
    not_tekun = world.person(name="普通丙")
    for p in (tekun, placed):
        people.person_category_add(
            actor=world.county, person=p, category=Category.EXTREME_POVERTY, start=date(2025, 1, 1)
        )
    for p in (tekun, placed):
        reports.support_request(
            actor=world.county, id_number=p.id_number, requested_on=date(2026, 6, 1), today=TODAY
        )
    with pytest.raises(reports.InstitutionInvalid) as e:
        reports.support_request(
            actor=world.county, id_number=not_tekun.id_number, requested_on=TODAY, today=TODAY
        )
    assert "不是特困人员" in e.value.errors["id_number"][0]
    with pytest.raises(reports.InstitutionInvalid) as e:
        reports.support_request(
            actor=world.county, id_number=tekun.id_number, requested_on=TODAY, today=TODAY
        )
    assert "在办" in e.value.errors["id_number"][0]
    with pytest.raises(reports.InstitutionInvalid) as e:  # never says the person exists
        reports.support_request(
            actor=world.outsider, id_number=tekun.id_number, requested_on=TODAY, today=TODAY
        )
    assert "没有该身份证号码" in e.value.errors["id_number"][0]
    services.resident_admit(
        actor=world.operator,
        institution=world.home,
        id_number=placed.id_number,
        bed=None,
        start=date(2026, 7, 1),
        today=TODAY,
    )
    rows = selectors_reports.tekun_unplaced(user=world.county, on=TODAY)
    assert [p.name for p in rows] == ["特困甲"] and rows[0].requested_on == date(2026, 6, 1)  # type: ignore[attr-defined]
    assert list(selectors_reports.tekun_unplaced(user=world.outsider, on=TODAY)) == []
    with pytest.raises(Http404):
        selectors_reports.tekun_unplaced(user=world.outsider, on=TODAY, region="220102")
    req = selectors_reports.support_request_get(
        user=world.county,
        public_id=rows[0].support_public_id,  # type: ignore[attr-defined]
    )
    reports.support_withdraw(actor=world.county, request=req, today=TODAY)
    assert list(selectors_reports.tekun_unplaced(user=world.county, on=TODAY)) == []
