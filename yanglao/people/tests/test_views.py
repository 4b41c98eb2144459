"""The ledger pages show and edit 户籍地, 居住方式, disability and dementia (issue 10)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.core.visible import visible_text
from yanglao.people import services
from yanglao.people.models import Dementia, Disability, Person
from yanglao.people.testing import certificate_for, person_input

pytestmark = pytest.mark.django_db
V = "220102001001"


@pytest.fixture
def officer(regions, make_user):
    return make_user(Role.COUNTY_OFFICER, "220102")


@pytest.fixture
def client(officer) -> Client:
    c = Client()
    c.force_login(officer)
    return c


@pytest.fixture
def person(officer) -> Person:
    p, _ = services.person_register(
        actor=officer, data=person_input(V, household_region_code="220204001")
    )
    return p


def test_detail_shows_both_regions_dwelling_and_facts(client, person) -> None:
    body = client.get(f"/people/{person.public_id}/").content.decode()
    # The 户籍地 by name, never as a 12-digit code (issue 14).
    assert "户籍地" in body and "德胜街道" in body and "220204001000" not in visible_text(body)
    assert "居住方式" in body and "居家" in body
    assert "残疾信息" in body and "登记残疾人证" in body and "登记失智" in body
    assert "重点对象：" in body and "高龄（80周岁及以上）" in body


def test_disability_and_dementia_through_the_pages(client, person) -> None:
    url = f"/people/{person.public_id}/disability/"
    bad = client.post(
        url,
        {"kind": "4", "grade": "1", "certificate": "２２" + "0" * 18, "issue_date": "2024-01-01"},
        follow=True,
    )
    assert "前18位须与本人身份证号码一致" in bad.content.decode()
    assert not Disability.objects.exists()
    ok = client.post(
        url,
        {
            "kind": "4",
            "grade": "2",
            "certificate": certificate_for(person.id_number, "4", "2"),
            "issue_date": "2024-01-01",
        },
        follow=True,
    )
    body = ok.content.decode()
    assert "已登记残疾信息" in body and "重残（一级、二级残疾）" in body
    row = Disability.objects.get()
    client.post(f"/people/{person.public_id}/disability/{row.pk}/end/", {"end_date": "2026-01-01"})
    row.refresh_from_db()
    assert row.end_date == date(2026, 1, 1)
    client.post(
        f"/people/{person.public_id}/dementia/",
        {"source": "hospital", "diagnosed_on": "2025-05-01", "reference": "某医院"},
    )
    d = Dementia.objects.get()
    assert d.source == "hospital" and d.diagnosed_on == date(2025, 5, 1)
    client.post(f"/people/{person.public_id}/dementia/{d.pk}/end/", {"note": "误登记"})
    d.refresh_from_db()
    assert d.end_date == d.diagnosed_on


def test_edit_form_changes_household_region_and_dwelling(client, person) -> None:
    form = client.get(f"/people/{person.public_id}/edit/").content.decode()
    # The 户籍地 shows as a name with its parents (the region picker), never as a code.
    assert 'name="household_region_code"' in form and 'value="吉林市船营区德胜街道"' in form
    assert "220204001000" not in form
    data = {
        "name": person.name,
        "sex": person.sex,
        "birth_date": "1945-03-15",
        "id_number": person.id_number,
        "ethnicity": "01",
        "region_code": V,
        "household_region_code": "",
        "dwelling": "institution",
        "education": "unknown",
        "marital_status": "unstated",
        "version": person.version,
    }
    r = client.post(f"/people/{person.public_id}/edit/", data)
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.household_region_id == V and person.dwelling == "institution"
    # A 户籍地 typed by name; a wrong name gets a Chinese message next to the field.
    person.refresh_from_db()
    r = client.post(
        f"/people/{person.public_id}/edit/",
        data | {"household_region_code": "德胜街道", "version": person.version},
    )
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.household_region_id == "220204001000"
    r = client.post(
        f"/people/{person.public_id}/edit/",
        data | {"household_region_code": "没有这个镇", "version": person.version},
    )
    body = r.content.decode()
    assert r.status_code == 200 and "没有找到名为“没有这个镇”的区划" in body
    assert "household_region_code：" not in body


def test_list_filters_key_groups_and_dementia(client, person, officer) -> None:
    other, _ = services.person_register(
        actor=officer, data=person_input(V, seq=2, birth=date(1955, 1, 1), name="李四")
    )
    body = client.get("/people/?category=key_group").content.decode()
    assert person.name in body and "李四" not in body
    services.dementia_add(
        actor=officer, person=other, source="other", diagnosed_on=date(2025, 1, 1)
    )
    body = client.get("/people/?category=dementia").content.decode()
    assert "李四" in body and person.name not in body
