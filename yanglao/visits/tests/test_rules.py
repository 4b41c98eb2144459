"""Pure rules, table-driven at every boundary."""

from __future__ import annotations

from datetime import date

import pytest

from yanglao.visits import rules
from yanglao.visits.choices import GENERAL, HIGH_RISK, FollowUpKind, Method, Period, RiskLevel
from yanglao.visits.rules import CountingRow, FollowUpInput, FrequencyRow
from yanglao.visits.testing import all_ok, visit_input

JILIN, CHANGCHUN, NANGUAN = "220000000000", "220100000000", "220102000000"
CHAIN = [None, JILIN, CHANGCHUN, NANGUAN]
D0 = date(2022, 10, 1)

NATIONAL = [FrequencyRow(None, t, p, D0) for t, p in rules.DEFAULT_FREQUENCY.items()]


@pytest.mark.parametrize(
    ("extra", "on", "target", "expected"),
    [
        ([], date(2025, 1, 1), "living_alone", Period.MONTH),
        ([], date(2025, 1, 1), GENERAL, Period.QUARTER),
        ([], date(2025, 1, 1), HIGH_RISK, Period.WEEK),
        # The province tightens 独居 to weekly from 2025-03-01: not before, from that day on.
        (
            [FrequencyRow(JILIN, "living_alone", "week", date(2025, 3, 1))],
            date(2025, 2, 28),
            "living_alone",
            Period.MONTH,
        ),
        (
            [FrequencyRow(JILIN, "living_alone", "week", date(2025, 3, 1))],
            date(2025, 3, 1),
            "living_alone",
            Period.WEEK,
        ),
        # A county row looser than the province's is ignored at resolution: strictest wins.
        (
            [
                FrequencyRow(JILIN, GENERAL, "month", D0),
                FrequencyRow(NANGUAN, GENERAL, "quarter", D0),
            ],
            date(2025, 1, 1),
            GENERAL,
            Period.MONTH,
        ),
        # A newer row of the same level replaces the older one.
        (
            [
                FrequencyRow(NANGUAN, GENERAL, "week", D0),
                FrequencyRow(NANGUAN, GENERAL, "month", date(2024, 1, 1)),
            ],
            date(2025, 1, 1),
            GENERAL,
            Period.MONTH,
        ),
        # Rows of another county do not apply.
        (
            [FrequencyRow("220204000000", GENERAL, "week", D0)],
            date(2025, 1, 1),
            GENERAL,
            Period.QUARTER,
        ),
    ],
)
def test_effective_periods(extra, on, target, expected) -> None:
    assert rules.effective_periods(NATIONAL + extra, CHAIN, on)[target] == expected


@pytest.mark.parametrize(
    ("parent", "target", "period", "ok"),
    [
        ({"living_alone": "month"}, "living_alone", "week", True),
        ({"living_alone": "month"}, "living_alone", "month", True),
        ({"living_alone": "month"}, "living_alone", "quarter", False),
        ({GENERAL: "quarter"}, GENERAL, "month", True),
        ({}, "living_alone", "quarter", True),
        ({}, "nonsense", "week", False),
        ({}, "living_alone", "yearly", False),
    ],
)
def test_check_frequency(parent, target, period, ok) -> None:
    reason = rules.check_frequency(parent, target, period)
    assert (reason is None) == ok
    if not ok and target == "living_alone" and period == "quarter":
        assert reason is not None and "不能放宽" in reason


@pytest.mark.parametrize(
    ("parent", "methods", "ok"),
    [
        (frozenset({"door", "video"}), ["door"], True),
        (frozenset({"door", "video"}), ["door", "video"], True),
        (frozenset({"door", "video"}), ["door", "phone"], False),
        (frozenset({"door", "video"}), [], False),
        (frozenset({"door", "video"}), ["fax"], False),
    ],
)
def test_check_counting(parent, methods, ok) -> None:
    assert (rules.check_counting(parent, methods) is None) == ok  # no region: no widening


def test_effective_methods_intersect_levels() -> None:
    rows = [
        CountingRow(None, frozenset({"door", "video"}), D0),
        CountingRow(JILIN, frozenset({"door"}), date(2025, 1, 1)),
    ]
    assert rules.effective_methods(rows, CHAIN, date(2024, 12, 31)) == {"door", "video"}
    assert rules.effective_methods(rows, CHAIN, date(2025, 1, 1)) == {"door"}
    assert rules.effective_methods([], CHAIN, D0) == rules.DEFAULT_COUNTING


