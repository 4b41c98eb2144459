"""Shipped policy data: the provisional national 16-item list, the Jilin disability two
subsidies and the overlap rules known so far (docs/domain policy-requirements §1.2, §4.3,
§4.5). Loaded by migration 0002 and `yanglao benefits_catalog`; every row is marked 待核实
unless its source was read. National rows set who is covered and the bands, not amounts:
amounts are set by the province, city or county (value None = 由地方确定)."""

from __future__ import annotations

from datetime import date
from typing import Any

ALIVE = {"kind": "alive"}
AT_HOME = {"kind": "dwelling", "in": ["home"]}  # home services: people living at home only
ECON_HARDSHIP = {"kind": "economic", "in": ["minimum_living", "marginal_low_income"]}
NATIONAL_DOC = "中办发〔2022〕42号"
NATIONAL_FROM = date(2023, 5, 21)
JILIN = "220000000000"


def _age(lo: int, hi: int | None = None) -> dict[str, Any]:
    return {"kind": "age", "min": lo, "max": hi} if hi is not None else {"kind": "age", "min": lo}


def _grade(*g: int) -> dict[str, Any]:
    return {"kind": "assessment_grade", "in": list(g)}


def _band(
    label: str, when: dict[str, Any] | None = None, value: str | None = None
) -> dict[str, Any]:
    return {"band": label, "when": when, "value": value}


def _all(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"all": list(parts)}


# 探访关爱 (N13): key-group people living at home, exactly the home-visit roster.
KEY_GROUP_RULE = _all(ALIVE, {"kind": "key_group"}, AT_HOME)
# National rows whose rule changed with the key groups and facts (benefits/0002 updates
# databases seeded before).
CHANGED_BY_KEY_GROUPS = ("N10", "N12", "N13")


