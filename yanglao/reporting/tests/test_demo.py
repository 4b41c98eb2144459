"""The demo loaders of issue 13 (reports and feedback of 南关区) run, are idempotent, and
every page they feed renders for the demo accounts (rows without a submitter included)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.feedback import demo as feedback_demo
from yanglao.feedback.models import Feedback
from yanglao.reporting import demo as reporting_demo
from yanglao.reporting.choices import ReportStatus
from yanglao.reporting.models import Report

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_pages_render(regions: None, make_user: Any) -> None:
    county = make_user(Role.COUNTY_OFFICER, "220102", username="county_nanguan")
    make_user(Role.TOWNSHIP_OFFICER, "220102001", username="township_nanling")
    today = date(2026, 11, 30)
    out = io.StringIO()
    for _ in range(2):
        reporting_demo.load(out, today=today)
        feedback_demo.load(out, today=today)
    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == {ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.RETURNED}
    assert Feedback.objects.count() == len(feedback_demo.ITEMS)
    client = Client()
    client.force_login(county)
    for report in Report.objects.all()[:60]:
        assert client.get(f"/reporting/r/{report.public_id}/").status_code == 200
    for fb in Feedback.objects.all():
        assert client.get(f"/feedback/{fb.public_id}/").status_code == 200
    for code in ("WJ-JTYS", "WJ-YYJH", "ZJ-JZDT", "CL-CJLR"):
        assert client.get(f"/reporting/overview/?set={code}").status_code == 200
    assert client.get("/reporting/").status_code == 200
    assert client.get("/feedback/?status=answered").status_code == 200
