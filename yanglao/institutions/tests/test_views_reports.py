"""Pages of parts 3–4 and 特困 应养尽养: the operator files through forms (Chinese messages,
nothing half-written), officers read the lists, nobody else gets in."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from yanglao.institutions import queries_reports as queries
from yanglao.institutions.models import (
    Complaint,
    MonthlyReport,
    PrepaidBalance,
    PrepaidFiling,
    StopNotice,
    SupportRequest,
)
from yanglao.institutions.tests.conftest import World
from yanglao.people import services as people
from yanglao.people.choices import Category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 11, 30), tick=False):
        yield


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def url(name: str, world: World, **kw) -> str:
    return reverse(f"institutions:{name}", kwargs={"institution_id": world.home.public_id, **kw})


def report_post(**kw) -> dict[str, str]:
    data = dict.fromkeys(queries.FIGURES, "0") | {"month": "2026-10", "fees_collected": "1000"}
    return data | kw


def test_operator_files_a_report_through_the_form(world: World) -> None:
    c = login(world.operator)
    page = c.get(url("report_new", world) + "?month=2026-10")
    assert page.status_code == 200 and "系统预填：0" in page.content.decode()
    r = c.post(
        url("report_new", world), report_post(staff_carer="3", inc_fall="2", inc_fall_serious="1")
    )
    assert r.status_code == 302
    report = MonthlyReport.objects.get()
    assert report.staff_carer == 3 and report.incidents.count() == 2
    hub = c.get(url("reports", world)).content.decode()
    assert "2026-10" in hub and "逾期" in hub  # filed 2026-11-30, due 2026-11-10
    detail = c.get(url("report_detail", world, report_id=report.public_id))
    assert detail.status_code == 200 and "跌倒" in detail.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (report_post(month="2026-11"), "只能报送已结束的月份"),
        (report_post(month="２０２６年１３月"), "月份格式应为"),
        (report_post(staff_carer="-1"), "不能小于 0"),
        (report_post(staff_carer="１２abc"), "请输入数字"),
        (report_post(staff_carer="9" * 30), "不能大于"),
        (report_post(residents_mild="1"), "与系统预填数不一致，请说明原因"),
        # NUL is stripped by core's CleanInputMiddleware; what is left is judged as typed.
        (report_post(month="2026\x00"), "月份格式应为"),
    ],
)
def test_report_form_errors_are_chinese_and_nothing_is_written(
    world: World, data: dict[str, str], message: str
) -> None:
    r = login(world.operator).post(url("report_new", world), data)
    assert r.status_code == 200
    body = r.content.decode()
    assert message in body and "尚未保存任何内容" in body
    assert MonthlyReport.objects.count() == 0


def test_prepaid_filing_and_balance_pages(world: World) -> None:
    c = login(world.operator)
    r = c.post(
        url("prepaid_new", world),
        {
            "service_amount": "30000",
            "service_months": "18",
            "membership_amount": "5000",
            "total_held": "100000",
            "fixed_assets_net": "1000000",
            "fixed_assets_pledged": "0",
            "custody_bank": "建设银行",
            "custody_account": "2205010012340001",
            "risk_reserve": "50000",
        },
        follow=True,
    )
    body = r.content.decode()
    assert "不符合规定" in body and "超过12个月" in body
    assert PrepaidFiling.objects.get().items.count() == 2
    r = c.post(
        url("prepaid_new", world),
        {"total_held": "1", "fixed_assets_net": "1", "fixed_assets_pledged": "5"},
    )
    assert "请至少填写一个预收费用项目" in r.content.decode()
    assert "已抵押资产不能超过净固定资产" in r.content.decode()
    assert PrepaidFiling.objects.count() == 1
    balance = {
        "month": "2026-10",
        "residents": "10",
        "service_fees_monthly": "30000",
        "bed_fees_monthly": "10000",
        "service_balance": "90000",
        "deposit_balance": "50000",
        "membership_balance": "0",
        "custody_balance": "50000",
        "fixed_assets_net": "1000000",
        "fixed_assets_pledged": "0",
        "arrears": "0",
    }
    r = c.post(url("balance_new", world), balance, follow=True)
    assert "已报告 2026-10 预收费用余额" in r.content.decode()
    r = c.post(url("balance_new", world), balance)
    assert "2026-10的余额已报告" in r.content.decode()
    assert PrepaidBalance.objects.count() == 1
    r = c.post(url("stop_notice", world), {"stop_on": "2026-12-15", "reason": "装修"}, follow=True)
    assert "少于30天" in r.content.decode() and StopNotice.objects.count() == 1


def test_other_operator_and_outsider_get_404(world: World) -> None:
    for user in (world.other_operator, world.outsider):
        c = login(user)
        for name in ("reports", "report_new", "prepaid_new", "balance_new"):
            assert c.get(url(name, world)).status_code == 404, name
        assert c.post(url("report_new", world), report_post()).status_code == 404
    assert MonthlyReport.objects.count() == 0


def test_county_lists_and_operator_kept_out(world: World) -> None:
    county, operator = login(world.county), login(world.operator)
    for name in ("reports_late", "risk", "tekun", "rules"):
        path = reverse(f"institutions:{name}")
        assert county.get(path).status_code == 200, name
        assert operator.get(path).status_code == 403, name
    assert county.get(reverse("institutions:risk") + "?month=abc").status_code == 200
    assert county.get(reverse("institutions:risk") + "?region=220204").status_code == 404
    assert county.get(reverse("institutions:reports_late") + "?region=２２").status_code == 200


def test_complaint_and_tekun_request_pages(world: World) -> None:
    c = login(world.county)
    r = c.post(
        url("complaint_new", world),
        {"received_on": "2026-11-20", "summary": "押金不退", "about_prepaid": "on"},
        follow=True,
    )
    assert "已登记投诉" in r.content.decode()
    complaint = Complaint.objects.get()
    r = c.post(
        reverse("institutions:complaint_close", kwargs={"complaint_id": complaint.public_id}),
        {"result": "已退还"},
        follow=True,
    )
    assert "投诉已办结" in r.content.decode()
    p = world.person(name="特困丁")
    people.person_category_add(
        actor=world.county, person=p, category=Category.EXTREME_POVERTY, start=date(2025, 1, 1)
    )
    r = c.post(
        reverse("institutions:tekun"),
        {"id_number": p.id_number, "requested_on": "2026-11-01"},
        follow=True,
    )
    body = r.content.decode()
    assert "已登记集中供养申请" in body and "特困丁" in body
    r = c.post(reverse("institutions:tekun"), {"id_number": "1" * 18, "requested_on": "2026-11-01"})
    assert "您辖区的台账中没有该身份证号码的老人" in r.content.decode()
    req = SupportRequest.objects.get()
    c.post(reverse("institutions:tekun_withdraw", kwargs={"request_id": req.public_id}))
    assert "特困丁" not in c.get(reverse("institutions:tekun")).content.decode()


def test_rules_page_refuses_looser_values(world: World) -> None:
    c = login(world.county)
    data = {
        "region_code": "220102000000",
        "key": "deposit_multiple_max",
        "value": "15",
        "effective_from": "2026-12-01",
        "document_no": "南关民发〔2026〕9号",
    }
    r = c.post(reverse("institutions:rules"), data)
    assert "取值应在0至12之间" in r.content.decode()
    r = c.post(reverse("institutions:rules"), data | {"value": "6"}, follow=True)
    assert "已发布政策值" in r.content.decode()


# --- API ------------------------------------------------------------------------------------


def test_api_operator_files_report_and_prepaid(world: World, api_client) -> None:
    op = api_client(world.operator)
    base = f"/api/v1/institutions/{world.home.public_id}"
    r = op.post(
        f"{base}/reports",
        {"month": "2026-10", "staff_carer": 3, "incidents": [{"kind": "fall", "count": 1}]},
    )
    assert r.status_code == 201, r.content
    assert r.json()["late"] is True and r.json()["figures"]["staff_carer"] == 3
    r = op.post(f"{base}/reports", {"month": "2026-10"})
    assert r.status_code == 422 and "已报送" in r.json()["errors"]["month"][0]
    r = op.post(f"{base}/reports", {"month": "２０２６-０９", "staff_nurse": -1})
    assert r.status_code == 422  # schema refuses, nothing written
    assert MonthlyReport.objects.count() == 1
    assert [x["month"] for x in op.get(f"{base}/reports").json()] == ["2026-10"]
    r = op.post(
        f"{base}/prepaid",
        {
            "items": [{"kind": "membership", "amount": "20000"}],
            "total_held": "20000",
            "fixed_assets_net": "100000",
            "fixed_assets_pledged": "0",
        },
    )
    assert r.status_code == 201 and [v["code"] for v in r.json()["violations"]] == [
        "custody",
        "reserve",
    ]
    # Another home's operator: 404; the operator sees none of the county's lists.
    other = api_client(world.other_operator)
    assert other.post(f"{base}/reports", {"month": "2026-09"}).status_code == 404
    assert op.get("/api/v1/institutions/supervision/risk").json() == []
    county = api_client(world.county)
    risk = county.get("/api/v1/institutions/supervision/risk?month=2026-10").json()
    assert {x["name"] for x in risk} == {world.home.name, world.other_home.name}
    late = county.get("/api/v1/institutions/supervision/late-reports?month=2026-10")
    assert late.status_code == 200
    assert county.get("/api/v1/institutions/supervision/risk?month=abc").status_code == 400
    assert county.get("/api/v1/institutions/supervision/risk?region=220204").status_code == 404
    assert county.get("/api/v1/institutions/supervision/tekun-unplaced").json() == []
