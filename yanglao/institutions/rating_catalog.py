"""The clause list of 等级评定 as data, per standard edition (seeded into RatingClause by the
migration; a new edition or a provincial variant is a new block here and a new seed).

GB/T 37276-2018 fixes the four parts and their maxima (环境 120, 设施设备 130, 运营管理 150,
服务 600 [S 长沙 实施细则 2021]). The items inside each part follow the standard's 评定内容 and
GB/T 35796-2017 (养老机构服务质量基本规范) service list, but the points of each item could not
be confirmed from a source here: every item is marked 待核实 (`verified=False`) until a bureau
checks it against the printed 评分细则 or Jilin's own 暂行办法, which may differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Clause:
    code: str
    part: str
    title: str
    max_points: int
    verified: bool = False  # False: 待核实


EDITION = "GB/T 37276-2018"

CLAUSES: dict[str, tuple[Clause, ...]] = {
    EDITION: (
        # 环境 (120)
        Clause("E1", "environment", "交通便捷度与周边服务设施", 20),
        Clause("E2", "environment", "院内道路与出入口无障碍", 25),
        Clause("E3", "environment", "标识标志（安全标志符合 GB 2893、GB 2894）", 15),
        Clause("E4", "environment", "绿化与室外活动场地", 20),
        Clause("E5", "environment", "室内环境（温度、照明、通风、噪声）", 25),
        Clause("E6", "environment", "环境卫生与消毒", 15),
        # 设施设备 (130)
        Clause("F1", "facilities", "居室（面积、床位、储物与私密）", 20),
        Clause("F2", "facilities", "卫生间与洗浴设施（扶手、防滑）", 20),
        Clause("F3", "facilities", "居室和卫生间紧急呼叫装置（或可穿戴设备）", 15),
        Clause("F4", "facilities", "就餐场所与厨房设备", 15),
        Clause("F5", "facilities", "文化娱乐与康复场所、器材", 20),
        Clause("F6", "facilities", "医疗卫生用房与设备", 20),
        Clause("F7", "facilities", "消防设施与安防监控", 20),
        # 运营管理 (150)
        Clause("M1", "management", "行政办公与规章制度", 20),
        Clause("M2", "management", "人力资源（持证上岗、培训、配比）", 30),
        Clause("M3", "management", "财务管理与收费公示", 20),
        Clause("M4", "management", "安全管理（应急预案、演练、昼夜巡查）", 35),
        Clause("M5", "management", "服务质量管理（满意度测评、投诉处理）", 25),
        Clause("M6", "management", "信息与档案管理（个人信息保护）", 20),
        # 服务 (600)
        Clause("S1", "service", "出入院服务（入院评估、服务合同）", 60),
        Clause("S2", "service", "生活照料服务", 120),
        Clause("S3", "service", "膳食服务", 70),
        Clause("S4", "service", "清洁卫生服务", 40),
        Clause("S5", "service", "洗涤服务", 30),
        Clause("S6", "service", "医疗与护理服务", 100),
        Clause("S7", "service", "文化娱乐服务", 50),
        Clause("S8", "service", "心理/精神支持服务", 50),
        Clause("S9", "service", "安宁服务", 30),
        Clause("S10", "service", "康复服务", 30),
        Clause("S11", "service", "委托服务", 20),
    ),
}


def seed(model: Any, edition: str = EDITION) -> int:
    """Insert the edition's clauses that are missing (idempotent); returns how many."""
    have = set(model.objects.filter(edition=edition).values_list("code", flat=True))
    rows = [
        model(
            edition=edition,
            code=c.code,
            part=c.part,
            title=c.title,
            max_points=c.max_points,
            order=n,
            verified=c.verified,
        )
        for n, c in enumerate(CLAUSES[edition], start=1)
        if c.code not in have
    ]
    model.objects.bulk_create(rows)
    return len(rows)
