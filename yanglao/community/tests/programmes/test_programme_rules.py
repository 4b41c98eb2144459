"""Table-driven tests of the pure rules (community.programmes.rules) at every boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from yanglao.community.programmes import policy, rules

T = policy.HOME_BED


@pytest.mark.parametrize(
    ("cats", "grade", "ok", "why"),
    [
        ({"minimum_living"}, 1, True, ""),
        ({"extreme_poverty"}, 4, True, ""),
        ({"marginal_low_income"}, 2, True, ""),
        ({"minimum_living"}, 0, False, "能力完好"),
        ({"minimum_living"}, None, False, "没有已确认的能力评估"),
        ({"living_alone"}, 3, False, "经济困难"),
        (set(), None, False, "经济困难"),
        ({"living_alone", "disabled"}, 2, False, "经济困难"),
    ],
)
def test_homebed_eligibility(cats: set[str], grade: int | None, ok: bool, why: str) -> None:
    reasons = rules.homebed_refusals(cats, grade)
    assert (not reasons) is ok
    assert why in "".join(reasons)


@pytest.mark.parametrize(
    ("delivered", "promised", "short"), [(0, 4, True), (3, 4, True), (4, 4, False), (9, 4, False)]
)
def test_homebed_short(delivered: int, promised: int, short: bool) -> None:
    assert rules.homebed_short(delivered, promised) is short


@pytest.mark.parametrize(
    ("cats", "age", "tier"),
    [
        ({"extreme_poverty"}, 65, "t1"),
        ({"minimum_living", "living_alone"}, 85, "t1"),  # the most generous tier wins
        ({"marginal_low_income"}, 70, "t2"),
        ({"disabled"}, 60, "t2"),
        ({"bereaved_family"}, 60, "t2"),
        ({"living_alone"}, 60, "t3"),
        ({"empty_nest"}, 79, "t3"),
        (set(), 80, "t3"),  # 高龄 from the age alone, at exactly 80
        (set(), 79, "t0"),
        ({"left_behind"}, 70, "t0"),
    ],
)
def test_meal_tier(cats: set[str], age: int, tier: str) -> None:
    assert rules.meal_tier(cats, age).code == tier


def test_meal_tiers_descend_in_subsidy() -> None:
    amounts = [t.subsidy for t in (*policy.MEAL_TIERS, policy.MEAL_TIER_NONE)]
    assert amounts == sorted(amounts, reverse=True)


D = date(2026, 11, 10)


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (rules.DinerFacts(date(2026, 11, 1), None, "alive", None), ""),
        (rules.DinerFacts(D, None, "alive", None), ""),  # enrolment day counts
        (rules.DinerFacts(D + timedelta(days=1), None, "alive", None), "不在助餐登记期内"),
        (rules.DinerFacts(date(2026, 1, 1), D, "alive", None), "不在助餐登记期内"),  # end day out
        (rules.DinerFacts(date(2026, 1, 1), D + timedelta(days=1), "alive", None), ""),
        (rules.DinerFacts(date(2026, 1, 1), None, "deceased", D), "老人已死亡"),
        (rules.DinerFacts(date(2026, 1, 1), None, "deceased", D + timedelta(days=1)), ""),
        (
            rules.DinerFacts(date(2026, 1, 1), None, "moved_out", D - timedelta(days=3)),
            "老人已迁出",
        ),
        (rules.DinerFacts(date(2026, 1, 1), None, "alive", None, ((D, None),)), "入住养老机构期间"),
        (rules.DinerFacts(date(2026, 1, 1), None, "alive", None, ((date(2026, 11, 1), D),)), ""),
        (
            rules.DinerFacts(
                date(2026, 1, 1), None, "alive", None, ((date(2026, 11, 1), D + timedelta(days=1)),)
            ),
            "入住养老机构期间",
        ),
    ],
)
def test_meal_refusal(facts: rules.DinerFacts, reason: str) -> None:
    assert rules.meal_refusal(D, facts) == reason


@pytest.mark.parametrize(
    ("total", "subsidy"),
    [
        ("0", "0.00"),
        ("1200.50", "1200.50"),
        ("3000", "3000.00"),
        ("3000.01", "3000.00"),
        ("-5", "0.00"),
    ],
)
def test_modification_subsidy_capped(total: str, subsidy: str) -> None:
    assert rules.modification_subsidy(Decimal(total)) == Decimal(subsidy)


@pytest.mark.parametrize(
    ("done", "target", "pct"),
    [(0, 3000, 0), (2999, 3000, 99), (3000, 3000, 100), (3500, 3000, 116), (5, 0, None)],
)
def test_percent(done: int, target: int, pct: int | None) -> None:
    assert rules.percent(done, target) == pct


R = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("arrived", "now", "minutes", "late"),
    [
        (R + timedelta(minutes=12), R + timedelta(hours=1), 12, False),
        (R + timedelta(minutes=30), R + timedelta(hours=1), 30, False),  # exactly on target
        (R + timedelta(minutes=30, seconds=1), R + timedelta(hours=1), 30, True),
        (R + timedelta(minutes=45), R + timedelta(hours=1), 45, True),
        (None, R + timedelta(minutes=30), None, False),
        (None, R + timedelta(minutes=31), None, True),
    ],
)
def test_response(arrived: datetime | None, now: datetime, minutes: int | None, late: bool) -> None:
    r = rules.response(R, arrived, now)
    assert (r.minutes, r.late) == (minutes, late)


def test_distance_is_about_right() -> None:
    # 0.01° of latitude is ~1.11 km anywhere.
    assert 1100 < rules.distance_m(43.87, 125.33, 43.88, 125.33) < 1125
    assert rules.distance_m(43.87, 125.33, 43.87, 125.33) == 0


@pytest.mark.parametrize(
    ("offset_m", "inside"),
    [(0, True), (500, True), (999, True), (1000, True), (1001, False), (5000, False)],
)
def test_within_radius_boundary(offset_m: float, inside: bool) -> None:
    lat, lon = 43.87, 125.33
    # A point due north at the given distance.
    dlat = offset_m / rules.EARTH_RADIUS_M * 180 / 3.141592653589793
    assert rules.within((lat, lon), [(lat + dlat * (1 - 1e-9), lon)]) == int(inside)


def test_within_east_west_uses_latitude() -> None:
    # 900 m east at 43.87°N: inside; the box must not cut it off.
    lat, lon = 43.87, 125.33
    dlon = 900 / (rules.EARTH_RADIUS_M * 0.7208) * 180 / 3.141592653589793
    assert rules.within((lat, lon), [(lat, lon + dlon)]) == 1
    assert rules.within((lat, lon), [(lat, lon + 2 * dlon)]) == 0
