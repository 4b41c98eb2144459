"""Pure rules of reports, policy values, prepaid fees (民发〔2024〕19号) and the risk score,
table-driven at every boundary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from yanglao.institutions import prepaid_rules as pr
from yanglao.institutions import report_rules as rr
from yanglao.institutions.choices import CareBucket, RuleKey

LIMITS = rr.limits_of(rr.effective_values([], [None], date(2026, 1, 1)))
PROVINCE, CITY, COUNTY = "220000000000", "220100000000", "220102000000"
CHAIN = [None, PROVINCE, CITY, COUNTY]


def test_national_defaults_carry_their_document() -> None:
    assert LIMITS.service_months_max == 12
    assert LIMITS.deposit_multiple_max == 12
    assert LIMITS.assets_percent_max == 100
    assert LIMITS.stop_notice_days_min == 30
    assert LIMITS.report_due_day == 10
    assert LIMITS.membership_private is True
    assert "民发〔2024〕19号" in LIMITS.documents[RuleKey.DEPOSIT_MULTIPLE_MAX]
    assert "待核实" in LIMITS.documents[RuleKey.REPORT_DUE_DAY]


def row(region: str | None, key: str, value: int, on: date = date(2025, 1, 1)) -> rr.RuleRow:
    return rr.RuleRow(region, key, D(value), on, f"文{region}")


@pytest.mark.parametrize(
    ("rows", "on", "expected"),
    [
        ([], date(2026, 1, 1), 12),
        ([row(PROVINCE, RuleKey.SERVICE_MONTHS_MAX, 6)], date(2026, 1, 1), 6),
        # Not yet in force the day before.
        ([row(PROVINCE, RuleKey.SERVICE_MONTHS_MAX, 6)], date(2024, 12, 31), 12),
        # The stricter of the levels wins, whoever set it.
        (
            [row(PROVINCE, RuleKey.SERVICE_MONTHS_MAX, 6), row(COUNTY, "service_months_max", 9)],
            date(2026, 1, 1),
            6,
        ),
        (
            [row(PROVINCE, RuleKey.SERVICE_MONTHS_MAX, 9), row(COUNTY, "service_months_max", 3)],
            date(2026, 1, 1),
            3,
        ),
        # The newest row of a level replaces its older one.
        (
            [
                row(CITY, RuleKey.SERVICE_MONTHS_MAX, 3),
                row(CITY, RuleKey.SERVICE_MONTHS_MAX, 8, date(2025, 6, 1)),
            ],
            date(2026, 1, 1),
            8,
        ),
        # Another county's row is not in the chain.
        ([row("220204000000", RuleKey.SERVICE_MONTHS_MAX, 1)], date(2026, 1, 1), 12),
        # A national row replaces the shipped default.
        ([row(None, RuleKey.SERVICE_MONTHS_MAX, 10)], date(2026, 1, 1), 10),
    ],
)
def test_effective_value_is_the_strictest_along_the_chain(rows, on, expected) -> None:
    values = rr.effective_values(rows, CHAIN, on)
    assert values[RuleKey.SERVICE_MONTHS_MAX][0] == expected


def test_stricter_direction_for_notice_days() -> None:
    rows = [
        row(PROVINCE, RuleKey.STOP_NOTICE_DAYS_MIN, 60),
        row(COUNTY, "stop_notice_days_min", 45),
    ]
    limits = rr.limits_of(rr.effective_values(rows, CHAIN, date(2026, 1, 1)))
    assert limits.stop_notice_days_min == 60
    assert limits.documents[RuleKey.STOP_NOTICE_DAYS_MIN] == f"文{PROVINCE}"


@pytest.mark.parametrize(
    ("key", "value", "parent", "ok"),
    [
        (RuleKey.SERVICE_MONTHS_MAX, 12, 12, True),  # equal is allowed
        (RuleKey.SERVICE_MONTHS_MAX, 11, 12, True),
        (RuleKey.SERVICE_MONTHS_MAX, 13, 12, False),  # above the national limit
        (RuleKey.SERVICE_MONTHS_MAX, 7, 6, False),  # looser than the level above
        (RuleKey.SERVICE_MONTHS_MAX, 0, 12, False),  # below the range
        (RuleKey.DEPOSIT_MULTIPLE_MAX, 0, 12, True),  # no deposit at all
        (RuleKey.STOP_NOTICE_DAYS_MIN, 30, 30, True),
        (RuleKey.STOP_NOTICE_DAYS_MIN, 29, 30, False),
        (RuleKey.STOP_NOTICE_DAYS_MIN, 90, 30, True),
        (RuleKey.STOP_NOTICE_DAYS_MIN, 366, 30, False),
        (RuleKey.MEMBERSHIP_PRIVATE, 0, 1, True),
        (RuleKey.MEMBERSHIP_PRIVATE, 1, 0, False),
        (RuleKey.REPORT_DUE_DAY, 5, 10, True),
        (RuleKey.REPORT_DUE_DAY, 11, 10, False),
        (RuleKey.REPORT_DUE_DAY, 29, 30, False),
        ("nonsense", 1, 1, False),
    ],
)
def test_override_only_stricter(key, value, parent, ok) -> None:
    assert (rr.check_override(key, D(value), D(parent)) is None) is ok


@pytest.mark.parametrize(
    ("raw", "month"),
    [
        ("2026-10", date(2026, 10, 1)),
        ("2026-1", date(2026, 1, 1)),
        ("２０２６－１０", None),  # full-width dash is not a separator
        ("２０２６-１０", date(2026, 10, 1)),
        ("2026年10月", date(2026, 10, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("1999-12", None),
        ("26-10", None),
        ("2026-10-01", None),
        ("2026\x00-10", None),
        ("", None),
        ("9" * 5000, None),
    ],
)
def test_parse_month(raw: str, month: date | None) -> None:
    assert rr.parse_month(raw) == month


@pytest.mark.parametrize(
    ("month", "today", "ok"),
    [
        (date(2026, 10, 1), date(2026, 11, 1), True),  # the month just ended
        (date(2026, 11, 1), date(2026, 11, 30), False),  # not over yet
        (date(2024, 11, 1), date(2026, 11, 30), True),  # 24 months back
        (date(2024, 10, 1), date(2026, 11, 30), False),
        (None, date(2026, 11, 30), False),
    ],
)
def test_month_errors(month, today, ok) -> None:
    assert (rr.month_errors(month, today) == []) is ok


@pytest.mark.parametrize(
    ("month", "day", "due"),
    [
        (date(2026, 10, 1), 10, date(2026, 11, 10)),
        (date(2026, 12, 1), 10, date(2027, 1, 10)),
        (date(2027, 1, 1), 28, date(2027, 2, 28)),
        (date(2026, 10, 17), 5, date(2026, 11, 5)),
    ],
)
def test_report_due(month, day, due) -> None:
    assert rr.report_due(month, day) == due


@pytest.mark.parametrize(
    ("text", "bucket"),
    [
        ("能力完好", CareBucket.INTACT),
        ("自理", CareBucket.INTACT),
        ("轻度失能", CareBucket.MILD),
        ("中度失能", CareBucket.MODERATE),
        ("重度失能", CareBucket.SEVERE),
        ("完全失能", CareBucket.TOTAL),
        ("一级护理", CareBucket.UNASSESSED),
        ("", CareBucket.UNASSESSED),
    ],
)
def test_grade_bucket(text: str, bucket: str) -> None:
    assert rr.grade_bucket(text) == bucket


# --- prepaid rules ----------------------------------------------------------------------


def filing(ownership: str = "private", *items: pr.Item, **kw) -> pr.FilingFacts:
    base: dict[str, Any] = {
        "total_held": D(100_000),
        "fixed_assets_net": D(1_000_000),
        "fixed_assets_pledged": D(0),
        "custody_account": "6222000011112222",
        "risk_reserve": D(50_000),
    }
    return pr.FilingFacts(ownership, items, **(base | kw))


def codes_of(vs: list[pr.Violation]) -> list[str]:
    return [v.code for v in vs]


@pytest.mark.parametrize(
    ("item", "ownership", "codes"),
    [
        (pr.Item("service_fee", D(30_000), months=12), "private", []),
        (pr.Item("service_fee", D(32_500), months=13), "private", ["service_months"]),
        (pr.Item("deposit", D(18_000), bed_fee=D(1500)), "private", []),  # exactly 12 ×
        (pr.Item("deposit", D("18000.01"), bed_fee=D(1500)), "private", ["deposit"]),
        (pr.Item("membership", D(10_000)), "private", []),
        (pr.Item("membership", D(10_000)), "public", ["membership"]),
        (pr.Item("membership", D(10_000)), "public_private", ["membership"]),
    ],
)
def test_filing_item_rules(item: pr.Item, ownership: str, codes: list[str]) -> None:
    assert codes_of(pr.filing_violations(filing(ownership, item), LIMITS)) == codes


@pytest.mark.parametrize(
    ("held", "net", "pledged", "ok"),
    [
        (D(600_000), D(1_000_000), D(400_000), True),  # exactly the unpledged assets
        (D("600000.01"), D(1_000_000), D(400_000), False),
        (D(0), D(0), D(0), True),
        (D(1), D(0), D(0), False),
    ],
)
def test_total_prepaid_within_net_fixed_assets(held, net, pledged, ok) -> None:
    f = filing("private", total_held=held, fixed_assets_net=net, fixed_assets_pledged=pledged)
    assert ("assets" not in codes_of(pr.filing_violations(f, LIMITS))) is ok


def test_deposit_and_membership_need_custody_and_reserve() -> None:
    item = pr.Item("deposit", D(1000), bed_fee=D(1000))
    f = filing("private", item, custody_account="", risk_reserve=D(0))
    assert codes_of(pr.filing_violations(f, LIMITS)) == ["custody", "reserve"]
    # Service fees alone need no custody account.
    f = filing("private", pr.Item("service_fee", D(1000), months=1), custody_account="")
    assert pr.filing_violations(f, LIMITS) == []


def test_region_forbidding_membership_to_private_homes() -> None:
    rows = [row(PROVINCE, RuleKey.MEMBERSHIP_PRIVATE, 0)]
    strict = rr.limits_of(rr.effective_values(rows, CHAIN, date(2026, 1, 1)))
    vs = pr.filing_violations(filing("private", pr.Item("membership", D(1))), strict)
    assert codes_of(vs) == ["membership"] and vs[0].document == f"文{PROVINCE}"


def balance(**kw) -> pr.BalanceFacts:
    base: dict[str, Any] = {
        "ownership": "private",
        "service_fees_monthly": D(100_000),
        "bed_fees_monthly": D(40_000),
        "service_balance": D(0),
        "deposit_balance": D(0),
        "membership_balance": D(0),
        "custody_balance": D(0),
        "fixed_assets_net": D(10_000_000),
        "fixed_assets_pledged": D(0),
    }
    return pr.BalanceFacts(**(base | kw))


@pytest.mark.parametrize(
    ("kw", "codes"),
    [
        ({"service_balance": D(1_200_000)}, []),  # 12 months of fees billed
        ({"service_balance": D("1200000.01")}, ["service_months"]),
        ({"deposit_balance": D(480_000), "custody_balance": D(480_000)}, []),
        ({"deposit_balance": D("480000.01"), "custody_balance": D(500_000)}, ["deposit"]),
        ({"deposit_balance": D(1000), "custody_balance": D(999)}, ["custody"]),
        ({"membership_balance": D(1), "custody_balance": D(1)}, []),
        (
            {"membership_balance": D(1), "custody_balance": D(1), "ownership": "public"},
            ["membership"],
        ),
        ({"service_balance": D(1_000_000), "fixed_assets_net": D(1_000_000)}, []),
        (
            {
                "service_balance": D(1_000_000),
                "fixed_assets_net": D(1_000_000),
                "fixed_assets_pledged": D(1),
            },
            ["assets"],
        ),
    ],
)
def test_balance_rules(kw, codes) -> None:
    assert codes_of(pr.balance_violations(balance(**kw), LIMITS)) == codes


@pytest.mark.parametrize(
    ("notified", "stop", "ok"),
    [
        (date(2026, 11, 1), date(2026, 12, 1), True),  # 30 days
        (date(2026, 11, 1), date(2026, 11, 30), False),  # 29 days
        (date(2026, 11, 1), date(2027, 1, 1), True),
    ],
)
def test_stop_notice(notified, stop, ok) -> None:
    assert (pr.stop_notice_violation(notified, stop, LIMITS) is None) is ok


# --- risk score -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "score", "parts"),
    [
        (pr.RiskFacts(reported=True, custody=D(100), fees=D(10)), 0, {}),
        (pr.RiskFacts(reported=False), 10, {"no_report": 10}),
        # Cover 10 → 5 months: a 50 % fall gives the full 40.
        (pr.RiskFacts(True, D(50), D(10), D(100), D(10)), 40, {"fall": 40}),
        # 25 % fall → 20.
        (pr.RiskFacts(True, D(75), D(10), D(100), D(10)), 20, {"fall": 20}),
        # Balance down but residents × fees down as much: no fall.
        (pr.RiskFacts(True, D(50), D(5), D(100), D(10)), 0, {}),
        # Balance up: no fall.
        (pr.RiskFacts(True, D(150), D(10), D(100), D(10)), 0, {}),
        # Arrears of half a month's fees → 10; one month or more → 20.
        (pr.RiskFacts(True, D(100), D(10), arrears=D(5)), 10, {"arrears": 10}),
        (pr.RiskFacts(True, D(100), D(10), arrears=D(30)), 20, {"arrears": 20}),
        (pr.RiskFacts(True, D(0), D(0), arrears=D(1)), 20, {"arrears": 20}),
        (pr.RiskFacts(True, D(100), D(10), violations=1), 10, {"violations": 10}),
        (pr.RiskFacts(True, D(100), D(10), violations=3), 20, {"violations": 20}),
        (pr.RiskFacts(True, D(100), D(10), complaints=3), 15, {"complaints": 15}),
        (pr.RiskFacts(True, D(100), D(10), complaints=9), 20, {"complaints": 20}),
        (pr.RiskFacts(True, D(100), D(10), stop_notice=True), 30, {"stop_notice": 30}),
        # Everything at once is capped at 100.
        (
            pr.RiskFacts(True, D(0), D(10), D(100), D(10), D(99), 5, 9, True),
            100,
            {"fall": 40, "violations": 20, "arrears": 20, "complaints": 20, "stop_notice": 30},
        ),
    ],
)
def test_risk_score(facts: pr.RiskFacts, score: int, parts: dict[str, int]) -> None:
    risk = pr.risk_score(facts)
    assert (risk.score, risk.parts) == (score, parts)


@pytest.mark.parametrize(
    ("score", "level"), [(0, "无"), (1, "低"), (29, "低"), (30, "中"), (59, "中"), (60, "高")]
)
def test_risk_levels(score: int, level: str) -> None:
    assert pr.Risk(score).level == level
