"""Pages as their users see them: the list, a person's eligibility, the three steps, the roll
and its bank export, the external-list import (GBK CSV), and another county's 404."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.benefits import rule_text, services
from yanglao.benefits.choices import AppStatus
from yanglao.benefits.models import Application, Entitlement, ReviewTask, Roll
from yanglao.core import sheets
from yanglao.core.models import AuditEvent
from yanglao.core.visible import visible_text
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
            **rule_text.to_fields(form.context["form"]["rule"]),
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
            **rule_text.to_fields(form.context["form"]["rule"]),
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
    assert [row[1] for row in rows[1:-1]] == ["王淑芬", "王淑芬"]  # Nov back-pay and Dec
    assert rows[1][2] == p.id_number and rows[1][3] == "6217000012345678"
    assert {row[8] for row in rows[1:-1]} == {"补发", "新增"}
    assert rows[-1][0] == "合计" and rows[-1][10] == "200"  # read as text: a number cell
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


# --- issue #10 part 3 ------------------------------------------------------------------


def _selected(body: str) -> list[str]:
    """Values of the selected options of the 受理 form's item select."""
    form = body[body.index('id="apply-form"') :]
    select = form[: form.index("</select>")]
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_candidate_link_carries_the_item_and_the_form_preselects_it(
    nanguan_list: Any, make_person: Callable[..., Person], worker: Any
) -> None:
    """The defect: 受理申请 from a discovery row opened the form on its first item (N01), and
    that wrong application went through all three levels."""
    p = make_person(date(1940, 5, 1), name="孙玉珍")
    services.nightly(on=timezone.localdate())
    w = client_for(worker)
    body = w.get("/benefits/discovery/?item=N06").content.decode()
    link = f"/benefits/person/{p.public_id}/?item=N06#apply"
    assert f'href="{link}"' in body
    form = w.get(link.split("#")[0]).content.decode()
    assert _selected(form) == ["N06"]
    assert 'id="ineligible-notice"' not in form  # eligible: nothing to confirm
    assert _selected(w.get(f"/benefits/person/{p.public_id}/").content.decode()) == []
    r = w.post(f"/benefits/person/{p.public_id}/apply/", {"item_code": "", "account": ""})
    assert r["Location"] == f"/benefits/person/{p.public_id}/#apply"
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("item", "hint"),
    [
        ("ZZ9", "本地清单中没有项目“ZZ9”"),
        ("<script>", ""),
        ("\x00\u202e", ""),  # cleaned away by core CleanInputMiddleware
        ("ｎ０６", ""),
        ("N06" * 20, ""),
    ],
)
def test_bad_item_param_is_ignored_with_a_chinese_hint(
    nanguan_list: Any, make_person: Callable[..., Person], worker: Any, item: str, hint: str
) -> None:
    p = make_person(date(1940, 5, 1))
    r = client_for(worker).get(f"/benefits/person/{p.public_id}/", {"item": item})
    body = r.content.decode()
    assert r.status_code == 200 and _selected(body) == [] and "<script>" not in body
    assert (hint in body) if hint else 'id="item-hint"' not in body


