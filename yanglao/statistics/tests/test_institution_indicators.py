"""Issue 11 part 9 (and part 3's monthly figures): the institutions' indicators are in the
catalogue, registered, labelled and shown on the 养老机构 dashboard. Their figures against the
hand-computed world: test_snapshot.py."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.statistics import catalogue, queries, queries_institutions, snapshot, testing
from yanglao.statistics.selectors import breakdown_label

# 护理型床位占比, 失智照护床位, 责任险投保率, inspection coverage, rectification on time, and the
# monthly reports' residents, staff and incidents.
ISSUE_11 = (
    "ins.nursing_share",
    "ins.dementia_beds",
    "ins.liability_rate",
    "ins.inspection_coverage",
    "ins.rectification_on_time",
    "ins.report_homes",
    "ins.report_residents",
    "ins.report_staff",
    "ins.report_incidents",
)


def test_issue_11_indicators_are_plugged_in() -> None:
    for code in ISSUE_11:
        ind = catalogue.BY_CODE[code]
        assert ind.theme == "institutions" and ind.query in queries.QUERIES, code
    assert catalogue.BY_CODE["ins.liability_rate"].is_ratio
    assert catalogue.BY_CODE["ins.nursing_share"].target == catalogue.NURSING_TARGET
    assert "500" in catalogue.BY_CODE["ins.dementia_beds"].definition
    assert breakdown_label("care:moderate") == "中度失能"
    assert breakdown_label("post:carer") == "护理员"
    assert breakdown_label("incident:choking") == "噎食"


def test_reports_of_the_month_before_the_period() -> None:
    p = queries.Period(date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 31))
    assert queries_institutions.report_month(p) == date(2025, 12, 1)


@pytest.mark.django_db
def test_dashboard_shows_them(regions, make_user) -> None:
    officer = make_user(Role.PROVINCE_OFFICER, "22")
    testing.build(officer)
    snapshot.compute(testing.PERIOD, today=testing.TODAY)
    client = Client()
    client.force_login(officer)
    body = client.get("/statistics/institutions/?region=22&period=2026-11").content.decode()
    for name in ("失智照护床位", "综合责任保险投保率", "养老机构在住老人（月报）", "50.0%"):
        assert name in body, name
