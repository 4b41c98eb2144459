"""Pages and API: render in Chinese for each role, 404 outside the scope, forms refuse bad
input with Chinese messages and change nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client

from yanglao.institutions import services
from yanglao.institutions.models import Filing, Institution, Residency

from .conftest import TODAY, V1, World, credit_code

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(r">\\s*[A-Za-z][A-Za-z ]{3,}\\s*<")


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _body(r: Any) -> str:
    return r.content.decode()


def test_county_officer_registers_a_home_through_the_form(world: World) -> None:
    c = _client(world.county)
    r = c.get("/institutions/new/")
    assert r.status_code == 200 and "登记养老机构" in _body(r)
    post = {
        "credit_code": credit_code(31),
        "name": "南岭颐养中心",
        "ownership": "public",
        "profit": "forprofit",  # refused: public homes are non-profit
        "legal_rep": "李红",
        "region_code": V1,
        "address": "南岭大街1号",
        "beds_total": "50",
        "beds_nursing": "30",
        "beds_dementia": "5",
        "beds_daycare": "0",
        "medical": "clinic",
        "status": "operating",
    }
    r = c.post("/institutions/new/", post)
    assert r.status_code == 200 and "公办、公建民营养老机构应为非营利性质" in _body(r)
    assert not Institution.objects.filter(name="南岭颐养中心").exists()
    post["profit"] = "nonprofit"
    r = c.post("/institutions/new/", post)
    assert r.status_code == 302
    assert Institution.objects.filter(name="南岭颐养中心").exists()
    page = _body(c.get(r["Location"]))
    assert "南岭颐养中心" in page and "护理型 30 张（60.0%" in page
    assert not ENGLISH.search(page)


def test_index_filters_and_hostile_parameters(world: World) -> None:
    c = _client(world.county)
    for query in ("", "?q=幸福", "?ownership=private&page=abc", "?region=22x", "?filing=\x00"):
        r = c.get("/institutions/" + query)
        assert r.status_code == 200, query
    assert "南关区幸福养老院1" in _body(c.get("/institutions/?q=养老院1"))
    assert "区划代码应为" in _body(c.get("/institutions/?region=22x", follow=True))


def test_operator_lands_on_own_home_and_gets_404_elsewhere(world: World) -> None:
    c = _client(world.operator)
    r = c.get("/institutions/")
    assert r.status_code == 302 and str(world.home.public_id) in r["Location"]
    assert c.get(f"/institutions/{world.other_home.public_id}/").status_code == 404
    assert c.get("/institutions/filings/").status_code == 403
    assert c.get("/institutions/new/").status_code == 403
    out = _client(world.outsider)
    assert out.get(f"/institutions/{world.home.public_id}/").status_code == 404


def test_operator_files_adds_a_bed_and_admits_through_the_pages(world: World) -> None:
    p = world.person()
    c = _client(world.operator)
    base = f"/institutions/{world.home.public_id}"
    r = c.post(f"{base}/filing/", {"kind": "new", "documents": ["application"]}, follow=True)
    assert "须签署承诺书" in _body(r) and not Filing.objects.exists()
    r = c.post(
        f"{base}/filing/",
        {"kind": "new", "documents": ["application", "licence"], "pledge": "on"},
        follow=True,
    )
    assert "备案材料已提交" in _body(r)
    r = c.post(f"{base}/beds/", {"room": "201", "number": "1", "kind": "dementia"}, follow=True)
    assert "已添加床位" in _body(r) and "失智照护床位" in _body(r)
    r = c.get(f"{base}/admit/")
    assert r.status_code == 200 and "201-1" in _body(r)
    r = c.post(f"{base}/admit/", {"id_number": "１２３", "start": "2026-11-01"})
    assert "台账中没有该身份证号码" in _body(r)
    bed = world.home.beds.get()
    admit = {"id_number": p.id_number, "bed": bed.pk, "start": "2026-11-01"}
    r = c.post(f"{base}/admit/", {**admit, "care_fee": "-1"})
    assert r.status_code == 200 and not Residency.objects.exists()  # a negative fee item
    fees = {"bed_fee": "1200", "care_fee": "900.50", "meal_fee": "500"}
    r = c.post(f"{base}/admit/", {**admit, **fees})
    assert r.status_code == 302
    page = _body(c.get(base + "/"))
    assert p.name in page and p.id_number not in page and p.id_number_masked in page
    assert "2600.50" in page and "护理 900.50" in page  # the contract's fee items and sum
    residency = Residency.objects.get(person=p)
    assert (residency.bed_fee, residency.care_fee, residency.meal_fee) == (1200, 900.5, 500)
    assert residency.contract_from == date(2026, 11, 1)
    r = c.post(
        f"{base}/residents/{residency.public_id}/discharge/",
        {"end": str(TODAY), "reason": "death"},
        follow=True,
    )
    assert "请填写离院日期并选择离院原因" in _body(r)  # death is recorded on the ledger
    assert Residency.objects.get(pk=residency.pk).end is None


def test_officer_answers_filings_from_the_queue(world: World) -> None:
    f = services.filing_submit(
        actor=world.operator,
        institution=world.home,
        kind="new",
        documents=["application", "licence", "premises", "fire", "pledge"],
        pledge=True,
    )
    c = _client(world.county)
    page = _body(c.get("/institutions/filings/"))
    assert "南关区幸福养老院1" in page and "出具备案回执" in page
    r = c.post(f"/institutions/filings/{f.public_id}/decide/", {"receipt": "1"}, follow=True)
    assert "已出具备案回执 备220102" in _body(r)
    out = _client(world.outsider)
    assert (
        out.post(f"/institutions/filings/{f.public_id}/decide/", {"receipt": "1"}).status_code
        == 404
    )


def test_overdue_page_lists_late_filings(world: World) -> None:
    Institution.objects.filter(pk=world.home.pk).update(first_admission_on=date(2020, 1, 6))
    page = _body(_client(world.county).get("/institutions/overdue/"))
    assert "逾期未备案（应于2020-01-20前备案）" in page


def test_api_lists_in_scope_and_404s_outside(
    world: World, api_client: Callable[[Any], Any]
) -> None:
    r = api_client(world.county).get("/api/v1/institutions")
    assert r.status_code == 200 and r.json()["count"] == 2, r.content
    row = r.json()["results"][0]
    assert row["ownership_label"] == "民办" and row["nursing_share"] == 60.0
    r = api_client(world.operator).get("/api/v1/institutions")
    assert [x["name"] for x in r.json()["results"]] == ["南关区幸福养老院1"]
    r = api_client(world.outsider).get(f"/api/v1/institutions/{world.home.public_id}")
    assert r.status_code == 404
    assert api_client(world.county).get("/api/v1/institutions?limit=0").status_code == 400
    assert api_client(world.county).get("/api/v1/institutions?region=abc").status_code == 400
