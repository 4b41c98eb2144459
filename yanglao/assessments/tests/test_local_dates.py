"""Regression (issue #10): the report printed the day before for an assessment confirmed
between 00:00 and 08:00 Beijing time (`confirmed_at.date()` of a UTC timestamp)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from yanglao.assessments import pdf
from yanglao.assessments.tests.test_services import complete
from yanglao.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("confirmed", "printed"),
    [
        (datetime(2026, 11, 29, 16, 30, tzinfo=UTC), "2026年11月30日"),  # 00:30 Beijing
        (datetime(2026, 11, 29, 23, 59, tzinfo=UTC), "2026年11月30日"),  # 07:59 Beijing
        (datetime(2026, 11, 29, 15, 59, tzinfo=UTC), "2026年11月29日"),  # 23:59 Beijing
        (datetime(2026, 11, 30, 0, 0, tzinfo=UTC), "2026年11月30日"),  # 08:00 Beijing
    ],
)
def test_confirming_assessor_signs_on_the_local_day(
    assessor_a: Any,
    assessor_b: Any,
    officer: Any,
    person: Person,
    confirmed: datetime,
    printed: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with time_machine.travel(confirmed, tick=False):
        a = complete(assessor_a, assessor_b, person, date(2026, 11, 29), 30)
    a.refresh_from_db()
    assert a.confirmed_at == confirmed
    rows = pdf.signature_rows(a)
    assert rows[1][1].endswith("日期：2026年11月29日")  # the assessor: the assessment day
    assert rows[2][1].endswith(f"　　日期：{printed}")
    assert rows[3][1].endswith("日期：2026年11月29日")

    # The PDF the officer downloads prints exactly these rows.
    printed_rows: list[list[list[str]]] = []
    real = pdf.signature_rows

    def spy(x: Any) -> list[list[str]]:
        printed_rows.append(real(x))
        return printed_rows[-1]

    monkeypatch.setattr(pdf, "signature_rows", spy)
    c = Client()
    c.force_login(officer)
    r = c.get(f"/assessments/{a.public_id}/report.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert printed_rows == [rows]
