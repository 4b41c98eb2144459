"""The working calendar page (/calendar/): who may use it, audited writes, bad input."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.core.models import AuditEvent, CalendarDay

pytestmark = pytest.mark.django_db

GOOD = {
    "day": "2027-02-08",
    "working": "0",
    "name": "春节",
    "document": "国务院办公厅关于2027年部分节假日安排的通知",
}


@pytest.fixture
def province(regions: Any, make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user(Role.PROVINCE_OFFICER, "22", username="cal_province"))
    return client


def _snapshot() -> tuple[list[tuple[date, bool, str, str]], int]:
    rows = list(CalendarDay.objects.values_list("day", "working", "name", "document"))
    return rows, AuditEvent.objects.filter(action__startswith="calendar.").count()


def test_province_officer_lists_a_year(province: Client) -> None:
    html = province.get("/calendar/?year=2026").content.decode()
    assert "2026-02-16" in html and "春节" in html and "调休上班" in html
    assert "2026-02-21" not in html  # a Saturday off needs no row
    assert "国务院办公厅关于2026年部分节假日安排的通知" in html


@pytest.mark.parametrize(
    ("role", "region", "mode", "status"),
    [
        (Role.COUNTY_OFFICER, "220102", "edit", 403),
        (Role.CITY_OFFICER, "2201", "edit", 403),
        (Role.SYSTEM_ADMIN, "22", "stats", 403),
        (Role.AUDITOR, "22", "stats", 403),
        (Role.PROVINCE_OFFICER, "2202", "edit", 404),  # a province officer without the province
        (Role.PROVINCE_OFFICER, "22", "stats", 404),  # the province, read-only figures
    ],
)
def test_other_roles_are_refused(
    regions: Any, make_user: Any, role: str, region: str, mode: str, status: int
) -> None:
    client = Client()
    client.force_login(make_user(role, region, mode=mode))
    row = CalendarDay.objects.get(day=date(2026, 2, 16))
    before = _snapshot()
    assert client.get("/calendar/").status_code == status
    assert client.post("/calendar/", GOOD).status_code == status
    assert client.post(f"/calendar/{row.pk}/", {**GOOD, "day": "2026-02-16"}).status_code == status
    assert client.post(f"/calendar/{row.pk}/delete/").status_code == status
    assert _snapshot() == before


def test_add_edit_delete_are_audited(province: Client) -> None:
    r = province.post("/calendar/", GOOD)
    assert r.status_code == 302
    row = CalendarDay.objects.get(day=date(2027, 2, 8))
    assert (row.working, row.name) == (False, "春节")
    added = AuditEvent.objects.get(action="calendar.add", object_id=str(row.pk))
    assert added.changes["day"] == "2027-02-08" and added.region_code == "220000000000"

    r = province.post(f"/calendar/{row.pk}/", {**GOOD, "day": "2027-02-06", "working": "1"})
    assert r.status_code == 302
    row.refresh_from_db()
    assert (row.day, row.working) == (date(2027, 2, 6), True)  # a Saturday worked
    upd = AuditEvent.objects.get(action="calendar.update", object_id=str(row.pk))
    assert upd.changes["changed"]["day"] == ["2027-02-08", "2027-02-06"]

    assert province.post(f"/calendar/{row.pk}/delete/").status_code == 302
    assert not CalendarDay.objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.filter(action="calendar.delete", object_id=str(row.pk)).exists()
    assert province.get(f"/calendar/{row.pk}/delete/").status_code == 405


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"day": "2027-02-30"}, "日期无效"),
        ({"day": "明年春节"}, "日期无效"),
        ({"day": ""}, "请填写日期"),
        # core.middleware.CleanInputMiddleware strips NUL before any view: a name of NULs
        # arrives empty; the service refuses NUL itself (test_service_refuses_nul).
        ({"name": "\x00\x00"}, "请填写节假日名称"),
        ({"document": "\x00"}, "请填写依据文件"),
        ({"name": ""}, "请填写节假日名称"),
        ({"name": "节" * 21}, "不能超过20个字"),
        ({"day": "2026-02-16"}, "2026-02-16已登记"),  # duplicate of a seeded day
        ({"day": "2027-02-06"}, "本来就休息"),  # a Saturday off: not an exception
        ({"day": "2027-02-08", "working": "1"}, "本来就上班"),  # a Monday "worked"
        ({"working": "2"}, "请选择放假或调休上班"),
    ],
)
def test_bad_input_is_refused_in_chinese(
    province: Client, changes: dict[str, str], message: str
) -> None:
    before = _snapshot()
    r = province.post("/calendar/", {**GOOD, **changes})
    assert r.status_code == 200
    assert message in r.content.decode()
    assert _snapshot() == before


def test_editing_onto_another_day_is_refused(province: Client) -> None:
    row = CalendarDay.objects.get(day=date(2026, 2, 17))
    before = _snapshot()
    r = province.post(f"/calendar/{row.pk}/", {**GOOD, "day": "2026-02-16"})
    assert r.status_code == 200 and "2026-02-16已登记" in r.content.decode()
    assert _snapshot() == before


def test_nul_is_stripped_before_the_page(province: Client) -> None:
    assert province.post("/calendar/", {**GOOD, "name": "春\x00节"}).status_code == 302
    assert CalendarDay.objects.get(day=date(2027, 2, 8)).name == "春节"


@pytest.mark.parametrize("field", ["name", "document"])
def test_service_refuses_nul(regions: Any, make_user: Any, field: str) -> None:
    from yanglao.accounts import calendar_services as cs

    actor = make_user(Role.PROVINCE_OFFICER, "22")
    values = {
        "day": date(2027, 2, 8),
        "working": False,
        "name": "春节",
        "document": "通知",
        field: "春\x00节",
    }
    before = _snapshot()
    with pytest.raises(cs.CalendarInvalid) as exc:
        cs.day_add(actor=actor, data=cs.DayInput(**values))  # type: ignore[arg-type]
    assert "不允许的控制字符" in exc.value.errors[field][0]
    assert _snapshot() == before
