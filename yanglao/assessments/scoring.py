"""GB/T 42195-2022 《老年人能力评估规范》 scoring: pure functions, no ORM.

Items, points and grade bands follow appendices B and C of the standard as reconstructed in
docs/domain/assessment-standards.md §1. Where the standard leaves a point open, the choice
made for this platform is written next to the rule (decisions D1–D6 in
docs/assessments.md):

D1 Coma (A.5.11 昏迷 = 有, or B.3.9 answered 昏迷): final grade 4 能力完全丧失 whatever the
   score (C.4; the B.3.9 table note's "重度失能" is not followed). 昏睡 scores 0 but is not coma.
D2 Dementia F00–F03 with a confirmed diagnosis, or F04–F99 confirmed and diagnosed by a
   psychiatric specialist, and/or ≥ 2 care-risk events in 30 days: +1 level in total, never
   two, capped at 4.
D3 Risk events are summed over all A.2.14 types (无 0, 1次 1, 2次 2, 3次及以上 3); ≥ 2 triggers.
D4 Without coma all 26 items are required; each item accepts only its own points.
D5 With coma, missing items are allowed: the total and the preliminary grade are then None
   ("不适用"), the final grade is 4.
D6 A diagnosis that is not marked confirmed never triggers D2.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

STANDARD = "GB/T 42195-2022"

GENERIC = (
    (4, "独立完成，不需要他人协助"),
    (3, "在他人指导或提示下完成"),
    (2, "需要他人协助，但以自身完成为主"),
    (1, "主要依靠他人协助，自身能给予配合"),
    (0, "完全依赖他人协助，且不能给予配合"),
)


@dataclass(frozen=True)
class Item:
    code: str
    dimension: str
    label: str
    options: tuple[tuple[int, str], ...]

    @property
    def allowed(self) -> frozenset[int]:
        return frozenset(p for p, _ in self.options)

    @property
    def max_points(self) -> int:
        return max(self.allowed)


@dataclass(frozen=True)
class Dimension:
    key: str  # API name
    prefix: str  # "B.1"
    label: str
    max_points: int


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("self_care", "B.1", "自理能力", 32),
    Dimension("mobility", "B.2", "基础运动能力", 15),
    Dimension("mental", "B.3", "精神状态", 28),
    Dimension("perception_social", "B.4", "感知觉与社会参与", 15),
)
MAX_TOTAL = 90

ITEMS: tuple[Item, ...] = (
    Item(
        "B.1.1",
        "self_care",
        "进食",
        (
            (4, "独立使用器具将食物送进口中并咽下，没有呛咳"),
            (3, "在他人指导或提示下完成，或独立使用辅具，没有呛咳"),
            (2, "进食中需要少量接触式协助，偶尔（每月一次及以上）呛咳"),
            (1, "在进食中需要大量接触式协助，经常（每周一次及以上）呛咳"),
            (0, "完全依赖他人协助进食，或吞咽困难，或留置营养管"),
        ),
    ),
    Item("B.1.2", "self_care", "修饰", GENERIC),
    Item("B.1.3", "self_care", "洗澡", GENERIC),
    Item("B.1.4", "self_care", "穿/脱上衣", GENERIC),
    Item("B.1.5", "self_care", "穿/脱裤子和鞋袜", GENERIC),
    Item(
        "B.1.6",
        "self_care",
        "小便控制",
        (
            (4, "可自行控制排尿"),
            (3, "白天可自行控制，夜间不能完全控制，或自行使用尿布、尿垫"),
            (2, "白天大部分可控制，偶尔失禁，夜间控制差，或需少量协助使用尿布"),
            (1, "白天大部分不能控制（每天一次及以上），夜间失禁，或需大量协助"),
            (0, "完全失禁，或留置导尿管"),
        ),
    ),
    Item(
        "B.1.7",
        "self_care",
        "大便控制",
        (
            (4, "可正常自行控制大便排出"),
            (3, "有时出现便秘或大便失禁，或自行使用开塞露、尿垫"),
            (2, "经常出现便秘或大便失禁，或需少量协助"),
            (1, "大部分时间便秘或大便失禁，或需大量协助"),
            (0, "严重便秘或完全大便失禁，需依赖他人协助排便或清洁皮肤"),
        ),
    ),
    Item("B.1.8", "self_care", "如厕", GENERIC),
    Item("B.2.1", "mobility", "床上体位转移", GENERIC),
    Item("B.2.2", "mobility", "床椅转移", GENERIC),
    Item(
        "B.2.3",
        "mobility",
        "平地行走",
        (
            (4, "可独立平地行走50米左右，且无摔倒风险"),
            (3, "可独立行走50米左右，但有摔倒风险，需他人监护、指导或使用辅具"),
            (2, "在步行时需要他人少量扶持协助"),
            (1, "在步行时需要他人大量扶持协助"),
            (0, "完全不能步行"),
        ),
    ),
    Item(
        "B.2.4",
        "mobility",
        "上下楼梯",
        (
            (3, "可独立上下楼梯（连续10～15个台阶），不需要协助"),
            (2, "在他人指导或提示下完成"),
            (1, "需要他人协助，但以自身完成为主"),
            (0, "主要依靠他人协助，或完全依赖他人协助"),
        ),
    ),
    Item(
        "B.3.1",
        "mental",
        "时间定向",
        (
            (4, "时间观念（年、月）清楚，日期（或星期几）可相差一天"),
            (3, "时间观念有些下降，年、月、日（或星期几）不能全部分清（相差两天或以上）"),
            (2, "时间观念较差，年、月、日不清楚，可知上半年或下半年或季节"),
            (1, "时间观念很差，年、月、日不清楚，可知上午、下午或白天、夜间"),
            (0, "无时间观念"),
        ),
    ),
    Item(
        "B.3.2",
        "mental",
        "空间定向",
        (
            (4, "能在日常生活范围内单独外出，如在日常居住小区内独自外出购物等"),
            (3, "不能单独外出，但能准确知道自己日常生活所在地的地址信息"),
            (2, "不能单独外出，但知道较多有关自己日常生活的地址信息"),
            (1, "不能单独外出，但知道较少自己居住或生活所在地的地址信息"),
            (0, "不能单独外出，无空间观念"),
        ),
    ),
    Item(
        "B.3.3",
        "mental",
        "人物定向",
        (
            (4, "认识长期共同一起生活的人，能称呼并知道关系"),
            (3, "能认识大部分共同生活居住的人，能称呼或知道关系"),
            (2, "能认识部分日常同住的亲人或照护者等"),
            (1, "只认识自己或极少数日常同住的亲人或照护者等"),
            (0, "不认识任何人（包括自己）"),
        ),
    ),
    Item(
        "B.3.4",
        "mental",
        "记忆",
        (
            (4, "总是能保持与社会、年龄所适应的记忆能力，能完整的回忆"),
            (3, "出现轻度的记忆紊乱或回忆不能（5分钟后3个词仅能回忆0～1个）"),
            (2, "出现中度的记忆紊乱或回忆不能（不能回忆近期记忆）"),
            (1, "出现重度的记忆紊乱或回忆不能（不能回忆远期记忆）"),
            (0, "记忆完全紊乱或者完全不能对既往事物进行正确的回忆"),
        ),
    ),
    Item(
        "B.3.5",
        "mental",
        "理解能力",
        (
            (4, "能正常理解他人的话"),
            (3, "能理解他人的话，但需要增加时间"),
            (2, "理解有困难，需频繁重复或简化口头表达"),
            (1, "理解有严重困难，需要大量他人帮助"),
            (0, "完全不能理解他人的话"),
        ),
    ),
    Item(
        "B.3.6",
        "mental",
        "表达能力",
        (
            (4, "能正常表达自己的想法"),
            (3, "能表达自己的需要，但需要增加时间"),
            (2, "表达需要有困难，需频繁重复或简化口头表达"),
            (1, "表达有严重困难，需要大量他人帮助"),
            (0, "完全不能表达需要"),
        ),
    ),
    Item("B.3.7", "mental", "攻击行为", ((1, "未出现"), (0, "近一个月内出现过攻击行为"))),
    Item("B.3.8", "mental", "抑郁症状", ((1, "未出现"), (0, "近一个月内出现过负性情绪"))),
    Item(
        "B.3.9",
        "mental",
        "意识水平",
        (
            (2, "神志清醒，对周围环境能做出正确反应"),
            (1, "嗜睡或意识模糊"),
            (0, "昏睡或昏迷"),
        ),
    ),
    Item(
        "B.4.1",
        "perception_social",
        "视力",
        (
            (2, "视力正常"),
            (1, "能看清楚大字体，但看不清书报上的标准字体；或辨认物体有困难"),
            (0, "只能看到光、颜色和形状；或完全失明"),
        ),
    ),
    Item(
        "B.4.2",
        "perception_social",
        "听力",
        (
            (2, "听力正常"),
            (1, "在轻声说话或说话距离超过2米时听不清；或需安静环境、大声说话"),
            (0, "讲话者大声说话或说话很慢，才能部分听见；或完全失聪"),
        ),
    ),
    Item(
        "B.4.3",
        "perception_social",
        "执行日常事务",
        (
            (4, "能完全独立计划、安排和完成日常事务，无需协助"),
            (3, "在计划、安排和完成日常事务时需要他人监护或指导"),
            (2, "在计划、安排和完成日常事务时需要少量协助"),
            (1, "在计划、安排和完成日常事务时需要大量协助"),
            (0, "完全依赖他人进行日常事务"),
        ),
    ),
    Item(
        "B.4.4",
        "perception_social",
        "使用交通工具外出",
        (
            (3, "能自己骑车或搭乘公共交通工具外出"),
            (2, "能自己搭乘出租车，但不会搭乘其他公共交通工具外出"),
            (1, "当有人协助或陪伴，可搭乘公共交通工具外出"),
            (0, "只能在他人协助下搭乘出租车或私家车外出；或完全不能出门"),
        ),
    ),
    Item(
        "B.4.5",
        "perception_social",
        "社会交往能力",
        (
            (4, "参与社会，在社会环境有一定的适应能力，待人接物恰当"),
            (3, "能适应单纯环境，主动接触他人，初见面时难让人发现智力问题"),
            (2, "脱离社会，可被动接触，不会主动待人，谈话中很多不适词句，容易上当受骗"),
            (1, "勉强可与他人接触，谈吐内容不清楚，表情不恰当"),
            (0, "不能与人交往"),
        ),
    ),
)
ITEM_BY_CODE: dict[str, Item] = {i.code: i for i in ITEMS}
ITEM_CODES: tuple[str, ...] = tuple(i.code for i in ITEMS)

GRADE_LABELS: dict[int, str] = {
    0: "能力完好",
    1: "能力轻度受损（轻度失能）",
    2: "能力中度受损（中度失能）",
    3: "能力重度受损（重度失能）",
    4: "能力完全丧失（完全失能）",
}
# Final grade -> the 失能 tag's grade on the ledger (grade 0: no tag).
DISABLED_TAG_GRADE: dict[int, str] = {1: "轻度", 2: "中度", 3: "重度", 4: "完全"}

# (lowest total, grade), highest band first. §1.2 C.3.
BANDS: tuple[tuple[int, int], ...] = ((90, 0), (66, 1), (46, 2), (30, 3), (0, 4))
MAX_GRADE = 4

B39_STATES: dict[str, tuple[str, int]] = {
    "clear": ("神志清醒", 2),
    "drowsy": ("嗜睡", 1),
    "confused": ("意识模糊", 1),
    "stupor": ("昏睡", 0),
    "coma": ("昏迷", 0),
}

RISK_TYPES: dict[str, str] = {  # A.2.14
    "fall": "跌倒",
    "wander": "走失",
    "choke": "噎食",
    "self_harm": "自杀、自伤",
    "other": "其他",
}
RISK_COUNTS: dict[int, str] = {0: "无", 1: "发生过1次", 2: "发生过2次", 3: "发生过3次及以上"}
RISK_THRESHOLD = 2

DIAGNOSED_BY: dict[str, str] = {
    "psychiatrist": "精神科专科医生",
    "physician": "其他医生",
    "unknown": "不详",
}

REASON_COMA = "COMA"
REASON_MENTAL = "MENTAL_DISORDER"
REASON_RISK = "RISK_EVENTS"
REASON_LABELS: dict[str, str] = {
    REASON_COMA: "昏迷，直接评定为能力完全丧失",
    REASON_MENTAL: "确诊为痴呆或经精神科专科医生诊断的其他精神和行为障碍，提高一个等级",
    REASON_RISK: "近30天内发生过2次及以上照护风险事件，提高一个等级",
}

_ICD = re.compile(r"^([A-Z])(\d{2})(?:\.\d{1,2})?$")


@dataclass(frozen=True)
class Diagnosis:
    icd: str
    diagnosed_by: str = "unknown"
    confirmed: bool = False


@dataclass(frozen=True)
class GbtInput:
    items: Mapping[str, Any]  # item code -> points (validated here; may hold anything)
    coma: bool = False  # A.5.11
    b39_state: str | None = None
    diagnoses: Sequence[Diagnosis] = ()
    risk_events: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GbtResult:
    subtotals: dict[str, int]
    total: int | None
    preliminary_grade: int | None
    final_grade: int
    reasons: list[str]


class ScoreInvalid(Exception):
    """Per-field errors in Chinese, keyed by item code or field name."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _points_text(item: Item) -> str:
    return "、".join(str(p) for p in sorted(item.allowed))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def band(total: int) -> int:
    """Preliminary grade (C.3) of a total 0–90."""
    if not 0 <= total <= MAX_TOTAL:
        raise ValueError(total)
    for low, grade in BANDS:
        if total >= low:
            return grade
    raise AssertionError  # pragma: no cover


