"""The eligibility builder (issue 14 part 2): rules in plain Chinese, and every seeded rule
through the builder's fields and back unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from yanglao.benefits import catalog, rule_text
from yanglao.benefits.rules import check_rule

AGE80 = {"kind": "age", "min": 80}
POOR = {"kind": "economic", "in": ["minimum_living", "extreme_poverty"]}


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"all": [AGE80, POOR]}, "80周岁及以上，且为低保或特困"),
        ({"all": [{"kind": "alive"}, AGE80]}, "80周岁及以上"),
        ({"kind": "alive"}, "在册"),
        ({"kind": "age", "min": 60, "max": 79}, "60至79周岁"),
        ({"any": [AGE80, POOR]}, "80周岁及以上；或为低保或特困"),
        (
            {"all": [POOR, {"any": [{"kind": "assessment_grade", "in": [3, 4]}, AGE80]}]},
            "为低保或特困，且（能力评估为重度失能或完全失能；或80周岁及以上）",
        ),
        ({"not": {"kind": "economic", "in": ["extreme_poverty"]}}, "不为特困"),
        ({"not": {"kind": "age", "min": 90}}, "不满足90周岁及以上"),
        ({"kind": "disability_grade", "in": ["一级", "二级"]}, "残疾等级为一级或二级"),
        ({"kind": "category", "in": ["living_alone"]}, "为独居"),
        ({"kind": "key_group"}, "属于重点对象"),
        ({"kind": "dwelling", "in": ["home"]}, "居家"),
        ({"kind": "residence", "region": "220102"}, "居住在南关区"),
        ({"kind": "hukou", "region": "2202"}, "户籍在2202"),
        ({"kind": "manual", "label": "本人有入住意愿"}, "经人工核定“本人有入住意愿”"),
    ],
)
def test_describe(rule: dict[str, Any], text: str) -> None:
    assert rule_text.describe(rule, {"220102": "南关区"}) == text


def _seeded() -> list[tuple[str, dict[str, Any]]]:
    rows = [*catalog.NATIONAL, *catalog.JILIN_ROWS]
    out = [(r["code"], r["rule"]) for r in rows if r.get("rule") is not None]
    out += [
        (f"{r['code']} {b['band']}", b["when"])
        for r in rows
        for b in r.get("standard", [])
        if b.get("when")
    ]
    return out


@pytest.mark.parametrize(("code", "rule"), _seeded())
def test_every_seeded_rule_round_trips(code: str, rule: dict[str, Any]) -> None:
    fields = rule_text.to_fields(rule)
    parsed = rule_text.from_fields(fields, lambda text: text)
    assert parsed.errors == {} and parsed.rule == rule, code
    assert "（条件无效）" not in rule_text.describe(rule)


def test_round_trip_keeps_the_order_a_browser_changes() -> None:
    rule = {"kind": "economic", "in": ["minimum_living", "extreme_poverty"]}
    fields = rule_text.to_fields(rule)
    fields["r.0.in"] = ["extreme_poverty", "minimum_living"]  # ticked boxes in page order
    assert rule_text.from_fields(fields, str).rule == rule


def test_nested_groups_and_not() -> None:
    rule = {
        "all": [
            {"kind": "alive"},
            {"any": [AGE80, {"all": [POOR, {"kind": "manual", "label": "有需求"}]}]},
            {"not": {"any": [{"kind": "dwelling", "in": ["institution"]}, POOR]}},
        ]
    }
    parsed = rule_text.from_fields(rule_text.to_fields(rule), str)
    assert parsed.rule == rule and check_rule(rule) == []


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"r.0.type": ["age"], "r.0.min": ["八十"]}, "请填写年龄下限"),
        ({"r.0.type": ["age"], "r.0.min": ["80"], "r.0.max": ["70"]}, "年龄上限须是不小于下限"),
        ({"r.0.type": ["economic"]}, "请至少勾选一项经济状况"),
        ({"r.0.type": ["manual"], "r.0.label": [" "]}, "请写明需人工核定的内容"),
        ({"r.0.type": ["residence"], "r.0.region": ["火星"]}, "请选择居住地"),
        ({"r.0.type": ["group"], "r.0.op": ["any"]}, "条件组里至少要有一个条件"),
        ({"r.0.type": ["kind?"]}, "请选择条件类型"),
        ({}, "请至少添加一个条件"),
    ],
)
def test_builder_errors_are_chinese_and_say_how_to_fix(
    fields: dict[str, list[str]], error: str
) -> None:
    data = {"r.type": ["group"], "r.op": ["all"], **fields}
    parsed = rule_text.from_fields(data, lambda text: None)
    assert parsed.rule is None
    assert any(error in e for es in parsed.errors.values() for e in es), parsed.errors


def test_full_width_age_and_key_group_without_choice() -> None:
    data = {
        "r.type": ["group"],
        "r.op": ["all"],
        "r.0.type": ["age"],
        "r.0.min": ["８０"],
        "r.1.type": ["key_group"],
    }
    assert rule_text.from_fields(data, str).rule == {"all": [AGE80, {"kind": "key_group"}]}


def test_add_and_remove() -> None:
    data = rule_text.to_fields({"all": [AGE80, POOR]})
    rule_text.add_child(data, "r", "group")
    rule_text.add_child(data, "r.2", "manual")
    data["r.2.0.label"] = ["有入住意愿"]
    data["r.0.remove"] = ["1"]
    assert rule_text.from_fields(data, str).rule == {
        "all": [POOR, {"any": [{"kind": "manual", "label": "有入住意愿"}]}]
    }
