"""Services, selectors and pages of the department reports: entry, submission, approval by
the level above, return with a reason, reporting rates, late lists, scope (404 outside)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.http import Http404
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.core.models import AuditEvent
from yanglao.reporting import selectors, services
from yanglao.reporting.choices import ReportStatus
from yanglao.reporting.models import DataSet, Report

pytestmark = pytest.mark.django_db

TOWNSHIP = "220102001000"  # 南岭街道
VILLAGE = "220102001001"  # 华阳社区
TODAY = date(2026, 11, 30)
OCT = date(2026, 10, 1)


@pytest.fixture
def world(regions: None, make_user: Any) -> dict[str, Any]:
    return {
        "township": make_user(Role.TOWNSHIP_OFFICER, "220102001"),
        "county": make_user(Role.COUNTY_OFFICER, "220102"),
        "village": make_user(Role.VISIT_WORKER, VILLAGE),
        "other": make_user(Role.COUNTY_OFFICER, "220204"),
        "health": DataSet.objects.get(code="WJ-JTYS"),  # monthly, township level, 10th
        "disabled": DataSet.objects.get(code="CL-CJLR"),  # monthly, village level
    }


def submit(w: dict[str, Any], **values: str) -> Report:
    return services.report_save(
        actor=w["township"],
        data_set=w["health"],
        region_code=TOWNSHIP,
        period="2026-10",
        values={"WJ-JTYS-01": "１２０", "WJ-JTYS-02": "8"} | values,
        submit=True,
        today=TODAY,
    )


def test_seeded_data_sets_carry_their_documents(world: dict[str, Any]) -> None:
    codes = set(DataSet.objects.values_list("code", flat=True))
    assert {"WJ-JTYS", "WJ-YYJH", "ZJ-JZDT", "CL-CJLR"} <= codes
    assert all(ds.document_no and ds.elements.exists() for ds in DataSet.objects.all())


def test_submit_approve_and_read_for_statistics(world: dict[str, Any]) -> None:
    report = submit(world)
    assert report.status == ReportStatus.SUBMITTED
    assert {v.element.code: v.value for v in report.values.all()} == {
        "WJ-JTYS-01": 120,  # full-width digits normalised
        "WJ-JTYS-02": 8,
    }
    assert selectors.approved_values("WJ-JTYS-01", "2026-10") == {}  # not approved yet
    services.report_approve(actor=world["county"], report=report, version=report.version)
    assert selectors.approved_values("WJ-JTYS-01", "2026-10") == {TOWNSHIP: 120}
    assert selectors.approved_values("WJ-JTYS-01", OCT) == {TOWNSHIP: 120}
    assert selectors.approved_values("WJ-JTYS-01", "2026-09") == {}
    assert selectors.approved_values("NOPE", "2026-10") == {}
    events = AuditEvent.objects.filter(object_id=str(report.public_id))
    assert set(events.values_list("action", flat=True)) == {"reporting.submit", "reporting.approve"}
    assert set(events.values_list("region_code", flat=True)) == {TOWNSHIP}


def test_return_with_reason_then_resubmit_keeps_first_submission(world: dict[str, Any]) -> None:
    with time_machine.travel("2026-11-08 10:00 +0800", tick=False):
        report = submit(world)
    with pytest.raises(services.ReportInvalid) as exc:
        services.report_return(actor=world["county"], report=report, reason="  ")
    assert exc.value.errors == {"reason": ["请填写退回原因，报送单位据此修改"]}
    returned = services.report_return(
        actor=world["county"], report=report, reason="签约人数超过辖区老年人数，请核实"
    )
    assert returned.status == ReportStatus.RETURNED
    with time_machine.travel("2026-11-20 10:00 +0800", tick=False):
        again = submit(world, **{"WJ-JTYS-01": "100"})
    assert again.status == ReportStatus.SUBMITTED
    assert again.first_submitted_on == date(2026, 11, 8)  # lateness counts the first report
    ov = selectors.overview(world["county"], world["health"], OCT, TODAY)
    assert ov.late_rows and TOWNSHIP not in {r.region.code for r in ov.late_rows}


def test_only_the_level_above_approves(world: dict[str, Any], make_user: Any) -> None:
    report = submit(world)
    with pytest.raises(services.NotPermitted):  # the township cannot approve its own level
        services.report_approve(actor=world["township"], report=report)
    city = make_user(Role.CITY_OFFICER, "2201")
    with pytest.raises(services.NotPermitted):  # two levels above is not "the level above"
        services.report_approve(actor=city, report=report)
    with pytest.raises(Http404):  # another county
        services.report_approve(actor=world["other"], report=report)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_submitted_report_is_frozen_and_stale_version_refused(world: dict[str, Any]) -> None:
    report = submit(world)
    with pytest.raises(services.ReportInvalid) as exc:
        submit(world)
    assert "不能再修改" in exc.value.errors["status"][0]
    with pytest.raises(services.ReportInvalid) as exc:
        services.report_approve(actor=world["county"], report=report, version=report.version + 5)
    assert "刷新" in exc.value.errors["version"][0]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"WJ-JTYS-01": "-3"}, "WJ-JTYS-01", "不能为负数"),
        ({"WJ-JTYS-01": "12.5"}, "WJ-JTYS-01", "应为整数"),
        ({"WJ-JTYS-01": "十二"}, "WJ-JTYS-01", "阿拉伯数字"),
        ({"WJ-JTYS-01": "𠀀"}, "WJ-JTYS-01", "不小于0的整数"),
        ({"WJ-JTYS-01": "1\x002"}, "WJ-JTYS-01", "不小于0的整数"),
        ({"WJ-JTYS-02": ""}, "WJ-JTYS-02", "请填写（没有请填0）"),
    ],
)
def test_values_refused_in_chinese_nothing_saved(
    world: dict[str, Any], values: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(services.ReportInvalid) as exc:
        submit(world, **values)
    assert message in exc.value.errors[field][0]
    assert not Report.objects.exists()


def test_draft_may_leave_blanks(world: dict[str, Any]) -> None:
    draft = services.report_save(
        actor=world["township"],
        data_set=world["health"],
        region_code=TOWNSHIP,
        period="2026年10月",
        values={"WJ-JTYS-01": "5"},
        submit=False,
        today=TODAY,
    )
    assert draft.status == ReportStatus.DRAFT and draft.values.count() == 1


@pytest.mark.parametrize(
    ("region", "period", "key", "message"),
    [
        (VILLAGE, "2026-10", "region", "不由村（社区）报送"),
        (TOWNSHIP, "2026-11", "period", "尚未结束"),
        (TOWNSHIP, "2022-01", "period", "最近3年"),
        (TOWNSHIP, "十月", "period", "格式不对"),
    ],
)
def test_wrong_region_or_period(
    world: dict[str, Any], region: str, period: str, key: str, message: str
) -> None:
    with pytest.raises(services.ReportInvalid) as exc:
        services.report_save(
            actor=world["county"],
            data_set=world["health"],
            region_code=region,
            period=period,
            values={"WJ-JTYS-01": "1", "WJ-JTYS-02": "1"},
            submit=True,
            today=TODAY,
        )
    assert message in exc.value.errors[key][0]


def test_other_county_cannot_enter(world: dict[str, Any]) -> None:
    with pytest.raises(Http404):
        services.report_save(
            actor=world["other"],
            data_set=world["health"],
            region_code=TOWNSHIP,
            period="2026-10",
            values={},
            submit=False,
            today=TODAY,
        )


def test_overview_rates_per_parent_and_late_list(world: dict[str, Any], make_user: Any) -> None:
    ds = world["disabled"]  # village level: 南岭街道's villages report, the township approves
    with time_machine.travel("2026-11-09 10:00 +0800", tick=False):
        r1 = services.report_save(
            actor=world["village"],
            data_set=ds,
            region_code=VILLAGE,
            period="2026-10",
            values={"CL-CJLR-01": "12", "CL-CJLR-02": "0"},
            submit=True,
            today=date(2026, 11, 9),
        )
    late_village = "220102001002"
    with time_machine.travel("2026-11-14 10:00 +0800", tick=False):
        services.report_save(
            actor=world["township"],
            data_set=ds,
            region_code=late_village,
            period="2026-10",
            values={"CL-CJLR-01": "3", "CL-CJLR-02": "1"},
            submit=True,
            today=date(2026, 11, 14),
        )
    services.report_approve(actor=world["township"], report=r1)
    ov = selectors.overview(world["county"], ds, OCT, TODAY)
    nanling = next(g for g in ov.groups if g.parent.code == TOWNSHIP)
    assert nanling.received == 2 and nanling.approved == 1
    assert nanling.rate == selectors.rules.reporting_rate(nanling.expected, 2)
    assert ov.expected == 70 and ov.received == 2  # 南关区's 70 villages
    late = {r.region.code: r.timeliness for r in ov.late_rows}
    assert late[late_village].label == "迟报4天"
    assert late["220102001003"].label == "逾期未报20天"
    assert VILLAGE not in late
    # The township sees only its own villages.
    own = selectors.overview(world["township"], ds, OCT, TODAY)
    assert [g.parent.code for g in own.groups] == [TOWNSHIP]


def test_pages_and_scope(world: dict[str, Any]) -> None:
    township, county, other = Client(), Client(), Client()
    township.force_login(world["township"])
    county.force_login(world["county"])
    other.force_login(world["other"])
    assert township.get("/reporting/").status_code == 200
    r = township.post(
        "/reporting/enter/",
        {
            "set": "WJ-JTYS",
            "region": TOWNSHIP,
            "period": "2026-10",
            "WJ-JTYS-01": "-1",
            "WJ-JTYS-02": "２",
            "action": "submit",
        },
    )
    assert r.status_code == 200 and "不能为负数" in r.content.decode()
    with time_machine.travel("2026-11-30 10:00 +0800", tick=True):
        r = township.post(
            "/reporting/enter/",
            {
                "set": "WJ-JTYS",
                "region": TOWNSHIP,
                "period": "2026-10",
                "WJ-JTYS-01": "40",
                "WJ-JTYS-02": "２",
                "action": "submit",
            },
        )
        assert r.status_code == 302
        report = Report.objects.get()
        url = f"/reporting/r/{report.public_id}/"
        assert other.get(url).status_code == 404
        assert other.post(url + "approve/").status_code == 404
        assert (
            other.post("/reporting/enter/", {"set": "WJ-JTYS", "region": TOWNSHIP}).status_code
            == 404
        )
        page = county.get(url).content.decode()
        assert "审核通过" in page and "220102001000" not in page.replace(f"region={TOWNSHIP}", "")
        assert county.post(url + "approve/", {"version": report.version}).status_code == 302
        assert Report.objects.get().status == ReportStatus.APPROVED
        body = county.get("/reporting/overview/?set=WJ-JTYS&period=2026-10").content.decode()
        assert "南岭街道" in body and "报送率" in body
        body = other.get("/reporting/overview/?set=WJ-JTYS&period=2026-10").content.decode()
        assert "南岭街道" not in body
        assert county.get("/reporting/overview/?set=NOPE").status_code == 404
        assert county.get("/reporting/overview/?set=WJ-JTYS&period=𠀀&under=x").status_code == 200