@pytest.mark.parametrize(
    ("held", "high", "expected"),
    [
        ([], False, Period.QUARTER),
        (["minimum_living"], False, Period.QUARTER),  # 低保 is not a visit category
        (["living_alone"], False, Period.MONTH),
        (["living_alone", "disabled"], False, Period.MONTH),
        (["living_alone"], True, Period.WEEK),
        ([], True, Period.WEEK),
    ],
)
def test_person_period_is_strictest(held, high, expected) -> None:
    assert rules.person_period(held, rules.DEFAULT_FREQUENCY, high) == expected


def test_person_period_with_a_tightened_category() -> None:
    periods = {**rules.DEFAULT_FREQUENCY, "disabled": Period.WEEK}
    assert rules.person_period(["living_alone", "disabled"], periods) == Period.WEEK


@pytest.mark.parametrize(
    ("month", "period", "expected"),
    [
        (date(2026, 2, 1), "month", [(date(2026, 2, 1), date(2026, 2, 28))]),
        (date(2028, 2, 1), "month", [(date(2028, 2, 1), date(2028, 2, 29))]),
        (date(2026, 5, 1), "quarter", [(date(2026, 4, 1), date(2026, 6, 30))]),
        (date(2026, 12, 1), "quarter", [(date(2026, 10, 1), date(2026, 12, 31))]),
        # June 2026 starts on a Monday: five weeks, the last one ends in July.
        (
            date(2026, 6, 1),
            "week",
            [(date(2026, 6, d), date(2026, 6, d + 6)) for d in (1, 8, 15, 22)]
            + [(date(2026, 6, 29), date(2026, 7, 5))],
        ),
        # March 2026 starts on a Sunday: the first week is the Monday 2 March.
        (
            date(2026, 3, 1),
            "week",
            [(date(2026, 3, d), date(2026, 3, d + 6)) for d in (2, 9, 16, 23)]
            + [(date(2026, 3, 30), date(2026, 4, 5))],
        ),
    ],
)
def test_periods_for_month(month, period, expected) -> None:
    assert rules.periods_for_month(month, period) == expected


def test_closing_day_and_month_parsing() -> None:
    assert rules.closes_on(date(2026, 1, 31)) == date(2026, 2, 6)
    assert rules.parse_month("2026-03") == date(2026, 3, 1)
    assert rules.parse_month("2026-13") is None
    assert rules.parse_month("x") is None
    assert rules.add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)


TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("changes", "error_key"),
    [
        ({}, None),
        ({"method": "letter"}, "method"),
        ({"risk_level": "x"}, "risk_level"),
        ({"visit_date": date(2026, 3, 11)}, "visit_date"),
        ({"visit_date": date(2025, 3, 8)}, "visit_date"),
        ({"visit_date": date(2025, 3, 9)}, None),
        ({"findings": {**all_ok(), "health": {"level": "concern", "note": ""}}}, "findings.health"),
        ({"findings": {**all_ok(), "health": {"level": "concern", "note": "血压高"}}}, None),
        ({"findings": {k: v for k, v in all_ok().items() if k != "mental"}}, "findings.mental"),
        (
            {"findings": {**all_ok(), "needs": {"level": "ok", "note": "", "needs": ["spa"]}}},
            "findings.needs",
        ),
        ({"findings": {**all_ok(), "weather": {"level": "ok"}}}, "findings"),
        ({"latitude": 43.9}, "location"),
        ({"latitude": 91.0, "longitude": 125.3}, "location"),
        ({"latitude": 43.9, "longitude": 125.3}, None),
        ({"risk_level": RiskLevel.EMERGENCY}, "risk_level"),
        (
            {
                "risk_level": RiskLevel.EMERGENCY,
                "follow_ups": [FollowUpInput(FollowUpKind.EMERGENCY, call_made=True)],
            },
            None,
        ),
        ({"follow_ups": [FollowUpInput(FollowUpKind.SERVICE, "")]}, "follow_ups.0"),
        ({"follow_ups": [FollowUpInput(FollowUpKind.SERVICE, "社区助餐点")]}, None),
        (
            {"follow_ups": [FollowUpInput(FollowUpKind.SERVICE, "助餐", date(2026, 3, 9))]},
            "follow_ups.0",
        ),
        ({"marked_change": True}, "summary"),
        ({"marked_change": True, "summary": "近两周行走明显困难"}, None),
    ],
)
def test_check_visit(changes, error_key) -> None:
    v = visit_input(date(2026, 3, 10), method=Method.DOOR)
    for k, val in changes.items():
        setattr(v, k, val)
    errors = rules.check_visit(v, today=TODAY, birth_date=date(1940, 1, 1))
    if error_key is None:
        assert errors == {}
    else:
        assert error_key in errors, errors
        assert all(isinstance(m, str) and m for ms in errors.values() for m in ms)