def test_ineligible_application_is_flagged_at_accept_review_and_approve(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> None:
    p = make_person(date(1950, 5, 1), name="周凤兰")  # 76: N06 needs 80
    notice = "经系统核对，不符合该项目条件：年龄76周岁（条件：80周岁及以上）"
    w = client_for(worker)
    form = w.get(f"/benefits/person/{p.public_id}/?item=N06").content.decode()
    assert _selected(form) == ["N06"]
    assert notice in form and "申请人有权申请" in form
    assert 'name="acknowledge_ineligible" value="N06"' in form

    apply_url = f"/benefits/person/{p.public_id}/apply/"
    data = {"item_code": "N06", "account": "6217000012345678", "note": "本人坚持申请"}
    r = w.post(apply_url, data)  # not confirmed: refused, back to the form on the same item
    assert r["Location"] == f"/benefits/person/{p.public_id}/?item=N06#apply"
    page = w.get(r["Location"].split("#")[0]).content.decode()
    assert notice in page and "请勾选" in page
    w.post(apply_url, {**data, "acknowledge_ineligible": "N04"})  # confirmed another item
    assert not Application.objects.exists()

    r = w.post(apply_url, {**data, "acknowledge_ineligible": "N06"})
    app = Application.objects.get(person=p)
    assert r["Location"] == f"/benefits/applications/{app.public_id}/"
    accepted = w.get(r["Location"]).content.decode()
    assert notice in accepted

    t = client_for(township)
    review = t.get(f"/benefits/applications/{app.public_id}/").content.decode()
    assert "乡镇（街道）审核" in review and notice in review
    t.post(
        f"/benefits/applications/{app.public_id}/decide/", {"decision": "approve", "reason": "转县"}
    )
    c = client_for(county_officer)
    approval = c.get(f"/benefits/applications/{app.public_id}/").content.decode()
    assert "县（区）审批" in approval and notice in approval and "不能批准" in approval
    assert '<option value="not_eligible" selected>' in approval
    r = c.post(
        f"/benefits/applications/{app.public_id}/decide/",
        {"decision": "approve", "reason": "同意"},
        follow=True,
    )
    assert notice in r.content.decode()
    app.refresh_from_db()
    assert app.status == AppStatus.REVIEWED and not Entitlement.objects.exists()


DraftRoll = tuple[Roll, Entitlement, Person]


@pytest.fixture
def draft_roll(
    nanguan_list: Any,
    make_person: Callable[..., Person],
    worker: Any,
    township: Any,
    county_officer: Any,
) -> DraftRoll:
    """A December draft roll: 王淑芬 applied with an account, 吴桂香 (a legacy entitlement)
    has none."""
    dec = date(2026, 12, 1)
    paid = make_person(date(1940, 5, 1), name="王淑芬")
    app = services.application_create(
        actor=worker, person=paid, item_code="N06", account="6217000012345678", today=dec
    )
    services.application_decide(actor=township, application=app, approve=True, reason="属实")
    services.application_decide(actor=county_officer, application=app, approve=True, reason="同意")
    bare = make_person(date(1938, 2, 2), name="吴桂香")
    ent = Entitlement.objects.create(
        person=bare, item_code="N06", county_id="220102000000", start=dec
    )
    roll = services.roll_generate(actor=county_officer, county_code="220102", month=dec)
    return roll, ent, bare


def _visible_text(html: str) -> str:
    main = html[html.index("<main>") : html.index("</main>")]
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


def test_roll_page_lists_missing_accounts_before_approval(
    draft_roll: DraftRoll, worker: Any, county_officer: Any
) -> None:
    roll, ent, bare = draft_roll
    c = client_for(county_officer)
    url = f"/benefits/rolls/{roll.public_id}/"
    body = c.get(url).content.decode()
    panel = body[
        body.index('id="missing-accounts"') : body.index(
            "</section>", body.index('id="missing-accounts"')
        )
    ]
    assert "1 项待遇有应发款项但没有发放账号" in panel
    assert "吴桂香" in panel and bare.id_number_masked in panel and "王淑芬" not in panel
    assert "N06 高龄津贴" in panel
    entry = f"/benefits/person/{bare.public_id}/?next={url}#entitlements"
    assert f'href="{entry}"' in panel
    assert 'id="approve-roll" disabled' in body
    text = _visible_text(body)
    assert not re.findall(r"[A-Za-z]{2,}", text), re.findall(r"[A-Za-z]{2,}", text)
    for raw in ("back_pay", "regular", "draft", "None", "True"):
        assert raw not in text

    r = c.post(f"{url}approve/", follow=True)
    assert "有1人的应发款项没有发放账号" in r.content.decode() and "吴桂香" in r.content.decode()
    roll.refresh_from_db()
    assert roll.status == "draft"

    # The link leads to the person's page, where the account is entered, and back.
    person_page = c.get(f"/benefits/person/{bare.public_id}/", {"next": url}).content.decode()
    assert f"/benefits/entitlements/{ent.public_id}/account/" in person_page
    assert "未录入" in person_page and f'href="{url}"' in person_page
    r = c.post(
        f"/benefits/entitlements/{ent.public_id}/account/",
        {"account": "6228 4800 1234 5678 901", "note": "本人社保卡", "next": url},
    )
    assert r["Location"] == url
    body = c.get(url).content.decode()
    assert 'id="missing-accounts"' not in body and 'id="approve-roll" disabled' not in body
    c.post(f"{url}approve/")
    roll.refresh_from_db()
    assert roll.status == "approved"


def test_account_entry_refuses_bad_input_and_foreign_next(
    draft_roll: DraftRoll, worker: Any, county_officer: Any
) -> None:
    _roll, ent, bare = draft_roll
    c = client_for(county_officer)
    url = f"/benefits/entitlements/{ent.public_id}/account/"
    r = c.post(
        url, {"account": "12\x0034", "note": "x", "next": "https://evil.example/"}, follow=True
    )
    assert r.status_code == 200 and "10–30位数字" in r.content.decode()
    r = c.post(url, {"account": "6228480012345678901", "note": "社保卡", "next": "//evil.example/"})
    assert r["Location"] == f"/benefits/person/{bare.public_id}/"
    assert (
        client_for(worker).post(url, {"account": "6228480012345678902", "note": "x"}).status_code
        == 403
    )
    ent.refresh_from_db()
    assert ent.account_masked == "6228****8901"


def test_bank_sheet_amounts_are_numbers_with_a_total_row(
    draft_roll: DraftRoll, worker: Any, county_officer: Any
) -> None:
    roll, ent, _ = draft_roll
    services.entitlement_account_set(
        actor=county_officer, entitlement=ent, account="6228480012345678901", note="本人社保卡"
    )
    services.roll_approve(actor=county_officer, roll=roll)
    r = client_for(county_officer).get(f"/benefits/rolls/{roll.public_id}/export.xlsx")
    data = b"".join(r.streaming_content)  # type: ignore[attr-defined]
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    header, body, total = rows[0], rows[1:-1], rows[-1]
    col = header.index("金额（元）")
    assert len(body) == 2 and all(row[3] for row in body)  # every line has an account
    cells = [row[col] for row in body]
    amounts = [c for c in cells if isinstance(c, float)]  # calamine reads numbers as float
    assert amounts == [100.0, 100.0]
    assert total[0] == "合计" and total[1] == "2笔" and total[col] == sum(amounts) == 200.0
    assert isinstance(rows[1][2], str) and len(rows[1][2]) == 18  # ID numbers stay text
    # the amount cells carry the two-decimal number format (built-in format 2, "0.00")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    xfs = re.findall(r'<xf numFmtId="(\d+)"', styles[styles.index("<cellXfs") :])
    formats = {"2": "0.00"} | dict(
        re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles)
    )
    letter = "ABCDEFGHIJKL"[col]
    for row in range(2, len(rows) + 1):
        cell = re.search(rf'<c r="{letter}{row}" s="(\d+)"( t="\w+")?>', sheet_xml)
        assert cell is not None and cell.group(2) is None  # a number, not a string
        assert formats[xfs[int(cell.group(1))]] == "0.00"


