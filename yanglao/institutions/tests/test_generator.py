"""The province generator: homes spread by older population, beds adding up, reports and
balances set-based, valid credit codes; the lists run over it; regenerating replaces it."""

from __future__ import annotations

from datetime import date

import pytest

from yanglao.institutions import generator
from yanglao.institutions import queries_reports as queries
from yanglao.institutions.models import Institution, MonthlyReport, PrepaidBalance
from yanglao.institutions.rules import credit_code_errors
from yanglao.people.generator import load_villages

pytestmark = pytest.mark.django_db
MONTH = date(2026, 10, 1)
JILIN = ("220000000000", "229999999999")


def test_generate_a_small_province(regions: None) -> None:
    villages = load_villages()
    made = generator.generate(villages, month=MONTH, homes=60, beds=6000, seed=7)
    assert made.homes == 60 and made.beds == 6000
    homes = Institution.objects.filter(name__endswith=generator.SUFFIX)
    assert homes.count() == 60
    assert all(credit_code_errors(c) == [] for c in homes.values_list("credit_code", flat=True))
    # Both fixture counties get homes, in proportion to their older population.
    by_county = {c: homes.filter(region__code__startswith=c).count() for c in ("220102", "220204")}
    assert sum(by_county.values()) == 60 and min(by_county.values()) > 0
    assert MonthlyReport.objects.count() == made.reports > 60
    assert PrepaidBalance.objects.count() == made.balances
    rows = queries.risk_list(JILIN, MONTH, date(2026, 11, 30))
    assert len(rows) == homes.exclude(status="closed").count()
    assert rows[0].risk.score >= rows[-1].risk.score
    owed = queries.reports_owed(JILIN, MONTH)
    expected = homes.filter(status="operating").exclude(monthly_reports__month=MONTH)
    assert len(owed) == expected.count() > 0
    totals = queries.report_totals(JILIN, MONTH)
    assert totals["homes"] == MonthlyReport.objects.filter(month=MONTH).count()
    # Regenerating replaces the generated rows.
    generator.generate(villages, month=MONTH, homes=30, beds=3000, seed=8)
    assert Institution.objects.filter(name__endswith=generator.SUFFIX).count() == 30


@pytest.mark.parametrize(("n", "beds"), [(1, 10), (750, 95_000), (69, 1000)])
def test_bed_sizes_add_up(n: int, beds: int) -> None:
    import random

    sizes = generator.bed_sizes(n, beds, random.Random(1))
    assert sum(sizes) == beds and len(sizes) == n and min(sizes) > 0
