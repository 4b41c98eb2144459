"""Demo reports and prepaid data: reports for recent months with one late and one owed,
a filing breaking a rule, a home on top of the risk list, 特困 requests with one placed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

import pytest

from yanglao.accounts.roles import Role
from yanglao.institutions import demo, demo_reports, selectors_reports
from yanglao.institutions import queries_reports as queries
from yanglao.institutions.models import MonthlyReport, PrepaidFiling, SupportRequest
from yanglao.people import services as people
from yanglao.people.choices import Category
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)


def test_demo_reports(regions: None, make_user: Callable[..., Any]) -> None:
    county = make_user(Role.COUNTY_OFFICER, "220102", username="county_nanguan")
    make_user(Role.COUNTY_OFFICER, "220204", username="county_chuanying")
    make_user(Role.PROVINCE_OFFICER, "22", username="province_jilin")
    operator = make_user(
        Role.INSTITUTION_OPERATOR, "220102", "stats", username="institution_nanguan"
    )
    for seq in range(1, 41):
        village = "220102002001" if seq % 2 else "220204001002"
        officer = (
            county if village.startswith("220102") else make_user(Role.COUNTY_OFFICER, "220204")
        )
        people.person_register(
            actor=officer, data=person_input(village, seq=seq, birth=date(1935, 1, 1))
        )
    for seq in range(41, 44):  # younger 特困 people, not taken by the demo homes
        p, _ = people.person_register(
            actor=county, data=person_input("220102001001", seq=seq, birth=date(1960, 1, 1))
        )
        people.person_category_add(
            actor=county, person=p, category=Category.EXTREME_POVERTY, start=date(2020, 1, 1)
        )
    out = StringIO()
    demo.load(out, today=TODAY)
    demo_reports.load(out, today=TODAY)
    assert "份月报（1 份逾期）" in out.getvalue()
    late = [r for r in MonthlyReport.objects.all() if r.late]
    assert len(late) == 1
    mine = selectors_reports.reports_owed(user=county, month=date(2026, 10, 1))
    assert "南岭颐养院（演示）" in [o.name for o in mine]
    broken = [f for f in PrepaidFiling.objects.all() if f.violations]
    assert [v["code"] for f in broken for v in f.violations] == ["membership"]
    top = queries.risk_list(("220102000000", "220102999999"), date(2026, 10, 1), TODAY)[0]
    assert top.name == "幸福里老年公寓（演示）" and top.risk.score >= 60
    assert SupportRequest.objects.count() == 3
    unplaced = selectors_reports.tekun_unplaced(user=county, on=TODAY)
    assert unplaced.count() == 2
    assert operator.pk  # the operator's home filed through its account
    demo_reports.load(out, today=TODAY)
    assert SupportRequest.objects.count() == 3
