"""Pages as their users see them: the list, a person's eligibility, the three steps, the roll
and its bank export, the external-list import (GBK CSV), and another county's 404."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.benefits import services
from yanglao.benefits.choices import AppStatus
from yanglao.benefits.models import Application, Entitlement, ReviewTask, Roll
from yanglao.core import sheets
from yanglao.core.models import AuditEvent
from yanglao.people.models import Person

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_render_for_each_level(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    p = make_person(date(1940, 5, 1), name="李桂兰")
    services.nightly(on=timezone.localdate())
    w = client_for(worker)
    for url in ("/benefits/", "/benefits/items/", "/benefits/discovery/", "/benefits/tasks/"):
        r = w.get(url)
        assert r.status_code == 200, url
    r = w.get("/benefits/discovery/?item=N06")
    assert "李桂兰" in r.content.decode() and "年龄" in r.content.decode()
    assert "李桂兰" not in w.get("/benefits/discovery/?q=王").content.decode()
    r = w.get("/benefits/discovery/export.xlsx?item=N06")
    rows = sheets.read_xlsx_bytes(b"".join(r.streaming_content))  # type: ignore[attr-defined]
    assert rows[0][0] == "姓名" and rows[1][0] == "李桂兰"
    assert rows[1][1] == p.id_number_masked and "年龄" in rows[1][6]
    assert AuditEvent.objects.filter(action="benefit.candidates_export", actor=worker).exists()
    r = w.get(f"/benefits/person/{p.public_id}/")
    body = r.content.decode()
    assert "N06 高龄津贴" in body and "80–89周岁 100.00" in body
    r = w.post(
        f"/benefits/person/{p.public_id}/apply/",
        {"item_code": "N06", "account": "6217 0000 1234 5678", "note": "本人申请"},
    )
    app = Application.objects.get(person=p)
    assert r.status_code == 302 and r["Location"] == f"/benefits/applications/{app.public_id}/"
    t = client_for(township)
    r = t.get(f"/benefits/applications/{app.public_id}/")
    assert "乡镇（街道）审核" in r.content.decode()
    t.post(
        f"/benefits/applications/{app.public_id}/decide/", {"decision": "approve", "reason": "属实"}
    )
    c = client_for(county_officer)
    c.post(
        f"/benefits/applications/{app.public_id}/decide/", {"decision": "approve", "reason": "同意"}
    )
    app.refresh_from_db()
    assert app.status == AppStatus.APPROVED
    for url in (
        "/benefits/applications/?status=",
        "/benefits/rolls/",
        "/benefits/items/publish/?code=N06",
    ):
        assert c.get(url).status_code == 200, url


def test_refusal_without_reason_code_is_a_chinese_message(
    nanguan_list: Any, make_person: Callable[..., Person], worker: Any, township: Any
) -> None:
    p = make_person(date(1940, 5, 1))
    app = services.application_create(
        actor=worker, person=p, item_code="N06", account="6217000012345678"
    )
    r = client_for(township).post(
        f"/benefits/applications/{app.public_id}/decide/",
        {"decision": "refuse", "reason": "不符"},
        follow=True,
    )
    assert "请选择不予批准的原因" in r.content.decode()
    app.refresh_from_db()
    assert app.status == AppStatus.ACCEPTED


def test_publish_below_province_shows_reason(catalog_loaded: None, county_officer: Any) -> None:
    c = client_for(county_officer)
    form = c.get("/benefits/items/publish/?code=N07-1")
    assert "99.00" in form.content.decode()
    r = c.post(
        "/benefits/items/publish/",
        {
            "region": "220102000000",
            "code": "N07-1",
            "name": "困难残疾人生活补贴",
            "category": "material",
            "target": "低保家庭中的残疾老年人",
            "rule": form.context["form"]["rule"],
            "band": ["每人"],
            "band_when": [""],
            "band_value": ["90"],
            "payable": "on",
            "document_no": "南民发〔2026〕1号",
            "effective_from": "2026-01-01",
        },
    )
    assert r.status_code == 200
    assert "低于省级标准99.00，下级清单只能提高、不能降低" in r.content.decode()


def test_system_admin_publishes_the_national_list(catalog_loaded: None, make_user: Any) -> None:
    admin = make_user(Role.SYSTEM_ADMIN, "22", mode="stats")
    c = client_for(admin)
    assert c.get("/benefits/discovery/").status_code == 403  # no personal lists
    form = c.get("/benefits/items/publish/?code=N16")
    assert form.status_code == 200 and "国家" in form.content.decode()
    r = c.post(
        "/benefits/items/publish/",
        {
            "region": "",
            "code": "N16",
            "name": "社区居家养老服务（助餐等）",
            "category": "care",
            "target": "有需求的老年人",
            "rule": form.context["form"]["rule"],
            "band": ["每人"],
            "band_when": [""],
            "band_value": [""],
            "document_no": "民发〔2026〕1号",
            "effective_from": "2026-01-01",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/benefits/items/publish/"
    from yanglao.benefits.models import ServiceItem

    assert ServiceItem.objects.filter(code="N16", region__isnull=True).count() == 2


def test_roll_export_for_the_bank(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    p = make_person(date(1940, 5, 1), name="王淑芬")
    app = services.application_create(
        actor=worker, person=p, item_code="N06", account="6217000012345678", today=date(2026, 11, 2)
    )
    services.application_decide(actor=township, application=app, approve=True, reason="属实")
    services.application_decide(actor=county_officer, application=app, approve=True, reason="同意")
    c = client_for(county_officer)
    r = c.post("/benefits/rolls/generate/", {"county": "220102000000", "month": "2026-12"})
    roll = Roll.objects.get()
    assert r["Location"] == f"/benefits/rolls/{roll.public_id}/"
    assert c.get(f"/benefits/rolls/{roll.public_id}/export.xlsx").status_code == 302  # draft
    c.post(f"/benefits/rolls/{roll.public_id}/approve/")
    r = c.get(f"/benefits/rolls/{roll.public_id}/export.xlsx")
    rows = sheets.read_xlsx_bytes(b"".join(r.streaming_content))  # type: ignore[attr-defined]
    assert rows[0][:4] == ["序号", "姓名", "公民身份号码", "发放账号"]
    assert [row[1] for row in rows[1:]] == ["王淑芬", "王淑芬"]  # Nov back-pay and Dec
    assert rows[1][2] == p.id_number and rows[1][3] == "6217000012345678"
    assert {row[8] for row in rows[1:]} == {"补发", "新增"}
    assert AuditEvent.objects.filter(action="roll.export", actor=county_officer).count() == 1
    r = c.post(
        "/benefits/rolls/generate/", {"county": "220102000000", "month": "2026-12"}, follow=True
    )
    assert "已审定，不能重新生成" in r.content.decode()


def test_import_deaths_gbk_csv_reports_unmatched(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    p = make_person(date(1940, 5, 1), name="赵德明")
    app = services.application_create(
        actor=worker, person=p, item_code="N06", account="6217000012345678"
    )
    services.application_decide(actor=township, application=app, approve=True, reason="属实")
    services.application_decide(actor=county_officer, application=app, approve=True, reason="同意")
    text = (
        "姓名,身份证号码,死亡日期,原因\n"
        f"赵德明,{p.id_number},{timezone.localdate():%Y/%m/%d},病故\n"
        "无名氏,220102194001010011,2026-01-01,病故\n"
    )
    upload = io.BytesIO(text.encode("gbk"))
    upload.name = "deaths.csv"
    r = client_for(county_officer).post("/benefits/import/", {"kind": "deaths", "file": upload})
    body = r.content.decode()
    assert "匹配 1 行" in body and "台账中无此身份证号码" in body
    p.refresh_from_db()
    assert p.life_status == "deceased"
    assert Entitlement.objects.get(person=p).stop_reason == "death"
    assert ReviewTask.objects.filter(person=p, kind="death").exists()


def test_other_county_gets_404_on_pages(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    make_user: Callable[..., Any],
) -> None:
    p = make_person(date(1940, 5, 1))
    app = services.application_create(
        actor=worker, person=p, item_code="N06", account="6217000012345678"
    )
    outsider = client_for(make_user(Role.TOWNSHIP_OFFICER, "220204001"))
    assert outsider.get(f"/benefits/person/{p.public_id}/").status_code == 404
    assert outsider.get(f"/benefits/applications/{app.public_id}/").status_code == 404
    r = outsider.post(
        f"/benefits/applications/{app.public_id}/decide/", {"decision": "approve", "reason": "x"}
    )
    assert r.status_code == 404
    app.refresh_from_db()
    assert app.status == AppStatus.ACCEPTED
