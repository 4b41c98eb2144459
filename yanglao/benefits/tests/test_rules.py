"""Table-driven tests of the pure rules: every rule kind at its boundaries, bands, the
"not below the level above" check, overlap kinds and the roll arithmetic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yanglao.benefits import rules
from yanglao.benefits.rules import DisabilityFact, Facts, Tag

ON = date(2026, 11, 15)
BIRTH_80 = date(1946, 11, 15)  # turns 80 on ON


def facts(**kw: object) -> Facts:
    base: dict[str, object] = {"birth_date": date(1950, 1, 1), "region_code": "220102001001"}
    base.update(kw)
    return Facts(**base)  # type: ignore[arg-type]


def tag(
    category: str, start: date = date(2020, 1, 1), end: date | None = None, grade: str = ""
) -> Tag:
    return Tag(category, grade, start, end)


def dis(grade: str, start: date = date(2020, 1, 1), end: date | None = None) -> DisabilityFact:
    return DisabilityFact(grade, start, end)


GRADE_1_2 = {"kind": "disability_grade", "in": ["一级", "二级"]}
AGE_80 = {"kind": "age", "min": 80}
AGE_80_89 = {"kind": "age", "min": 80, "max": 89}


@pytest.mark.parametrize(
    ("rule", "f", "expected"),
    [
        # age: the birthday itself counts (周岁 completed on the day)
        (AGE_80, facts(birth_date=BIRTH_80), True),
        (AGE_80, facts(birth_date=date(1946, 11, 16)), False),
        (AGE_80_89, facts(birth_date=date(1936, 11, 16)), True),  # 89 the day before 90
        (AGE_80_89, facts(birth_date=date(1936, 11, 15)), False),  # 90 today
        # category held on the date: start inclusive, end exclusive
        (
            {"kind": "category", "in": ["living_alone"]},
            facts(tags=(tag("living_alone", ON),)),
            True,
        ),
        (
            {"kind": "category", "in": ["living_alone"]},
            facts(tags=(tag("living_alone", date(2026, 11, 16)),)),
            False,
        ),
        (
            {"kind": "category", "in": ["living_alone"]},
            facts(tags=(tag("living_alone", end=ON),)),
            False,
        ),
        (
            {"kind": "category", "in": ["living_alone", "empty_nest"]},
            facts(tags=(tag("empty_nest", end=date(2026, 11, 16)),)),
            True,
        ),
        # economic status
        (
            {"kind": "economic", "in": ["minimum_living"]},
            facts(tags=(tag("minimum_living"),)),
            True,
        ),
        (
            {"kind": "economic", "in": ["minimum_living"]},
            facts(tags=(tag("marginal_low_income"),)),
            False,
        ),
        # assessment grade: from the 失能 tag; 0 when assessed without a tag; unknown otherwise
        (
            {"kind": "assessment_grade", "in": [2, 3]},
            facts(tags=(tag("disabled", grade="中度"),)),
            True,
        ),
        (
            {"kind": "assessment_grade", "in": [2, 3]},
            facts(tags=(tag("disabled", grade="轻度"),)),
            False,
        ),
        ({"kind": "assessment_grade", "in": [0]}, facts(assessed_on=date(2025, 1, 1)), True),
        ({"kind": "assessment_grade", "in": [1]}, facts(assessed_on=date(2025, 1, 1)), False),
        ({"kind": "assessment_grade", "in": [1]}, facts(), None),
        ({"kind": "assessment_grade", "in": [1]}, facts(assessed_on=date(2026, 11, 16)), None),
        # disability grade of the record held; "1-2" (converted 重残 tag) decides only when
        # the rule takes both 一级 and 二级 or neither
        (GRADE_1_2, facts(disabilities=(dis("2"),)), True),
        (GRADE_1_2, facts(disabilities=(dis("3"),)), False),
        (GRADE_1_2, facts(disabilities=(dis("1-2"),)), True),
        (GRADE_1_2, facts(disabilities=(dis("1", end=ON),)), False),  # ended: not held
        (GRADE_1_2, facts(disabilities=(dis("1", start=date(2026, 11, 16)),)), False),
        ({"kind": "disability_grade", "in": ["一级"]}, facts(), False),
        ({"kind": "disability_grade", "in": ["一级"]}, facts(disabilities=(dis("1-2"),)), None),
        ({"kind": "disability_grade", "in": ["三级"]}, facts(disabilities=(dis("1-2"),)), False),
        # the old 重残 tag is no longer a disability fact
        (GRADE_1_2, facts(tags=(tag("severe_disability", grade="二级"),)), False),
        # key groups: the one definition (people.groups)
        ({"kind": "key_group"}, facts(), False),
        ({"kind": "key_group"}, facts(birth_date=BIRTH_80), True),  # 高龄 from the 80th birthday
        ({"kind": "key_group"}, facts(birth_date=date(1946, 11, 16)), False),
        ({"kind": "key_group"}, facts(tags=(tag("extreme_poverty"),)), True),
        ({"kind": "key_group"}, facts(tags=(tag("minimum_living"),)), False),  # 低保 is not one
        ({"kind": "key_group"}, facts(tags=(tag("severe_disability"),)), False),  # old tag
        ({"kind": "key_group"}, facts(disabilities=(dis("2"),)), True),  # 重残 derived
        ({"kind": "key_group"}, facts(disabilities=(dis("1-2"),)), True),
        ({"kind": "key_group"}, facts(disabilities=(dis("3"),)), False),  # 三级 is not 重残
        ({"kind": "key_group"}, facts(dementia=(rules.Held(ON, None),)), True),  # 失智
        ({"kind": "key_group"}, facts(dementia=(rules.Held(ON, ON),)), False),  # withdrawn
        ({"kind": "key_group", "in": ["disabled"]}, facts(dementia=(rules.Held(ON, None),)), True),
        (
            {"kind": "key_group", "in": ["disabled"]},
            facts(tags=(tag("disabled", grade="轻度"),)),
            True,
        ),
        ({"kind": "key_group", "in": ["advanced_age"]}, facts(tags=(tag("living_alone"),)), False),
        # where the person lives
        ({"kind": "dwelling", "in": ["home"]}, facts(), True),
        ({"kind": "dwelling", "in": ["home"]}, facts(dwelling="institution"), False),
        ({"kind": "dwelling", "in": ["institution"]}, facts(dwelling="institution"), True),
        # 户籍 vs residence
        ({"kind": "hukou", "region": "220102"}, facts(), True),  # blank 户籍 = residence
        ({"kind": "hukou", "region": "220204"}, facts(household_region_code="220204001001"), True),
        ({"kind": "hukou", "region": "220102"}, facts(household_region_code="220204001001"), False),
        (
            {"kind": "residence", "region": "220102"},
            facts(household_region_code="220204001001"),
            True,
        ),
        # life status: dead/moved from the status date on
        ({"kind": "alive"}, facts(), True),
        ({"kind": "alive"}, facts(life_status="deceased", status_date=ON), False),
        ({"kind": "alive"}, facts(life_status="deceased", status_date=date(2026, 11, 16)), True),
        # residence by code prefix
        ({"kind": "residence", "region": "220102"}, facts(), True),
        ({"kind": "residence", "region": "220204"}, facts(), False),
        # manual: never decided by the engine
        ({"kind": "manual", "label": "有需求"}, facts(), None),
        # Kleene combinations
        ({"all": [AGE_80, {"kind": "manual", "label": "x"}]}, facts(), False),
        ({"all": [AGE_80, {"kind": "manual", "label": "x"}]}, facts(birth_date=BIRTH_80), None),
        ({"any": [AGE_80, {"kind": "manual", "label": "x"}]}, facts(birth_date=BIRTH_80), True),
        ({"any": [AGE_80, {"kind": "manual", "label": "x"}]}, facts(), None),
        ({"not": AGE_80}, facts(), True),
        ({"not": {"kind": "manual", "label": "x"}}, facts(), None),
    ],
)
def test_evaluate(rule: rules.Rule, f: Facts, expected: bool | None) -> None:
    assert rules.check_rule(rule) == []
    assert rules.evaluate(rule, f, ON).value is expected


def test_reasons_missing_facts_and_since() -> None:
    rule = {
        "all": [
            AGE_80,
            {"kind": "economic", "in": ["minimum_living"]},
            {"kind": "assessment_grade", "in": [2]},
        ]
    }
    v = rules.evaluate(
        rule, facts(birth_date=BIRTH_80, tags=(tag("minimum_living", date(2024, 3, 1)),)), ON
    )
    assert v.value is None
    assert v.missing == ["能力评估等级"]
    ok = rules.evaluate(
        {"all": [AGE_80, {"kind": "economic", "in": ["minimum_living"]}]},
        facts(birth_date=BIRTH_80, tags=(tag("minimum_living", date(2024, 3, 1)),)),
        ON,
    )
    assert ok.value is True
    assert ok.since == ON  # newest fact: turned 80 today
    assert any("低保（自2024-03-01）" in r for r in ok.reasons)


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        ([], "JSON 对象"),
        ({"all": []}, "非空"),
        ({"kind": "age"}, "下限"),
        ({"kind": "age", "min": 90, "max": 80}, "上限"),
        ({"kind": "category", "in": ["rich"]}, "取值"),
        ({"kind": "economic", "in": ["living_alone"]}, "取值"),
        ({"kind": "assessment_grade", "in": [5]}, "0–4"),
        ({"kind": "disability_grade", "in": ["五级"]}, "一级"),
        ({"kind": "residence", "region": "22010"}, "居住地条件"),
        ({"kind": "hukou", "region": "22010"}, "户籍地条件"),
        ({"kind": "hukou"}, "户籍地条件"),
        ({"kind": "key_group", "in": ["minimum_living"]}, "重点对象"),
        ({"kind": "key_group", "in": []}, "重点对象"),
        ({"kind": "dwelling", "in": ["hospital"]}, "居住方式"),
        ({"kind": "dwelling"}, "居住方式"),
        ({"kind": "manual", "label": " "}, "核定内容"),
        ({"kind": "income"}, "未知的条件类型"),
        ({"not": AGE_80, "x": 1}, "只能包含一个"),
    ],
)
def test_check_rule_errors(rule: object, error: str) -> None:
    errors = rules.check_rule(rule)
    assert errors and error in errors[0]


def test_machine_evaluable() -> None:
    assert rules.is_machine_evaluable({"all": [AGE_80, {"kind": "alive"}]})
    assert not rules.is_machine_evaluable({"any": [AGE_80, {"kind": "manual", "label": "需求"}]})
    assert rules.manual_labels({"not": {"kind": "manual", "label": "需求"}}) == ["需求"]


BANDS = [
    {"band": "80–89周岁", "when": AGE_80_89, "value": "100"},
    {"band": "90–99周岁", "when": {"kind": "age", "min": 90, "max": 99}, "value": "200"},
    {"band": "100周岁及以上", "when": {"kind": "age", "min": 100}, "value": "500"},
]


@pytest.mark.parametrize(
    ("birth", "band"),
    [
        (date(1936, 11, 16), "80–89周岁"),
        (date(1936, 11, 15), "90–99周岁"),
        (date(1926, 11, 15), "100周岁及以上"),
        (date(1946, 11, 16), None),
    ],
)
def test_band_for(birth: date, band: str | None) -> None:
    got = rules.band_for(BANDS, facts(birth_date=birth), ON)
    assert (got["band"] if got else None) == band


@pytest.mark.parametrize(
    ("child_values", "ok"),
    [
        (("100", "200", "500"), True),  # equal
        (("120", "200", "500"), True),  # raised
        (("99.99", "200", "500"), False),  # lowered by a fen
        ((None, "200", "500"), False),  # blanked
    ],
)
def test_not_below(child_values: tuple[str | None, ...], ok: bool) -> None:
    child = [{**b, "value": v} for b, v in zip(BANDS, child_values, strict=True)]
    errors = rules.not_below(BANDS, child, "省级")
    assert (errors == []) is ok
    if not ok:
        assert "不能降低" in errors[0]


def test_not_below_refuses_removed_band_and_changed_condition() -> None:
    assert "不能删除" in rules.not_below(BANDS, BANDS[:2], "省级")[0]
    changed = [{**BANDS[0], "when": {"kind": "age", "min": 81, "max": 89}}, *BANDS[1:]]
    assert "适用条件" in rules.not_below(BANDS, changed, "省级")[0]


def test_not_below_unset_upper_value_allows_any() -> None:
    upper = [{"band": "每人", "when": None, "value": None}]
    assert rules.not_below(upper, [{"band": "每人", "when": None, "value": "1"}], "国家") == []


@pytest.mark.parametrize(
    ("child", "ok"),
    [
        (AGE_80, True),
        ({"any": [AGE_80, {"kind": "category", "in": ["living_alone"]}]}, True),
        ({"all": [AGE_80, {"kind": "category", "in": ["living_alone"]}]}, False),
        ({"kind": "age", "min": 85}, False),
    ],
)
def test_rule_widens(child: rules.Rule, ok: bool) -> None:
    assert rules.rule_widens(AGE_80, child) is ok


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("100", Decimal("100.00")),
        ("99.5", Decimal("99.50")),
        ("0", Decimal("0.00")),
        ("-1", None),
        ("1.005", None),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_money(raw: object, value: Decimal | None) -> None:
    assert rules.parse_money(raw) == value


def test_check_standard() -> None:
    assert rules.check_standard(BANDS) == []
    assert rules.check_standard([]) == ["标准至少要有一档"]
    assert "重复" in rules.check_standard([BANDS[0], BANDS[0]])[0]
    assert "两位小数" in rules.check_standard([{**BANDS[0], "value": "1.234"}])[0]


R = rules.OverlapRuleView


@pytest.mark.parametrize(
    ("held", "rule_list", "expected"),
    [
        ({"B": Decimal(50)}, [], []),  # no rule: allowed
        ({"B": Decimal(50)}, [R("A", "B", "allowed", "s")], []),
        ({"B": Decimal(50)}, [R("B", "A", "exclusive", "s")], [("B", "exclusive", False)]),
        ({"B": Decimal(50)}, [R("A", "B", "choose_higher", "s")], [("B", "choose_higher", True)]),
        ({"B": Decimal(100)}, [R("A", "B", "choose_higher", "s")], [("B", "choose_higher", False)]),
        ({"B": Decimal(150)}, [R("A", "B", "choose_higher", "s")], [("B", "choose_higher", False)]),
        ({}, [R("A", "B", "exclusive", "s")], []),  # B not held
        # the more specific level's rule wins
        (
            {"B": Decimal(50)},
            [R("A", "B", "exclusive", "国家", 0), R("A", "B", "allowed", "县", 6)],
            [],
        ),
    ],
)
def test_overlaps(
    held: dict[str, Decimal], rule_list: list[R], expected: list[tuple[str, str, bool]]
) -> None:
    got = rules.overlaps("A", Decimal(100), held, rule_list)
    assert [(c.other_code, c.kind, c.keep_new) for c in got] == expected


@pytest.mark.parametrize(
    ("event", "stop"),
    [
        (date(2026, 11, 12), date(2026, 12, 1)),
        (date(2026, 11, 1), date(2026, 12, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
    ],
)
def test_stop_month(event: date, stop: date) -> None:
    assert rules.stop_month(event) == stop


def test_turned() -> None:
    birth = date(1936, 11, 12)
    assert rules.turned(birth, 90, date(2026, 11, 11), date(2026, 11, 12))
    assert not rules.turned(birth, 90, date(2026, 11, 12), date(2026, 11, 13))
    assert rules.turned(date(1936, 2, 29), 90, date(2026, 2, 27), date(2026, 2, 28))


# --- roll arithmetic ---------------------------------------------------------------------

M = date(2026, 12, 1)
D = Decimal


def _due(amounts: dict[date, D]) -> rules.Callable[[rules.EntView, date], tuple[D, str]]:
    return lambda e, p: (amounts.get(p, D("100.00")), "档")


def ent(start: date, end: date | None = None) -> rules.EntView:
    return rules.EntView(1, "N06", start, end, date(2020, 1, 1), "死亡")


def kinds(lines: list[rules.Line]) -> list[tuple[str, str, D]]:
    return [(ln.kind, f"{ln.period:%Y-%m}", ln.amount) for ln in lines]


@pytest.mark.parametrize(
    ("e", "paid", "amounts", "expected"),
    [
        # new this month
        (ent(M), {}, {}, [("new", "2026-12", D(100))]),
        # regular
        (
            ent(date(2026, 1, 1)),
            {date(2026, 11, 1): D(100)} | {date(2026, m, 1): D(100) for m in range(1, 11)},
            {},
            [("regular", "2026-12", D(100))],
        ),
        # approved late: back-pay of the two unpaid months, this month new
        (
            ent(date(2026, 10, 1)),
            {},
            {},
            [
                ("back_pay", "2026-10", D(100)),
                ("back_pay", "2026-11", D(100)),
                ("new", "2026-12", D(100)),
            ],
        ),
        # upgrade at 90: amount changes
        (
            ent(date(2026, 11, 1)),
            {date(2026, 11, 1): D(100)},
            {M: D("200.00")},
            [("changed", "2026-12", D(200))],
        ),
        # stopped from this month (death in November): a stop line with 0
        (
            ent(date(2026, 11, 1), M),
            {date(2026, 11, 1): D(100)},
            {},
            [("stopped", "2026-12", D(0))],
        ),
        # death recorded late: November already paid but stop from November → recovery
        (
            ent(date(2026, 10, 1), date(2026, 11, 1)),
            {date(2026, 10, 1): D(100), date(2026, 11, 1): D(100)},
            {},
            [("recovery", "2026-11", D(-100)), ("stopped", "2026-12", D(0))],
        ),
        # recovered once: nothing more
        (
            ent(date(2026, 10, 1), date(2026, 11, 1)),
            {date(2026, 10, 1): D(100), date(2026, 11, 1): D(0)},
            {},
            [],
        ),
        # underpaid month (band upgrade recorded late) → back-pay of the difference
        (
            ent(date(2026, 11, 1)),
            {date(2026, 11, 1): D(100)},
            {date(2026, 11, 1): D(200), M: D(200)},
            [("back_pay", "2026-11", D(100)), ("regular", "2026-12", D(200))],
        ),
    ],
)
def test_roll_lines(
    e: rules.EntView,
    paid: dict[date, D],
    amounts: dict[date, D],
    expected: list[tuple[str, str, D]],
) -> None:
    assert kinds(rules.roll_lines(M, [e], _due(amounts), {1: paid})) == expected


def test_roll_no_back_pay_before_policy_start() -> None:
    e = rules.EntView(1, "N07-1", date(2025, 5, 1), None, date(2025, 7, 1))
    lines = rules.roll_lines(date(2025, 8, 1), [e], _due({}), {})
    assert [f"{ln.period:%Y-%m}" for ln in lines] == ["2025-07", "2025-08"]


@pytest.mark.parametrize(
    ("upper", "kind", "ok"),
    [
        (None, "exclusive", True),
        ("exclusive", "exclusive", True),
        ("exclusive", "choose_higher", True),
        ("exclusive", "allowed", True),
        ("choose_higher", "exclusive", False),
        ("choose_higher", "allowed", True),
        ("allowed", "choose_higher", False),
        ("allowed", "exclusive", False),
    ],
)
def test_overlap_not_stricter(upper: str | None, kind: str, ok: bool) -> None:
    assert rules.overlap_not_stricter(upper, kind) is ok


# --- issue #10 part 3: what officers are told, payment accounts ------------------------


@pytest.mark.parametrize(
    ("value", "reasons", "notice"),
    [
        (True, ["年龄86周岁（条件：80周岁及以上）"], ""),
        (None, ["尚无能力评估结果（条件：中度失能）"], ""),  # missing fact: a warning, not a no
        (
            False,
            ["在册", "年龄76周岁（条件：80周岁及以上）"],
            "经系统核对，不符合该项目条件：在册；年龄76周岁（条件：80周岁及以上）",
        ),
        (False, ["未持有低保"], "经系统核对，不符合该项目条件：未持有低保"),
        (False, [], "经系统核对，不符合该项目条件：未说明原因"),
        (False, [""], "经系统核对，不符合该项目条件：未说明原因"),
    ],
)
def test_ineligible_notice(value: bool | None, reasons: list[str], notice: str) -> None:
    assert rules.ineligible_notice(value, reasons) == notice


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("6217000012345678", "6217000012345678"),
        ("6217 0000 1234 5678", "6217000012345678"),
        ("6217-0000-1234-5678", "6217000012345678"),
        ("６２１７００００１２３４５６７８", "6217000012345678"),  # full-width digits (IME)
        ("6217　0000　1234　5678", "6217000012345678"),  # full-width spaces
        ("1234567890", "1234567890"),  # 10 digits: the shortest
        ("123456789", None),  # 9
        ("1" * 30, "1" * 30),
        ("1" * 31, None),
        ("6217\x00000012345678", None),  # NUL byte
        ("6217a00012345678", None),
        ("٦٢١٧٠٠٠٠١٢٣٤٥٦٧٨", None),  # Arabic-Indic digits are not a bank account
        ("", None),
        ("   ", None),
    ],
)
def test_clean_account(raw: str, clean: str | None) -> None:
    assert rules.clean_account(raw) == clean


@pytest.mark.parametrize(
    ("account", "masked"),
    [("6217000012345678", "6217****5678"), ("123456789", "1234****6789"), ("12345678", "****")],
)
def test_mask_account(account: str, masked: str) -> None:
    assert rules.mask_account(account) == masked


@pytest.mark.parametrize(("n", "more"), [(1, False), (20, False), (21, True), (150, True)])
def test_missing_accounts_message_lists_twenty_then_the_count(n: int, more: bool) -> None:
    entries = [f"老人{i}（220102********{i:04d}，N06 高龄津贴）" for i in range(1, n + 1)]
    shown = entries[: rules.MISSING_SHOWN + 1]  # what the service passes
    msg = rules.missing_accounts_message(shown, n)
    assert msg.startswith(f"有{n}人的应发款项没有发放账号")
    assert ("老人20（" in msg) is (n >= 20) and "老人21（" not in msg
    assert (f"等{n}人" in msg) is more
    assert "录入发放账号" in msg