NATIONAL: list[dict[str, Any]] = [
    {
        "code": "N01",
        "name": "老年人能力综合评估",
        "category": "caring",
        "target": "60周岁及以上有需求的老年人",
        "rule": _all(ALIVE, _age(60), {"kind": "manual", "label": "本人或家属提出评估需求"}),
        "content": "开展老年人能力评估，评估结果作为享受基本养老服务和补贴的依据",
        "standard": [_band("每人", None, None)],
        "unit": "次",
        "department": "民政部门",
    },
    {
        "code": "N02",
        "name": "特困人员救助供养",
        "category": "material",
        "target": "特困老年人",
        "rule": _all(ALIVE, _age(60), {"kind": "economic", "in": ["extreme_poverty"]}),
        "content": "分散供养或集中供养：基本生活条件、生活不能自理者的照料、疾病治疗、办理丧葬",
        "standard": [_band("基本生活标准", None, None)],
        "unit": "元/人/月",
        "discover": False,  # the 特困 tag itself records the 供养 (社会救助暂行办法 arts. 14–19)
        "department": "民政部门",
        "article": "社会救助暂行办法第十四至十九条",
    },
    {
        "code": "N03",
        "name": "最低生活保障",
        "category": "material",
        "target": "低保家庭中的老年人",
        "rule": _all(ALIVE, _age(60), {"kind": "economic", "in": ["minimum_living"]}),
        "content": "按月发放低保金（家庭人均收入与当地低保标准的差额）",
        "standard": [_band("差额补足", None, None)],
        "unit": "元/户/月",
        "discover": False,  # paid by the 低保 system; the tag records it
        "department": "民政部门",
        "document": "民发〔2021〕57号",
    },
    {
        "code": "N04",
        "name": "经济困难老年人养老服务补贴",
        "category": "material",
        "target": "经济困难老年人（低保、低保边缘）",
        "rule": _all(ALIVE, _age(60), ECON_HARDSHIP),
        "content": "居家社区养老服务补贴，可以服务券等形式发放",
        "standard": [_band("每人", None, None)],
        "unit": "元/人/月",
        "payable": True,
        "department": "民政部门",
        "article": "老年人权益保障法第三十七条",
    },
    {
        "code": "N05",
        "name": "经济困难失能老年人护理补贴",
        "category": "material",
        "target": "经济困难的失能老年人",
        "rule": _all(ALIVE, _age(60), ECON_HARDSHIP, _grade(1, 2, 3, 4)),
        "content": "按失能程度分档发放护理补贴",
        "standard": [
            _band("轻度失能", _grade(1)),
            _band("中度失能", _grade(2)),
            _band("重度失能", _grade(3)),
            _band("完全失能", _grade(4)),
        ],
        "unit": "元/人/月",
        "payable": True,
        "department": "民政部门",
        "article": "老年人权益保障法第三十条",
    },
    {
        "code": "N06",
        "name": "高龄津贴",
        "category": "material",
        "target": "80周岁及以上老年人",
        "rule": _all(ALIVE, _age(80)),
        "content": "按年龄分档按月发放",
        "standard": [
            _band("80–89周岁", _age(80, 89)),
            _band("90–99周岁", _age(90, 99)),
            _band("100周岁及以上", _age(100)),
        ],
        "unit": "元/人/月",
        "payable": True,
        "department": "民政部门",
        "article": "老年人权益保障法第三十三条",
    },
    {
        "code": "N07-1",
        "name": "困难残疾人生活补贴",
        "category": "material",
        "target": "低保家庭中的残疾老年人",
        # 特困 供养 recipients are excluded (鲁政发〔2015〕27号 summary; mapping 待核实 §4.5).
        "rule": _all(
            ALIVE,
            _age(60),
            {"kind": "disability_grade", "in": ["一级", "二级", "三级", "四级"]},
            {"kind": "economic", "in": ["minimum_living"]},
            {"not": {"kind": "economic", "in": ["extreme_poverty"]}},
        ),
        "content": "残疾人两项补贴之一",
        "standard": [_band("每人", None, None)],
        "unit": "元/人/月",
        "payable": True,
        "department": "民政部门、残联",
        "document": "国发〔2015〕52号",
    },
    {
        "code": "N07-2",
        "name": "重度残疾人护理补贴",
        "category": "material",
        "target": "残疾等级为一级、二级且需要长期照护的残疾老年人",
        "rule": _all(ALIVE, _age(60), {"kind": "disability_grade", "in": ["一级", "二级"]}),
        "content": "残疾人两项补贴之一",
        "standard": [_band("每人", None, None)],
        "unit": "元/人/月",
        "payable": True,
        "department": "民政部门、残联",
        "document": "国发〔2015〕52号",
    },
    {
        "code": "N08",
        "name": "计划生育特殊家庭老年人特别扶助、优先服务",
        "category": "caring",
        "target": "计划生育特殊家庭老年人",
        "rule": _all(ALIVE, _age(60), {"kind": "category", "in": ["bereaved_family"]}),
        "content": "特别扶助金、优先入住、就医绿色通道",
        "standard": [_band("每人", None, None)],
        "unit": "",
        "department": "卫生健康部门",
    },
    {
        "code": "N09",
        "name": "公办养老机构优先入住",
        "category": "care",
        "target": "经济困难的失能、高龄等老年人",
        "rule": _all(
            ALIVE,
            {
                "kind": "economic",
                "in": ["extreme_poverty", "minimum_living", "marginal_low_income"],
            },
            {"any": [_grade(2, 3, 4), _age(80)]},
            {"kind": "manual", "label": "本人有入住意愿"},
        ),
        "content": "公办养老机构优先或保障入住、集中照护",
        "standard": [_band("每人", None, None)],
        "unit": "",
        "department": "民政部门",
    },
    {
        "code": "N10",
        "name": "家庭适老化改造",
        "category": "care",
        "target": "经济困难的老年人家庭",
        "rule": _all(
            ALIVE,
            _age(60),
            ECON_HARDSHIP,
            AT_HOME,
            {"kind": "manual", "label": "住房需要适老化改造（入户评估）"},
        ),
        "content": "无障碍和适老化改造，按年度分批实施",
        "standard": [_band("每户", None, None)],
        "unit": "元/户",
        "department": "民政部门",
    },
    {
        "code": "N11",
        "name": "老年人健康管理",
        "category": "care",
        "target": "65周岁及以上老年人",
        "rule": _all(ALIVE, _age(65)),
        "content": "国家基本公共卫生服务：每年一次健康体检、建立健康档案",
        "standard": [_band("每人", None, "1")],
        "unit": "次/年",
        "discover": False,  # delivered by primary health care, not applied for here
        "department": "卫生健康部门",
    },
    {
        "code": "N12",
        "name": "失能老年人家庭照护者培训、居家上门服务",
        "category": "care",
        "target": "失能老年人家庭",
        "rule": _all(ALIVE, _grade(1, 2, 3, 4), AT_HOME),
        "content": "家庭照护者培训、居家上门照护服务",
        "standard": [_band("每户", None, None)],
        "unit": "次/年",
        "department": "民政部门",
    },
    {
        "code": "N13",
        "name": "探访关爱",
        "category": "caring",
        "target": "独居、空巢、留守、特困、高龄、失能（含失智）、重残、计划生育特殊家庭老年人（居家）",
        # The key groups are ONE definition (people.groups), shared with the visit roster.
        "rule": KEY_GROUP_RULE,
        "content": "定期探访、转介、应急救助",
        "standard": [
            _band("失能", {"kind": "key_group", "in": ["disabled"]}, "1"),
            _band("其他", None, None),
        ],
        "unit": "次/月（不低于）",
        "discover": False,  # carried out by the visiting capability, not applied for
        "department": "民政部门",
    },
    {
        "code": "N14",
        "name": "法律援助",
        "category": "caring",
        "target": "符合条件的老年人",
        "rule": _all(ALIVE, {"kind": "manual", "label": "有法律援助事项"}),
        "content": "无固定生活来源、社会救助对象免予经济困难审查",
        "standard": [_band("每案", None, None)],
        "unit": "",
        "department": "司法行政部门",
        "article": "法律援助法第四十二条",
    },
    {
        "code": "N15",
        "name": "资助参加城乡居民基本医疗保险、养老保险",
        "category": "material",
        "target": "低保、特困等困难老年人",
        "rule": _all(ALIVE, {"kind": "economic", "in": ["extreme_poverty", "minimum_living"]}),
        "content": "政府代缴个人缴费部分",
        "standard": [_band("每人", None, None)],
        "unit": "元/人/年",
        "discover": False,  # paid by medical insurance with the 低保/特困 roster
        "department": "医疗保障部门",
    },
    {
        "code": "N16",
        "name": "社区居家养老服务（助餐等）",
        "category": "care",
        "target": "有需求的老年人",
        "rule": _all(ALIVE, _age(60), {"kind": "manual", "label": "本人有服务需求"}),
        "content": "日间照料、助餐、助浴、助洁等",
        "standard": [_band("每人", None, None)],
        "unit": "",
        "department": "民政部门",
    },
]