def icd_block(icd: str) -> tuple[str, int] | None:
    m = _ICD.match(icd.strip().upper())
    return (m.group(1), int(m.group(2))) if m else None


def is_mental_trigger(d: Diagnosis) -> bool:
    """D2/D6: F00–F03 confirmed; F04–F99 confirmed and by a psychiatric specialist."""
    block = icd_block(d.icd)
    if block is None or block[0] != "F" or not d.confirmed:
        return False
    return block[1] <= 3 or d.diagnosed_by == "psychiatrist"


def is_dementia(d: Diagnosis) -> bool:
    """A confirmed 痴呆 diagnosis (A.4.1 F00–F03): the person's 失智 fact comes from it."""
    block = icd_block(d.icd)
    return block is not None and block[0] == "F" and block[1] <= 3 and d.confirmed


def risk_sum(risk_events: Mapping[str, Any]) -> int:
    return sum(int(v) for v in risk_events.values())


def is_coma(inp: GbtInput) -> bool:
    return bool(inp.coma) or inp.b39_state == "coma"


def resolved_items(inp: GbtInput) -> dict[str, Any]:
    """The items with B.3.9 filled from the consciousness state when only the state is given."""
    items = {k: v for k, v in inp.items.items() if v is not None and v != ""}
    if "B.3.9" not in items and inp.b39_state in B39_STATES:
        items["B.3.9"] = B39_STATES[inp.b39_state][1]
    return items


