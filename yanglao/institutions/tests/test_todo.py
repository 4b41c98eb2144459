"""The workbench's institution to-dos (selectors.todo_counts) on the 双随机 demo: the
operator's findings to rectify (one late), the inspector's task and re-check, the county's
late rectification; another county's officer counts nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.core.todo import Todo
from yanglao.institutions import demo, demo_supervision, selectors

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)


def test_todo_counts_on_the_demo(
    regions: None, make_user: Callable[..., Any], settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    county = make_user(Role.COUNTY_OFFICER, "220102", username="county_nanguan")
    make_user(Role.PROVINCE_OFFICER, "22", username="province_jilin")
    operator = make_user(
        Role.INSTITUTION_OPERATOR, "220102", "stats", username="institution_nanguan"
    )
    inspector = make_user(Role.INSPECTOR, "220102", "stats", username="inspector_nanguan")
    fire = make_user(Role.INSPECTOR, "220102", "stats", username="inspector_nanguan_fire")
    outsider = make_user(Role.COUNTY_OFFICER, "220204", username="far_county")
    demo.load(StringIO(), today=TODAY)
    demo_supervision.load(StringIO(), today=TODAY)

    op = selectors.todo_counts(user=operator, today=TODAY)
    assert op["findings"] == Todo(1, 1, 3)  # the answered one waits for the inspector
    assert set(op) == {"reports", "findings"}
    ins = selectors.todo_counts(user=inspector, today=TODAY)
    assert ins["inspections"] == Todo(1) and ins["rechecks"] == Todo(1)
    assert selectors.todo_counts(user=fire, today=TODAY)["inspections"].total <= 1
    co = selectors.todo_counts(user=county, today=TODAY)
    assert co["rectifications"].total == 1 and co["rectifications"].late == 1
    far = selectors.todo_counts(user=outsider, today=TODAY)
    assert far["rectifications"] == Todo(0) and far["filings"] == Todo(0)
    assert far["for_action"] == Todo(0)
    home = selectors.operator_home(operator)
    assert home is not None and selectors.operator_home(county) is None

    c = Client()
    c.force_login(operator)
    page = c.get("/").content.decode()
    assert "待整改的检查问题" in page and "逾期" in page
    assert page.index("待整改的检查问题") < page.index("待报送的月报")  # late first
    c.force_login(inspector)
    page = c.get("/").content.decode()
    assert "待检查的抽查任务" in page and "?status=assigned" in page