@pytest.mark.parametrize(
    ("visited", "roster", "expected", "text"),
    [(0, 0, None, "—"), (0, 3, 0.0, "0.0%"), (2, 3, 2 / 3, "66.7%"), (3, 3, 1.0, "100.0%")],
)
def test_rate(visited, roster, expected, text) -> None:
    assert rules.rate(visited, roster) == expected
    assert rules.percent(rules.rate(visited, roster)) == text


def test_shipped_floor_as_rows_is_idempotent(db) -> None:
    from yanglao.visits import policy
    from yanglao.visits.models import CountingRule, FrequencyRule

    assert policy.ensure_national_defaults() == 0  # migration 0002 already wrote them
    FrequencyRule.objects.all().delete()
    CountingRule.objects.all().delete()
    assert policy.ensure_national_defaults() == len(rules.DEFAULT_FREQUENCY) + 1
    assert policy.periods_for("220102001001", date(2026, 1, 1)) == rules.DEFAULT_FREQUENCY


TOWNSHIP = "220102001000"
DOOR_VIDEO = frozenset({"door", "video"})


@pytest.mark.parametrize(
    ("region", "methods", "ok"),
    [
        # Issue 10 part 7: a province or a city may count 电话 beyond the level above …
        (JILIN, ["door", "video", "phone"], True),
        (CHANGCHUN, ["door", "video", "phone"], True),
        (CHANGCHUN, ["door", "phone"], True),
        # … a county, township or village may not, …
        (NANGUAN, ["door", "video", "phone"], False),
        (TOWNSHIP, ["door", "phone"], False),
        (None, ["door", "phone"], False),
        # … and nobody may add 远程监测 (only 电话 is addable).
        (JILIN, ["door", "video", "remote"], False),
        (CHANGCHUN, ["door", "phone", "remote"], False),
        # Narrowing is always allowed.
        (NANGUAN, ["door"], True),
    ],
)
def test_check_counting_by_level(region, methods, ok) -> None:
    reason = rules.check_counting(DOOR_VIDEO, methods, region)
    assert (reason is None) == ok
    if region == NANGUAN and not ok:
        assert reason is not None and "只有省、市两级" in reason


@pytest.mark.parametrize(
    ("rows", "chain", "expected"),
    [
        # National default only.
        ([], CHAIN, {"door", "video"}),
        # The province adds phone: it counts in the whole province …
        (
            [CountingRow(JILIN, frozenset({"door", "video", "phone"}), D0)],
            CHAIN,
            {"door", "video", "phone"},
        ),
        # … a county may drop it again (narrowing) …
        (
            [
                CountingRow(JILIN, frozenset({"door", "video", "phone"}), D0),
                CountingRow(NANGUAN, frozenset({"door", "video"}), D0),
            ],
            CHAIN,
            {"door", "video"},
        ),
        # … a city may add it when the province did not …
        (
            [CountingRow(CHANGCHUN, frozenset({"door", "video", "phone"}), D0)],
            CHAIN,
            {"door", "video", "phone"},
        ),
        # … a county row naming phone (stored before the rule, or by hand) does not add it …
        (
            [CountingRow(NANGUAN, frozenset({"door", "video", "phone"}), D0)],
            CHAIN,
            {"door", "video"},
        ),
        # … a province row naming remote does not add remote …
        ([CountingRow(JILIN, frozenset({"door", "remote"}), D0)], CHAIN, {"door"}),
        # … and a province row that drops video narrows, even if the city names video.
        (
            [
                CountingRow(JILIN, frozenset({"door", "phone"}), D0),
                CountingRow(CHANGCHUN, frozenset({"door", "video", "phone"}), D0),
            ],
            CHAIN,
            {"door", "phone"},
        ),
    ],
)
def test_effective_methods_by_level(rows, chain, expected) -> None:
    national = [CountingRow(None, frozenset({"door", "video"}), D0)]
    assert rules.effective_methods(national + rows, chain, date(2026, 1, 1)) == expected