def validate(inp: GbtInput, *, require_complete: bool = True) -> dict[str, list[str]]:
    """All errors at once, in Chinese, keyed by item code or field name."""
    errors: dict[str, list[str]] = {}
    items = resolved_items(inp)
    for code, value in items.items():
        item = ITEM_BY_CODE.get(code)
        if item is None:
            errors[code] = [f"{code}：不是 GB/T 42195-2022 的评估项目"]
        elif not _is_int(value) or value not in item.allowed:
            errors[code] = [f"{code} {item.label}：只能取 {_points_text(item)} 分"]
    if require_complete and not is_coma(inp):
        for item in ITEMS:
            if item.code not in items:
                errors[item.code] = [f"{item.code} {item.label}：未填写"]
    if inp.b39_state is not None and inp.b39_state not in B39_STATES:
        errors["b39_state"] = ["意识水平状态只能是 clear、drowsy、confused、stupor、coma 之一"]
    elif inp.b39_state is not None and "B.3.9" not in errors:
        expected = B39_STATES[inp.b39_state][1]
        if items.get("B.3.9") != expected:
            name = B39_STATES[inp.b39_state][0]
            errors["B.3.9"] = [f"B.3.9 意识水平：“{name}”应计 {expected} 分"]
    for key, value in inp.risk_events.items():
        if key not in RISK_TYPES:
            errors[f"risk_events.{key}"] = [f"未知的照护风险事件类型：{key}"]
        elif not _is_int(value) or not 0 <= value <= 3:
            errors[f"risk_events.{key}"] = [
                f"近30天{RISK_TYPES[key]}次数只能取 0～3（3 表示3次及以上）"
            ]
    for n, d in enumerate(inp.diagnoses, start=1):
        if icd_block(d.icd) is None:
            errors[f"diagnoses.{n}"] = [f"第{n}项疾病诊断的 ICD-10 编码格式不正确：{d.icd}"]
        elif d.diagnosed_by not in DIAGNOSED_BY:
            errors[f"diagnoses.{n}"] = [
                f"第{n}项疾病诊断的诊断者只能是 psychiatrist、physician、unknown"
            ]
    return errors


