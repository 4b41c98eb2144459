"""API: indicator values by code, region and period, scoped; the public catalogue."""

from __future__ import annotations

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.api.tests.conftest import api_client, token_for  # noqa: F401 -- fixtures
from yanglao.statistics import snapshot, testing

URL = "/api/v1/statistics/values"


@pytest.fixture
def world(regions, make_user, api_client):  # noqa: F811
    officer = make_user(Role.PROVINCE_OFFICER, "22")
    w = testing.build(officer)
    snapshot.compute(testing.PERIOD, today=testing.TODAY)
    return w, officer, api_client


def test_values_by_code_region_and_period(world):
    w, officer, client = world
    c = client(officer)
    r = c.get(
        URL,
        {
            "region": "22",
            "period": "2026-11",
            "code": "pop.total,visit.monthly_rate",
            "children": "true",
        },
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["period"] == "2026-11" and data["version"] == 1 and data["status"] == "frozen"
    got = {(v["code"], v["region_code"]): v for v in data["values"]}
    assert got[("pop.total", "220000000000")]["numerator"] == 5
    assert got[("pop.total", "220100000000")]["numerator"] == 4
    rate = got[("visit.monthly_rate", "220000000000")]
    assert (rate["numerator"], rate["denominator"], rate["value"]) == (1, 2, "50.0")
    r = c.get(URL, {"region": w.a, "code": "pop.total", "breakdowns": "true"})
    keys = {v["breakdown"] for v in r.json()["values"]}
    assert {"", "sex:F", "sex:M", "age:80-89"} <= keys


def test_outsider_and_bad_parameters(world, make_user):
    w, _, client = world
    other = client(make_user(Role.COUNTY_OFFICER, "220204"))
    assert other.get(URL, {"region": "220102"}).status_code == 404
    assert other.get(URL, {"region": w.a}).status_code == 404
    mine = other.get(URL, {"code": "pop.total"}).json()["values"]
    assert [v["numerator"] for v in mine] == [1]  # their county only
    bad = other.get(URL, {"period": "２０２６-１１", "code": "nope"})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"period", "code"}


def test_catalogue_is_public(world):
    r = Client().get("/api/v1/public/statistics/indicators")
    assert r.status_code == 200
    codes = {i["code"]: i for i in r.json()}
    assert codes["visit.monthly_rate"]["target"]["document"] == "民发〔2022〕83号"
    assert codes["svc.meals"]["available"] is True  # community services registered
