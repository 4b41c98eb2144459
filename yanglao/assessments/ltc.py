"""《长期护理失能等级评估标准（试行）》(2021) scoring: pure functions, no ORM.

Items and points follow docs/domain/assessment-standards.md §2.2 (ADL 0–100, 认知 0–16,
感知觉与沟通 0–12). The dimension bands and the combination matrix were NOT found in any
reachable source: the values in DEFAULT_CONFIG are a candidate, shipped marked 试行/待核, and
are read from versioned configuration (ScoringConfig) so an administrator can replace them
with the official annex without a code change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STANDARD = "LTC-2021"


@dataclass(frozen=True)
class LtcItem:
    code: str
    dimension: str  # adl | cognition | sensory
    label: str
    allowed: tuple[int, ...]


ITEMS: tuple[LtcItem, ...] = (
    LtcItem("ADL.1", "adl", "进食", (0, 5, 10)),
    LtcItem("ADL.2", "adl", "穿衣", (0, 5, 10)),
    LtcItem("ADL.3", "adl", "面部与口腔清洁", (0, 5)),
    LtcItem("ADL.4", "adl", "大便控制", (0, 5, 10)),
    LtcItem("ADL.5", "adl", "小便控制", (0, 5, 10)),
    LtcItem("ADL.6", "adl", "用厕", (0, 5, 10)),
    LtcItem("ADL.7", "adl", "平地行走", (0, 5, 10, 15)),
    LtcItem("ADL.8", "adl", "床椅转移", (0, 5, 10, 15)),
    LtcItem("ADL.9", "adl", "上下楼", (0, 5, 10)),
    LtcItem("ADL.10", "adl", "洗澡", (0, 5)),
    LtcItem("COG.1", "cognition", "时间定向", (0, 1, 2, 3, 4)),
    LtcItem("COG.2", "cognition", "人物定向", (0, 1, 2, 3, 4)),
    LtcItem("COG.3", "cognition", "空间定向", (0, 1, 2, 3, 4)),
    LtcItem("COG.4", "cognition", "记忆力", (0, 1, 2, 3, 4)),
    LtcItem("SEN.1", "sensory", "视力", (0, 1, 2, 3, 4)),
    LtcItem("SEN.2", "sensory", "听力", (0, 1, 2, 3, 4)),
    LtcItem("SEN.3", "sensory", "沟通能力", (0, 1, 2, 3, 4)),
)
ITEM_BY_CODE = {i.code: i for i in ITEMS}
DIMENSIONS: dict[str, tuple[str, int]] = {
    "adl": ("日常生活活动能力", 100),
    "cognition": ("认知能力", 16),
    "sensory": ("感知觉与沟通能力", 12),
}
DIMENSION_GRADES = {0: "能力完好", 1: "轻度受损", 2: "中度受损", 3: "重度受损"}
GRADE_LABELS: dict[int, str] = {
    0: "基本正常",
    1: "轻度失能",
    2: "中度失能",
    3: "重度失能Ⅰ级",
    4: "重度失能Ⅱ级",
    5: "重度失能Ⅲ级",
}

# Candidate configuration — 试行/待核. Bands: [lowest score, dimension grade], best first.
DEFAULT_CONFIG: dict[str, Any] = {
    "version": "2021-candidate-1",
    "status": "trial",
    "note": "认知、感知觉与沟通分级界值及组合表未经官方文本核对（试行/待核）",
    "bands": {
        "adl": [[100, 0], [65, 1], [45, 2], [0, 3]],  # Barthel bands as in MZ/T 039
        "cognition": [[16, 0], [12, 1], [8, 2], [0, 3]],  # placeholder, 待核
        "sensory": [[12, 0], [9, 1], [5, 2], [0, 3]],  # placeholder, 待核
    },
    # rows: ADL grade 0–3; columns: the more severe of 认知 / 感知觉与沟通 (0–3)
    "matrix": [[0, 0, 1, 1], [1, 1, 1, 2], [2, 2, 2, 3], [3, 3, 4, 5]],
}


@dataclass(frozen=True)
class LtcResult:
    subtotals: dict[str, int]
    dimension_grades: dict[str, int]
    grade: int
    config_version: str


class ConfigInvalid(ValueError):
    pass


def _whole(value: Any) -> int:
    # Scoring compares and indexes with the stored values as they are: "65" or 2.5 would
    # pass int() here and break (or silently shift) grading later.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigInvalid(f"取值须为整数：{value!r}")
    return value


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse a configuration that cannot grade every possible score."""
    if not isinstance(config, Mapping):
        raise ConfigInvalid("配置须为 JSON 对象")
    try:
        bands = config["bands"]
        for dim, (_, maximum) in DIMENSIONS.items():
            rows = [(_whole(lo), _whole(g)) for lo, g in bands[dim]]
            if [g for _, g in rows] != [0, 1, 2, 3]:
                raise ConfigInvalid(f"{DIMENSIONS[dim][0]}（{dim}）：须依次给出 0–3 四个等级")
            lows = [lo for lo, _ in rows]
            if lows != sorted(lows, reverse=True) or lows[-1] != 0 or lows[0] > maximum:
                raise ConfigInvalid(
                    f"{DIMENSIONS[dim][0]}（{dim}）：界值须从高到低排列，最高不超过 {maximum}，最低为 0"
                )
        matrix = config["matrix"]
        if len(matrix) != 4 or any(
            len(row) != 4 or any(_whole(c) not in range(6) for c in row) for row in matrix
        ):
            raise ConfigInvalid("组合表须为 4×4，取值 0–5")
        str(config["version"])
    except ConfigInvalid:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigInvalid(f"配置结构不完整：{exc}") from exc


def dimension_grade(score: int, bands: list[list[int]]) -> int:
    for low, grade in bands:
        if score >= low:
            return int(grade)
    raise ValueError(score)


def validate(items: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for code, value in items.items():
        item = ITEM_BY_CODE.get(code)
        if item is None:
            errors[code] = [f"{code}：不是长期护理失能等级评估标准的评估项目"]
        elif isinstance(value, bool) or not isinstance(value, int) or value not in item.allowed:
            points = "、".join(str(p) for p in item.allowed)
            errors[code] = [f"{code} {item.label}：只能取 {points} 分"]
    for item in ITEMS:
        if item.code not in items:
            errors[item.code] = [f"{item.code} {item.label}：未填写"]
    return errors


def score(items: Mapping[str, Any], config: Mapping[str, Any] = DEFAULT_CONFIG) -> LtcResult:
    from yanglao.assessments.scoring import ScoreInvalid

    errors = validate(items)
    if errors:
        raise ScoreInvalid(errors)
    subs = dict.fromkeys(DIMENSIONS, 0)
    for code, value in items.items():
        subs[ITEM_BY_CODE[code].dimension] += int(value)
    grades = {d: dimension_grade(subs[d], config["bands"][d]) for d in DIMENSIONS}
    worse = max(grades["cognition"], grades["sensory"])
    grade = int(config["matrix"][grades["adl"]][worse])
    return LtcResult(subs, grades, grade, str(config["version"]))