# Jilin: disability two subsidies 85 → 99 / 93 from 2025-07-01 (吉民发〔2025〕26号, secondary
# source [S 15]; the earlier 85 yuan start date is not known and is marked 待核实 too).
JILIN_ROWS: list[dict[str, Any]] = [
    {"code": "N07-1", "value": "85", "from": date(2024, 1, 1), "to": date(2025, 7, 1), "doc": ""},
    {"code": "N07-2", "value": "85", "from": date(2024, 1, 1), "to": date(2025, 7, 1), "doc": ""},
    {
        "code": "N07-1",
        "value": "99",
        "from": date(2025, 7, 1),
        "to": None,
        "doc": "吉民发〔2025〕26号",
    },
    {
        "code": "N07-2",
        "value": "93",
        "from": date(2025, 7, 1),
        "to": None,
        "doc": "吉民发〔2025〕26号",
    },
]

OVERLAPS: list[dict[str, Any]] = [
    {
        "a": "N07-1",
        "b": "N07-2",
        "kind": "allowed",
        "doc": "国发〔2015〕52号",
        "note": "两项补贴可同时享受（上海、重庆办事指南）",
    },
    {
        "a": "N07-2",
        "b": "N05",
        "kind": "choose_higher",
        "doc": "国发〔2015〕52号",
        "note": "同类护理补贴择高享受，不重复发放（山东鲁政发〔2015〕27号摘要）",
    },
    {
        "a": "N06",
        "b": "N04",
        "kind": "allowed",
        "doc": "",
        "note": "高龄津贴一般可与其他补贴叠加（各地不一）",
    },
    {
        "a": "N05",
        "b": "N04",
        "kind": "allowed",
        "doc": "财社〔2014〕113号",
        "note": "护理补贴与养老服务补贴分别针对失能与经济困难",
    },
]


def item_rows() -> list[dict[str, Any]]:
    """Field values of every shipped ServiceItem row (region as a code or None)."""
    rows: list[dict[str, Any]] = []
    for it in NATIONAL:
        rows.append(
            {
                "code": it["code"],
                "name": it["name"],
                "category": it["category"],
                "target": it["target"],
                "rule": it["rule"],
                "content": it["content"],
                "standard": it["standard"],
                "unit": it["unit"],
                "payable": it.get("payable", False),
                "discover": it.get("discover", True),
                "department": it["department"],
                "document_no": it.get("document", NATIONAL_DOC),
                "article": it.get("article", ""),
                "region": None,
                "effective_from": NATIONAL_FROM,
                "effective_to": None,
                "version": 1,
                "provisional": True,
                "note": "国家清单附件原文未核对，名称、类别、对象为重建（待核实）",
            }
        )
    national = {it["code"]: it for it in NATIONAL}
    versions: dict[str, int] = {}
    for j in JILIN_ROWS:
        base = national[j["code"]]
        versions[j["code"]] = versions.get(j["code"], 0) + 1
        rows.append(
            {
                **next(r for r in rows if r["code"] == j["code"] and r["region"] is None),
                "standard": [_band("每人", None, j["value"])],
                "document_no": j["doc"] or base.get("document", ""),
                "region": JILIN,
                "effective_from": j["from"],
                "effective_to": j["to"],
                "version": versions[j["code"]],
                "provisional": True,
                "note": "吉林省标准（二手来源，待核实）",
            }
        )
    return rows


def seed(service_item: Any, overlap_rule: Any) -> int:
    """Insert the shipped rows that are missing (idempotent); returns how many were added.
    Takes the model classes so a migration can pass its historical models."""
    added = 0
    for row in item_rows():
        region = row.pop("region")
        _, created = service_item.objects.get_or_create(
            code=row["code"], region_id=region, version=row["version"], defaults=row
        )
        added += created
    for o in OVERLAPS:
        _, created = overlap_rule.objects.get_or_create(
            code_a=o["a"],
            code_b=o["b"],
            region_id=None,
            defaults={
                "kind": o["kind"],
                "document_no": o["doc"],
                "note": o["note"],
                "provisional": True,
                "effective_from": NATIONAL_FROM,
            },
        )
        added += created
    return added
