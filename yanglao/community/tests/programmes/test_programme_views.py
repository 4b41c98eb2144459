"""The pages: Chinese, scoped (another county's user gets 404), hostile input refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yanglao.community.models import HomeBedContract, MealDiner, MealRecord, ModificationCase
from yanglao.community.programmes import services
from yanglao.community.programmes.testing import alarm_for, assessed
from yanglao.community.tests.programmes.conftest import World

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_every_list_page_renders_in_chinese(world: World) -> None:
    world.tag(world.people[0], "minimum_living")
    assessed(world.people[0], 2, world.county)
    alarm_for(world.county, world.people[1])
    c = client_for(world.county)
    for url in (
        "/community/programmes/",
        "/community/homebeds/",
        "/community/homebeds/new/",
        "/community/meals/",
        f"/community/meals/sites/{world.site.public_id}/",
        "/community/modification/",
        "/community/alarms/",
        "/community/alarms/devices/",
        "/community/coverage/",
        "/community/coverage/?county=220204",
        "/community/homebeds/?month=2026-13",
        "/community/meals/?month=%00",
    ):
        r = c.get(url)
        assert r.status_code == 200, url
        body = r.content.decode()
        for raw in ("canteen", "minimum_living", "None", "t1", "sos"):
            assert f">{raw}<" not in body, (url, raw)


def test_homebed_form_flow(world: World) -> None:
    p = world.people[0]
    c = client_for(world.county)
    today = timezone.localdate().isoformat()
    data = {
        "id_number": p.id_number,
        "provider": str(world.provider.public_id),
        "assessed_on": today,
        "start": today,
        "min_services": "4",
        "items": ["HB01"],
        "devices": ["nursing_bed", "call_button"],
    }
    r = c.post("/community/homebeds/new/", data, follow=True)
    assert "经济困难" in r.content.decode() and not HomeBedContract.objects.exists()
    world.tag(p, "minimum_living")
    assessed(p, 1, world.county)
    r = c.post("/community/homebeds/new/", data)
    assert r.status_code == 302
    bed = HomeBedContract.objects.get()
    assert bed.devices.count() == 2
    page = c.get(f"/community/homebeds/{bed.public_id}/").content.decode()
    assert "护理床" in page and "服务不足" in page
    assert (
        client_for(world.outsider).get(f"/community/homebeds/{bed.public_id}/").status_code == 404
    )


@pytest.mark.parametrize("bad", ["\x00", "１１０", "𠀀" * 30, "x" * 5000])
def test_hostile_input_is_a_chinese_message(world: World, bad: str) -> None:
    c = client_for(world.county)
    for url, data in (
        ("/community/homebeds/new/", {"id_number": bad, "start": bad, "min_services": bad}),
        (
            f"/community/meals/sites/{world.site.public_id}/enrol/",
            {"id_number": bad, "enrolled_on": bad},
        ),
        (
            f"/community/meals/sites/{world.site.public_id}/record/",
            {"diner": bad, "meal_date": bad},
        ),
        ("/community/modification/", {"id_number": bad, "applied_on": bad}),
        ("/community/alarms/devices/", {"what": "platform", "name": bad, "county": bad}),
    ):
        r = c.post(url, data, follow=True)
        assert r.status_code == 200, url
    assert not MealDiner.objects.exists() and not ModificationCase.objects.exists()


def test_meal_site_enrol_record_import_settle(world: World) -> None:
    c = client_for(world.county)
    p = world.people[0]
    site = world.site
    today = timezone.localdate()
    c.post(
        f"/community/meals/sites/{site.public_id}/enrol/",
        {"id_number": p.id_number, "enrolled_on": (today - timedelta(days=2)).isoformat()},
    )
    diner = MealDiner.objects.get()
    c.post(
        f"/community/meals/sites/{site.public_id}/record/",
        {"diner": str(diner.public_id), "meal_date": today.isoformat(), "meal": "lunch"},
    )
    assert MealRecord.objects.count() == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = f"身份证号码,就餐日期,餐次\n{p.id_number},{today.isoformat()},晚餐\n{p.id_number},明天,午餐\n".encode()
    r = c.post(
        f"/community/meals/sites/{site.public_id}/import/",
        {"file": SimpleUploadedFile("t.csv", csv)},
        follow=True,
    )
    assert "全部未导入" in r.content.decode() and MealRecord.objects.count() == 1
    assert "就餐日期格式不正确" in r.content.decode()
    xls = SimpleUploadedFile("t.xls", b"\xd0\xcf\x11\xe0" + b"0" * 100)
    r = c.post(f"/community/meals/sites/{site.public_id}/import/", {"file": xls}, follow=True)
    assert "不支持旧版" in r.content.decode()
    r = c.post(
        f"/community/meals/sites/{site.public_id}/settle/",
        {"month": today.strftime("%Y-%m")},
        follow=True,
    )
    assert "助餐补贴结算" in r.content.decode()
    out = client_for(world.outsider)
    assert out.get(f"/community/meals/sites/{site.public_id}/").status_code == 404
    assert (
        out.post(
            f"/community/meals/sites/{site.public_id}/settle/", {"month": "2026-11"}
        ).status_code
        == 404
    )


def test_case_page_steps(world: World) -> None:
    c = client_for(world.county)
    p = world.people[2]
    today = timezone.localdate().isoformat()
    c.post("/community/modification/", {"id_number": p.id_number, "applied_on": today})
    case = ModificationCase.objects.get()
    c.post(
        f"/community/modification/{case.public_id}/",
        {"version": "1", "on": today, "note": "需加装扶手"},
    )
    c.post(
        f"/community/modification/{case.public_id}/",
        {
            "version": "2",
            "on": today,
            "provider": str(world.provider.public_id),
            "qty_M03": "3",
            "qty_M01": "",
        },
    )
    case.refresh_from_db()
    assert case.status == "planned" and case.lines.count() == 1
    page = c.get(f"/community/modification/{case.public_id}/").content.decode()
    assert "安装扶手" in page and "登记开工" in page
    assert (
        client_for(world.outsider).get(f"/community/modification/{case.public_id}/").status_code
        == 404
    )


def test_platform_token_is_shown_once(world: World) -> None:
    c = client_for(world.county)
    r = c.post(
        "/community/alarms/devices/", {"what": "platform", "name": "测试平台", "county": "220102"}
    )
    assert "只显示这一次" in r.content.decode()
    assert "只显示这一次" not in c.get("/community/alarms/devices/").content.decode()
    _ = services
