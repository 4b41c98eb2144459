"""GB/T 42195-2022 engine: boundaries, adjustment rules (D1–D6), validation, properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yanglao.assessments import scoring as s
from yanglao.assessments.demo import answers_with_total as demo_answers
from yanglao.assessments.scoring import Diagnosis, GbtInput

FULL = {i.code: i.max_points for i in s.ITEMS}


def answers_with_total(total: int) -> dict[str, int]:
    """A complete, valid answer set whose total is `total` (lowering items in order)."""
    items = demo_answers(total)
    assert sum(items.values()) == total
    return items


def inp(total: int = 90, **kw: Any) -> GbtInput:
    items = answers_with_total(total)
    if "b39_state" in kw and kw["b39_state"] is not None:
        items["B.3.9"] = s.B39_STATES[kw["b39_state"]][1]
    return GbtInput(items=items, **kw)


def test_item_table_matches_the_standard() -> None:
    assert len(s.ITEMS) == 26
    for d in s.DIMENSIONS:
        assert sum(i.max_points for i in s.ITEMS if i.dimension == d.key) == d.max_points
    assert sum(d.max_points for d in s.DIMENSIONS) == 90
    assert s.ITEM_BY_CODE["B.2.4"].allowed == {0, 1, 2, 3}
    assert s.ITEM_BY_CODE["B.4.4"].allowed == {0, 1, 2, 3}
    assert s.ITEM_BY_CODE["B.3.7"].allowed == s.ITEM_BY_CODE["B.3.8"].allowed == {0, 1}
    assert s.ITEM_BY_CODE["B.3.9"].allowed == {0, 1, 2}
    assert s.ITEM_BY_CODE["B.4.1"].allowed == s.ITEM_BY_CODE["B.4.2"].allowed == {0, 1, 2}


@pytest.mark.parametrize(
    ("total", "grade"),
    [(90, 0), (89, 1), (66, 1), (65, 2), (46, 2), (45, 3), (30, 3), (29, 4), (0, 4)],
)
def test_grade_bands_at_every_boundary(total: int, grade: int) -> None:
    assert s.band(total) == grade
    r = s.score(inp(total))
    assert (r.total, r.preliminary_grade, r.final_grade, r.reasons) == (total, grade, grade, [])


@pytest.mark.parametrize("total", [-1, 91])
def test_band_refuses_impossible_totals(total: int) -> None:
    with pytest.raises(ValueError):
        s.band(total)


# Rules table: (name, total, keyword arguments, preliminary, final, reasons)
F03 = Diagnosis("F03", "physician", confirmed=True)
RULES: list[tuple[str, int, dict[str, Any], int, int, list[str]]] = [
    ("coma flag at full score", 90, {"coma": True}, 0, 4, ["COMA"]),
    ("coma answered on B.3.9", 88, {"b39_state": "coma"}, 1, 4, ["COMA"]),
    ("coma wins over +1 rules", 70, {"coma": True, "diagnoses": [F03]}, 1, 4, ["COMA"]),
    ("stupor scores 0 but is not coma", 88, {"b39_state": "stupor"}, 1, 1, []),
    (
        "dementia F00 confirmed",
        90,
        {"diagnoses": [Diagnosis("F00", "physician", True)]},
        0,
        1,
        ["MENTAL_DISORDER"],
    ),
    (
        "dementia F03.9 confirmed",
        66,
        {"diagnoses": [Diagnosis("F03.9", "unknown", True)]},
        1,
        2,
        ["MENTAL_DISORDER"],
    ),
    (
        "dementia not confirmed",
        66,
        {"diagnoses": [Diagnosis("F03", "psychiatrist", False)]},
        1,
        1,
        [],
    ),
    (
        "F20 by psychiatrist",
        65,
        {"diagnoses": [Diagnosis("F20", "psychiatrist", True)]},
        2,
        3,
        ["MENTAL_DISORDER"],
    ),
    (
        "F99 by psychiatrist",
        46,
        {"diagnoses": [Diagnosis("F99", "psychiatrist", True)]},
        2,
        3,
        ["MENTAL_DISORDER"],
    ),
    (
        "F04 by a physician does not count",
        45,
        {"diagnoses": [Diagnosis("F04", "physician", True)]},
        3,
        3,
        [],
    ),
    (
        "non-F code does not count",
        45,
        {"diagnoses": [Diagnosis("G20", "psychiatrist", True)]},
        3,
        3,
        [],
    ),
    ("one risk event", 89, {"risk_events": {"fall": 1}}, 1, 1, []),
    ("two events of one type", 89, {"risk_events": {"fall": 2}}, 1, 2, ["RISK_EVENTS"]),
    (
        "one fall + one wandering",
        30,
        {"risk_events": {"fall": 1, "wander": 1}},
        3,
        4,
        ["RISK_EVENTS"],
    ),
    ("3次及以上 counts 3", 29, {"risk_events": {"choke": 3}}, 4, 4, ["RISK_EVENTS"]),
    (
        "both rules: one level only",
        66,
        {"diagnoses": [F03], "risk_events": {"self_harm": 1, "other": 1}},
        1,
        2,
        ["MENTAL_DISORDER", "RISK_EVENTS"],
    ),
    (
        "never past 完全丧失",
        0,
        {"diagnoses": [F03], "risk_events": {"fall": 3}},
        4,
        4,
        ["MENTAL_DISORDER", "RISK_EVENTS"],
    ),
]


@pytest.mark.parametrize(
    ("name", "total", "kw", "preliminary", "final", "reasons"), RULES, ids=[r[0] for r in RULES]
)
def test_adjustment_rules(
    name: str, total: int, kw: dict[str, Any], preliminary: int, final: int, reasons: list[str]
) -> None:
    r = s.score(inp(total, **kw))
    assert r.preliminary_grade == preliminary
    assert r.final_grade == final
    assert r.reasons == reasons


def test_coma_allows_missing_items_and_reports_no_total() -> None:
    r = s.score(GbtInput(items={"B.1.1": 0}, coma=True))
    assert r.total is None and r.preliminary_grade is None
    assert r.final_grade == 4 and r.reasons == ["COMA"]
    r = s.score(GbtInput(items={}, b39_state="coma"))
    assert r.subtotals["mental"] == 0 and r.final_grade == 4


def test_missing_items_are_each_named_in_chinese() -> None:
    items = dict(FULL)
    del items["B.1.3"], items["B.4.5"]
    with pytest.raises(s.ScoreInvalid) as exc:
        s.score(GbtInput(items=items))
    assert exc.value.errors == {
        "B.1.3": ["B.1.3 洗澡：未填写"],
        "B.4.5": ["B.4.5 社会交往能力：未填写"],
    }


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("B.2.4", 4, "B.2.4 上下楼梯：只能取 0、1、2、3 分"),
        ("B.4.4", 4, "B.4.4 使用交通工具外出：只能取 0、1、2、3 分"),
        ("B.3.7", 2, "B.3.7 攻击行为：只能取 0、1 分"),
        ("B.3.8", -1, "B.3.8 抑郁症状：只能取 0、1 分"),
        ("B.3.9", 3, "B.3.9 意识水平：只能取 0、1、2 分"),
        ("B.4.1", 4, "B.4.1 视力：只能取 0、1、2 分"),
        ("B.4.2", 3, "B.4.2 听力：只能取 0、1、2 分"),
        ("B.1.1", 5, "B.1.1 进食：只能取 0、1、2、3、4 分"),
        ("B.1.1", True, "B.1.1 进食：只能取 0、1、2、3、4 分"),
        ("B.1.1", "4", "B.1.1 进食：只能取 0、1、2、3、4 分"),
        ("B.5.1", 1, "B.5.1：不是 GB/T 42195-2022 的评估项目"),
    ],
)
def test_each_item_accepts_only_its_own_points(code: str, value: Any, message: str) -> None:
    items: dict[str, Any] = {**FULL, code: value}
    with pytest.raises(s.ScoreInvalid) as exc:
        s.score(GbtInput(items=items))
    assert exc.value.errors == {code: [message]}


def test_other_fields_validated() -> None:
    errors = s.validate(
        GbtInput(
            items={**FULL, "B.3.9": 2},
            b39_state="drowsy",
            risk_events={"fall": 4, "flood": 1},
            diagnoses=[Diagnosis("dementia"), Diagnosis("F01", "nurse", True)],
        )
    )
    assert set(errors) == {
        "B.3.9",
        "risk_events.fall",
        "risk_events.flood",
        "diagnoses.1",
        "diagnoses.2",
    }
    assert errors["B.3.9"] == ["B.3.9 意识水平：“嗜睡”应计 1 分"]


def test_b39_state_fills_missing_item() -> None:
    items = dict(FULL)
    del items["B.3.9"]
    r = s.score(GbtInput(items=items, b39_state="confused"))
    assert r.total == 89 and r.final_grade == 1


def test_running_subtotals_ignore_invalid_and_missing() -> None:
    assert s.subtotals({"B.1.1": 4, "B.2.4": 4, "B.3.9": 1, "B.4.5": "x"}) == {
        "self_care": 4,
        "mobility": 0,
        "mental": 1,
        "perception_social": 0,
    }


item_values = st.fixed_dictionaries({i.code: st.sampled_from(sorted(i.allowed)) for i in s.ITEMS})
risks = st.fixed_dictionaries({k: st.integers(0, 3) for k in s.RISK_TYPES})


@given(item_values, risks, st.booleans(), st.booleans())
def test_property_totals_and_ranges(
    items: dict[str, int], risk: dict[str, int], dementia: bool, coma: bool
) -> None:
    diagnoses = [Diagnosis("F02", "physician", True)] if dementia else []
    r = s.score(GbtInput(items=items, coma=coma, diagnoses=diagnoses, risk_events=risk))
    assert r.total == sum(items.values()) == sum(r.subtotals.values())
    assert 0 <= r.total <= 90
    for d in s.DIMENSIONS:
        assert 0 <= r.subtotals[d.key] <= d.max_points
    assert r.preliminary_grade == s.band(r.total)
    assert r.preliminary_grade <= r.final_grade <= 4
    if coma:
        assert r.final_grade == 4
    else:
        assert r.final_grade - r.preliminary_grade <= 1
        assert (r.final_grade > r.preliminary_grade) == (
            bool(r.reasons) and r.preliminary_grade < 4
        )


@given(item_values)
def test_property_lower_answers_never_give_a_better_grade(items: dict[str, int]) -> None:
    worse = dict(items)
    for code, value in items.items():
        lower = [p for p in s.ITEM_BY_CODE[code].allowed if p < value]
        if lower:
            worse[code] = max(lower)
            break
    a = s.score(GbtInput(items=items))
    b = s.score(GbtInput(items=worse))
    assert b.final_grade >= a.final_grade
