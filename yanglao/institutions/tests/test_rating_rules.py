"""等级评定 pure rules (GB/T 37276-2018): every threshold on both sides."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal as D

import pytest

from yanglao.institutions import rating_catalog
from yanglao.institutions import rating_rules as rr


def parts(e: str, f: str, m: str, s: str) -> dict[str, D]:
    return {"environment": D(e), "facilities": D(f), "management": D(m), "service": D(s)}


# Every part exactly at a level's share, and one part just below it (x.9 of its maximum).
@pytest.mark.parametrize(
    ("scores", "level"),
    [
        (parts("0", "0", "0", "0"), None),
        # 一级: 40 % of 120/130/150/600 = 48/52/60/240
        (parts("48", "52", "60", "240"), 1),
        (parts("47.9", "52", "60", "240"), None),
        (parts("48", "51.9", "60", "240"), None),
        (parts("48", "52", "59.9", "240"), None),
        (parts("48", "52", "60", "239.9"), None),
        # 二级: 50 % = 60/65/75/300
        (parts("60", "65", "75", "300"), 2),
        (parts("59.9", "65", "75", "300"), 1),
        (parts("60", "64.9", "75", "300"), 1),
        (parts("60", "65", "74.9", "300"), 1),
        (parts("60", "65", "75", "299.9"), 1),
        # 三级: 60 % = 72/78/90/360
        (parts("72", "78", "90", "360"), 3),
        (parts("71.9", "78", "90", "360"), 2),
        (parts("72", "77.9", "90", "360"), 2),
        (parts("72", "78", "89.9", "360"), 2),
        (parts("72", "78", "90", "359.9"), 2),
        # 四级: 80 % = 96/104/120/480
        (parts("96", "104", "120", "480"), 4),
        (parts("95.9", "104", "120", "480"), 3),
        (parts("96", "103.9", "120", "480"), 3),
        (parts("96", "104", "119.9", "480"), 3),
        (parts("96", "104", "120", "479.9"), 3),
        # 五级: 90 % = 108/117/135/540 (total exactly 900)
        (parts("108", "117", "135", "540"), 5),
        (parts("107.9", "117", "135", "540"), 4),
        (parts("108", "116.9", "135", "540"), 4),
        (parts("108", "117", "134.9", "540"), 4),
        (parts("108", "117", "135", "539.9"), 4),
        (parts("120", "130", "150", "600"), 5),
        # A strong home held back by one weak part
        (parts("120", "130", "150", "239.9"), None),
        (parts("120", "130", "60", "600"), 1),
    ],
)
def test_level_at_every_share_boundary(scores: dict[str, D], level: int | None) -> None:
    assert rr.rate(scores).level == level


def test_national_totals_are_implied_by_the_shares() -> None:
    # 360 points spread evenly is 36 % of every part: not 一级, whatever the total says.
    assert rr.rate(parts("43.2", "46.8", "54", "216")).level is None
    for rule in rr.GB_37276_2018:
        assert sum(rule.min_share * p.max_points / 100 for p in rr.PARTS) >= rule.min_total


# The total thresholds, tested with a local table whose shares do not bind (Jilin's 暂行办法
# may lower them): 359/360, 449/450, 569/570, 779/780, 899/900.
def spread(total: D) -> dict[str, D]:
    """`total` points filling 服务, then 环境, 设施设备, 运营管理."""
    out, left = {}, total
    for key in ("service", "environment", "facilities", "management"):
        cap = D(next(p.max_points for p in rr.PARTS if p.key == key))
        out[key] = min(left, cap)
        left -= out[key]
    return out


@pytest.mark.parametrize("rule", rr.GB_37276_2018)
def test_total_threshold_boundary(rule: rr.LevelRule) -> None:
    table = [rr.LevelRule(rule.level, rule.min_total, D(0))]
    assert rr.rate(spread(rule.min_total), table).level == rule.level
    assert rr.rate(spread(rule.min_total - D("0.1")), table).level is None


def test_local_table_with_both_conditions() -> None:
    table = [rr.LevelRule(1, D(360), D(30))]
    assert rr.rate(parts("36", "39", "45", "240"), table).level == 1  # 360, all ≥ 30 %
    assert rr.rate(parts("36", "39", "45", "239.9"), table).level is None  # 359.9
    assert rr.rate(parts("35.9", "39", "45", "300"), table).level is None  # a part < 30 %


def test_result_says_what_keeps_the_home_from_the_next_level() -> None:
    result = rr.rate(parts("72", "78", "90", "480"))
    assert result.level == 3 and result.total == D(720)
    assert result.short_of_next == ("environment", "facilities", "management")
    assert result.label == "三级"
    assert rr.rate(parts("0", "0", "0", "0")).label == "未达到一级"
    assert rr.rate(parts("120", "130", "150", "600")).short_of_next == ()


@pytest.mark.parametrize(
    "scores",
    [
        {"environment": D(1), "facilities": D(1), "management": D(1)},
        parts("-0.1", "0", "0", "0"),
        parts("120.1", "0", "0", "0"),
        parts("0", "0", "0", "600.1"),
    ],
)
def test_impossible_scores_are_refused(scores: dict[str, D]) -> None:
    with pytest.raises(rr.ScoreError):
        rr.rate(scores)


def test_part_totals_sum_clauses() -> None:
    assert rr.part_totals([("service", D(10)), ("service", D("2.5")), ("management", D(1))]) == {
        "environment": D(0),
        "facilities": D(0),
        "management": D(1),
        "service": D("12.5"),
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", None),
        ("  ", None),
        (None, None),
        ("0", D("0.0")),
        ("12", D("12.0")),
        ("12.5", D("12.5")),
        ("１２．５", D("12.5")),  # full-width digits and point
        ("20", D("20.0")),  # the maximum itself
    ],
)
def test_parse_points_accepts(raw: str | None, expected: D | None) -> None:
    assert rr.parse_points(raw, 20) == expected


@pytest.mark.parametrize(
    "raw", ["20.1", "21", "-1", "1e3", "abc", "1\x00", "12.55", "9" * 50, "1.2.3", "٣٣٣", "NaN"]
)
def test_parse_points_refuses(raw: str) -> None:
    with pytest.raises(rr.ScoreError) as exc:
        rr.parse_points(raw, 20)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))


@pytest.mark.parametrize(
    ("requested", "reached", "granted"),
    [(3, 5, 3), (5, 3, 3), (3, 3, 3), (1, 1, 1), (3, None, None), (5, 4, 4)],
)
def test_grantable_level(requested: int, reached: int | None, granted: int | None) -> None:
    assert rr.grantable_level(requested, reached) == granted


@pytest.mark.parametrize(
    ("start", "until", "holidays"),
    [
        (date(2026, 11, 30), date(2026, 12, 4), ()),  # Monday → Friday
        (date(2026, 12, 4), date(2026, 12, 10), ()),  # Friday → Thursday
        (date(2026, 12, 5), date(2026, 12, 11), ()),  # Saturday: Monday is day one
        (date(2026, 11, 30), date(2026, 12, 7), (date(2026, 12, 2),)),  # a holiday skipped
        (date(2026, 12, 4), date(2026, 12, 9), (date(2026, 12, 5),)),  # a Saturday worked
    ],
)
def test_publicity_until(start: date, until: date, holidays: tuple[date, ...]) -> None:
    # Listed weekdays are holidays, listed weekend days 调休上班.
    cal = {d: d.weekday() >= 5 for d in holidays}
    assert rr.publicity_until(start, cal) == until


@pytest.mark.parametrize(
    ("issued", "last_day"),
    [
        (date(2026, 11, 30), date(2029, 11, 29)),
        (date(2026, 1, 1), date(2028, 12, 31)),
        (date(2028, 2, 29), date(2031, 2, 28)),
    ],
)
def test_certificate_valid_three_years(issued: date, last_day: date) -> None:
    assert rr.valid_until(issued) == last_day


def test_in_force_until_the_last_day() -> None:
    day = date(2029, 11, 29)
    assert rr.in_force(3, day, day) == 3
    assert rr.in_force(3, day, date(2029, 11, 30)) is None
    assert rr.in_force(None, day, day) is None
    assert rr.in_force(3, None, day) is None


@pytest.mark.parametrize(("level", "after"), [(5, 4), (4, 3), (3, 2), (2, 1), (1, None)])
def test_downgrade_one_level(level: int, after: int | None) -> None:
    assert rr.downgraded(level) == after


def test_clause_table_adds_up_to_each_part() -> None:
    clauses = rating_catalog.CLAUSES[rating_catalog.EDITION]
    totals: Counter[str] = Counter()
    for c in clauses:
        totals[c.part] += c.max_points
    assert dict(totals) == {p.key: p.max_points for p in rr.PARTS}
    assert sum(totals.values()) == rr.TOTAL_POINTS == 1000
    assert len({c.code for c in clauses}) == len(clauses)