def subtotals(items: Mapping[str, Any]) -> dict[str, int]:
    """Running subtotals over whatever valid items are present (for the form)."""
    out = {d.key: 0 for d in DIMENSIONS}
    for code, value in items.items():
        item = ITEM_BY_CODE.get(code)
        if item is not None and _is_int(value) and value in item.allowed:
            out[item.dimension] += value
    return out


def score(inp: GbtInput) -> GbtResult:
    """C.1–C.5 from the answers. Raises ScoreInvalid with every bad item named."""
    errors = validate(inp)
    if errors:
        raise ScoreInvalid(errors)
    items = resolved_items(inp)
    subs = subtotals(items)
    complete = all(code in items for code in ITEM_CODES)
    total = sum(subs.values()) if complete else None
    preliminary = band(total) if total is not None else None
    if is_coma(inp):
        return GbtResult(subs, total, preliminary, MAX_GRADE, [REASON_COMA])
    assert preliminary is not None
    reasons = []
    if any(is_mental_trigger(d) for d in inp.diagnoses):
        reasons.append(REASON_MENTAL)
    if risk_sum(inp.risk_events) >= RISK_THRESHOLD:
        reasons.append(REASON_RISK)
    final = min(MAX_GRADE, preliminary + (1 if reasons else 0))
    return GbtResult(subs, total, preliminary, final, reasons)
