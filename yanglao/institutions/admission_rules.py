"""Admission priority of public homes (pure, no ORM).

长春市 plan §18 asks public homes (公办) to admit by an assessment and a priority order:
特困 first (应养尽养, the state's duty), then 低保/低保边缘 older people with 中度 or worse
失能, 孤寡, 残疾, 高龄, 计划生育特殊家庭, and the families of servicemen (优抚对象). The order
is policy data (`AdmissionPriority` rows with their 文号; a city or county may publish its
own); the national default below is our reading of the plan and is 待核实.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

TEKUN = "tekun"
POOR_DISABLED = "poor_disabled"  # 低保或低保边缘，且中度及以上失能
SOLITARY = "solitary"  # 孤寡 (declared on the request: the ledger has no children field)
DISABILITY = "disability"
ADVANCED_AGE = "advanced_age"
BEREAVED = "bereaved_family"
MILITARY = "military"  # 优抚对象 (declared with its certificate)

LABELS: dict[str, str] = {
    TEKUN: "特困人员",
    POOR_DISABLED: "低保、低保边缘家庭中度及以上失能老年人",
    SOLITARY: "孤寡老年人",
    DISABILITY: "残疾老年人",
    ADVANCED_AGE: "高龄老年人（80周岁及以上）",
    BEREAVED: "计划生育特殊家庭老年人",
    MILITARY: "优抚对象",
}
DEFAULT_ORDER: tuple[str, ...] = (
    TEKUN,
    POOR_DISABLED,
    SOLITARY,
    DISABILITY,
    ADVANCED_AGE,
    BEREAVED,
    MILITARY,
)
MODERATE = 2  # GB/T 42195-2022 final grade 2 = 能力中度受损


@dataclass(frozen=True)
class Facts:
    """What the ledger (and the request's declarations) say of the applicant on a date."""

    tekun: bool = False
    low_income: bool = False  # 低保 or 低保边缘 held
    ability_grade: int | None = None  # latest confirmed GB/T 42195 final grade
    disabled_person: bool = False  # a disability record held (any grade)
    advanced_age: bool = False
    bereaved_family: bool = False
    declared_solitary: bool = False
    declared_military: bool = False


def groups(f: Facts) -> list[str]:
    out = []
    if f.tekun:
        out.append(TEKUN)
    if f.low_income and f.ability_grade is not None and f.ability_grade >= MODERATE:
        out.append(POOR_DISABLED)
    if f.declared_solitary:
        out.append(SOLITARY)
    if f.disabled_person:
        out.append(DISABILITY)
    if f.advanced_age:
        out.append(ADVANCED_AGE)
    if f.bereaved_family:
        out.append(BEREAVED)
    if f.declared_military:
        out.append(MILITARY)
    return out


def rank(f: Facts, order: Sequence[str] = DEFAULT_ORDER) -> tuple[int, list[str]]:
    """(rank, matched groups in policy order): 1 is the highest priority; people matching no
    group rank after every group (len(order) + 1)."""
    mine = set(groups(f))
    matched = [g for g in order if g in mine]
    return (order.index(matched[0]) + 1 if matched else len(order) + 1), matched


def order_errors(order: Sequence[str]) -> list[str]:
    """Chinese reasons why a published order is not acceptable."""
    unknown = [g for g in order if g not in LABELS]
    if unknown:
        return ["优先顺序中有未知的对象类别"]
    if len(set(order)) != len(order):
        return ["优先顺序中有重复的对象类别"]
    if not order or order[0] != TEKUN:
        # 特困 central support is the state's duty (国务院《关于进一步健全特困人员救助供养制度的
        # 意见》): no local order may put anyone before them.
        return ["特困人员须排在第一位（应养尽养）"]
    return []
