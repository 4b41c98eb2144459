"""Indicators for the statistics module: numerator/denominator per region subtree."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from yanglao.accounts.roles import Role
from yanglao.institutions import queries, services
from yanglao.institutions.queries import Ratio
from yanglao.institutions.tests.conftest import credit_code, institution_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(regions: None, make_user: Any) -> None:
    """南关区: public 100 beds (60 nursing, 10 dementia, insured), 公建民营 50 (20, 0),
    private 40 (40, 30, insured), a closed public home 200 (0, 0, insured).
    船营区: public 10 beds (10 nursing, 5 dementia)."""
    nanguan = make_user(Role.COUNTY_OFFICER, "220102")
    chuanying = make_user(Role.COUNTY_OFFICER, "220204")
    rows = [
        (nanguan, 1, "220102001001", "public", 100, 60, 10, True, "operating"),
        (nanguan, 2, "220102002001", "public_private", 50, 20, 0, False, "operating"),
        (nanguan, 3, "220102001001", "private", 40, 40, 30, True, "operating"),
        (nanguan, 4, "220102001001", "public", 200, 0, 0, True, "closed"),
        (chuanying, 5, "220204001001", "public", 10, 10, 5, False, "operating"),
    ]
    for actor, seq, village, own, beds, nursing, dementia, insured, status in rows:
        services.institution_register(
            actor=actor,
            data=institution_input(
                seq,
                village,
                credit_code=credit_code(seq, area=village[:6]),
                ownership=own,
                profit="nonprofit",
                beds_total=beds,
                beds_nursing=nursing,
                beds_dementia=dementia,
                liability_insured=insured,
                status=status,
            ),
        )


@pytest.mark.parametrize(
    ("region", "nursing", "dementia", "insured"),
    [
        ("220102", Ratio(80, 150), Ratio(40, 190), Ratio(2, 3)),
        ("220102001", Ratio(60, 100), Ratio(40, 140), Ratio(2, 2)),
        ("220102002001", Ratio(20, 50), Ratio(0, 50), Ratio(0, 1)),
        ("220204", Ratio(10, 10), Ratio(5, 10), Ratio(0, 1)),
        ("22", Ratio(90, 160), Ratio(45, 200), Ratio(2, 4)),
        ("220103", Ratio(0, 0), Ratio(0, 0), Ratio(0, 0)),
    ],
)
def test_indicators_per_subtree(
    homes: None, region: str, nursing: Ratio, dementia: Ratio, insured: Ratio
) -> None:
    assert queries.nursing_bed_share(region) == nursing
    assert queries.dementia_beds(region) == dementia
    assert queries.liability_insurance_rate(region) == insured


def test_shares_and_targets(homes: None) -> None:
    assert queries.nursing_bed_share("220102").share == D("53.3")  # below the 60 % target
    assert queries.nursing_bed_share("220102001").share == D("60.0")
    assert queries.nursing_bed_share("220103").share is None
    assert queries.dementia_bed_target("2201") == 500
    assert queries.dementia_bed_target("220102") is None  # a city target, not a county's
    assert queries.dementia_bed_target("2202") is None


def test_inspection_indicators_without_any_inspection(homes: None) -> None:
    # Inspected homes and rectifications against real inspections: test_supervision.py
    # (test_coverage_and_rectification_on_time_indicators).
    assert queries.inspection_coverage("220102", 2026) == Ratio(0, 3)
    assert queries.rectification_on_time("220102", 2026) == Ratio(0, 0)
    every = queries.indicators("220102", 2026)
    assert every.nursing_bed_share == Ratio(80, 150) and every.nursing_share_target == 60
    assert every.liability_insurance.share == D("66.7")


def test_one_query_per_indicator(homes: None, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        queries.nursing_bed_share("22")
    with django_assert_num_queries(1):
        queries.liability_insurance_rate("22")


def test_bad_region_code_raises(homes: None) -> None:
    with pytest.raises(ValueError):
        queries.nursing_bed_share("22x")
