"""The 双随机 demo: a drawn plan, a published result, findings with one rectification waiting
for re-check and one overdue, and work for `inspector_nanguan`; loading twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

import pytest

from yanglao.accounts.roles import Role
from yanglao.institutions import demo, demo_supervision, spotcheck, supervision
from yanglao.institutions import supervision_queries as q
from yanglao.institutions.models import Finding, SpotCheckPlan

pytestmark = pytest.mark.django_db


def test_demo_supervision(regions: None, make_user: Callable[..., Any], settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    county = make_user(Role.COUNTY_OFFICER, "220102", username="county_nanguan")
    make_user(Role.PROVINCE_OFFICER, "22", username="province_jilin")
    make_user(Role.INSTITUTION_OPERATOR, "220102", "stats", username="institution_nanguan")
    inspector = make_user(Role.INSPECTOR, "220102", "stats", username="inspector_nanguan")
    make_user(Role.INSPECTOR, "220102", "stats", username="inspector_nanguan_fire")
    today = date(2026, 11, 30)
    demo.load(StringIO(), today=today)
    out = StringIO()
    demo_supervision.load(out, today=today)
    assert "随机种子" in out.getvalue()
    plan = SpotCheckPlan.objects.get()
    assert spotcheck.draw(supervision.draw_input(plan.draw)).as_dict() == plan.draw.result
    statuses = sorted(t.status for t in q.tasks(inspector))
    assert statuses == ["assigned", "inspected", "published"]
    assert sorted(Finding.objects.values_list("status", flat=True)) == ["answered", "open"]
    assert [f.clause for f in q.overdue_rectifications(user=county, today=today)] == ["GB38600-6.6"]
    assert len(q.published_results(plan.tasks.get(status="published").institution)) == 1
    demo_supervision.load(StringIO(), today=today)
    assert SpotCheckPlan.objects.count() == 1
