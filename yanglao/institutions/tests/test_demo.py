"""The demo homes: registered, beds, residents from the ledger, the operator bound, one
filing waiting, one home on the action list; loading twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

import pytest

from yanglao.accounts.roles import Role
from yanglao.institutions import demo, selectors
from yanglao.institutions.models import Institution, Residency
from yanglao.people import services as people
from yanglao.people.choices import Dwelling
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db


def test_demo_homes(regions: None, make_user: Callable[..., Any]) -> None:
    county = make_user(Role.COUNTY_OFFICER, "220102", username="county_nanguan")
    make_user(Role.PROVINCE_OFFICER, "22", username="province_jilin")
    operator = make_user(
        Role.INSTITUTION_OPERATOR, "220102", "stats", username="institution_nanguan"
    )
    for seq in range(1, 41):
        village = "220102002001" if seq % 2 else "220204001002"
        people.person_register(
            actor=county
            if village.startswith("220102")
            else make_user(Role.COUNTY_OFFICER, "220204"),
            data=person_input(village, seq=seq, birth=date(1935, 1, 1)),
        )
    out = StringIO()
    today = date(2026, 11, 30)
    demo.load(out, today=today)
    assert "4 家机构" in out.getvalue()
    assert Institution.objects.count() == 4
    assert Residency.objects.count() == 12 + 8 + 0 + 10  # 南关区 has 20 people aged 80+
    mine = selectors.institutions(operator)
    assert [i.name for i in mine] == ["南岭颐养院（演示）"]
    assert selectors.filing_queue(user=county).count() == 1
    assert any("逾期未备案" in o.why for o in selectors.for_action(user=county, today=today))
    admitted = Residency.objects.values_list("person__dwelling", flat=True)
    assert set(admitted) == {Dwelling.INSTITUTION}
    demo.load(out, today=today)
    assert Institution.objects.count() == 4
    # 等级评定: one home rated 三级 with its scores, one in 公示.
    graded = Institution.objects.get(name="南关区社会福利中心（演示）")
    assert graded.rating == 3 and graded.rating_valid_until is not None
    app = graded.rating_applications.get()
    assert app.status == "certified" and app.reached_level == 3
    assert not app.scores.filter(expert_score__isnull=True).exists()
    assert not app.scores.exclude(evidence__gt="").exists()
    waiting = Institution.objects.get(name="船营区敬老院（演示）").rating_applications.get()
    assert waiting.status == "publicity"
    assert waiting.publicity_until is not None and waiting.publicity_until >= today
    assert "等级评定演示" in out.getvalue()