# --- the eligibility builder (issue 14 part 2) ---------------------------------------------


class _FormFields(HTMLParser):
    """The values a browser would send for one form (inputs, ticked boxes, selections)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.select = form_id, False, ""
        self.data: dict[str, list[str]] = {}
        self.first_option: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on"))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select:
            self.first_option.setdefault(self.select, a.get("value", ""))
            if "selected" in a:
                self.data[self.select] = [a.get("value", "")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select:
            if self.select not in self.data and self.select in self.first_option:
                self.data[self.select] = [self.first_option[self.select]]
            self.select = ""
        if tag == "form":
            self.inside = False


def _form_data(html: str, form_id: str = "publish-form") -> dict[str, list[str]]:
    parser = _FormFields(form_id)
    parser.feed(html)
    return {k: v for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}


def test_every_seeded_item_round_trips_through_the_builder_page(
    catalog_loaded: None, make_user: Callable[..., Any]
) -> None:
    """JSON → the builder as a browser sees it → the JSON posted back: unchanged, for every
    item in the database."""
    from yanglao.benefits import views_rules
    from yanglao.benefits.models import ServiceItem

    admin = make_user(Role.PROVINCE_OFFICER, "22", username="prov_builder")
    c = client_for(admin)
    items = list(ServiceItem.objects.all())
    assert len(items) >= 16
    for item in items:
        page = c.get(f"/benefits/items/publish/?code={item.code}")
        html = page.content.decode()
        assert page.status_code == 200
        assert '"kind"' not in visible_text(html)  # no JSON on screen
        data = _form_data(html)
        builder = {k: v for k, v in data.items() if k.startswith("r.") or k == "r"}
        parsed = views_rules.parse(builder)
        assert parsed.errors == {} and parsed.rule == item.rule, item.code


def test_builder_preview_counts_people_in_the_jurisdiction(
    nanguan_list: Any, county_officer: Any, make_person: Callable[..., Person]
) -> None:
    make_person(date(1940, 1, 1))
    c = client_for(county_officer)
    html = c.get("/benefits/items/publish/?code=N06").content.decode()
    assert "80周岁及以上" in html and "您的辖区现在有" in html
    r = c.post(
        "/benefits/items/rule-preview/",
        {"r.type": "group", "r.op": "all", "r.0.type": "age", "r.0.min": "60"},
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "60周岁及以上" in body and re.search(r'class="num">[1-9]', body)
    bad = c.post("/benefits/items/rule-preview/", {"r.type": "group", "r.op": "all"})
    assert "请至少添加一个条件" in bad.content.decode()


def test_builder_adds_removes_and_keeps_what_was_typed(
    catalog_loaded: None, county_officer: Any
) -> None:
    c = client_for(county_officer)
    html = c.get("/benefits/items/publish/?code=N06").content.decode()
    data = _form_data(html) | {"name": ["我改的名称"], "rule_add": ["r"], "add_kind.r": ["manual"]}
    page = c.post("/benefits/items/publish/", data)
    body = page.content.decode()
    assert page.status_code == 200 and "我改的名称" in body and "需人工核定" in body
    assert not _n06_published(county_officer)
    # An empty manual condition: the error stands next to it, nothing is published.
    data = _form_data(body)
    page = c.post("/benefits/items/publish/", data)
    body = page.content.decode()
    assert "请写明需人工核定的内容" in body and "我改的名称" in body
    assert not _n06_published(county_officer)


def _n06_published(user: Any) -> bool:
    from yanglao.benefits.models import ServiceItem

    return ServiceItem.objects.filter(region_id="220102000000", code="N06").exists()
