"""Policy data of the community programmes (家庭养老床位、老年助餐、适老化改造、紧急呼叫、
服务圈). Values a county may set differently are kept here as tables, each row citing where it
comes from; the pure functions in `rules.py` read them and are tested at every boundary.

Where the document gives no number (meal subsidy amounts differ county by county) the value is
marked 示例 and must be confirmed by the county's own notice before production use.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from yanglao.people.choices import Category

# --- 家庭养老床位 -------------------------------------------------------------------------
# 民政部办公厅 财政部办公厅《关于做好2022年居家和社区基本养老服务提升行动项目组织申报工作的
# 通知》（民办函〔2022〕41号）: 家庭养老床位 serves 经济困难的失能、部分失能老年人. Economic
# hardship is 特困、低保、低保边缘 on the ledger; 部分失能 is an ability grade of at least 1
# (GB/T 42195-2022 能力轻度受损) from a confirmed assessment, or the assessment's 失能 tag.


@dataclass(frozen=True)
class HomeBedPolicy:
    economic: frozenset[str]
    min_grade: int  # GB/T 42195-2022 final grade, 1 = 轻度受损（部分失能）
    min_services_per_month: int  # the contract's default promise (may be set higher)
    document: str


HOME_BED = HomeBedPolicy(
    economic=frozenset(
        {Category.EXTREME_POVERTY, Category.MINIMUM_LIVING, Category.MARGINAL_LOW_INCOME}
    ),
    min_grade=1,
    min_services_per_month=4,
    document="民办函〔2022〕41号",
)

# --- 老年助餐 ----------------------------------------------------------------------------
# 民政部等11部门《积极发展老年助餐服务行动方案》（民发〔2023〕58号）: subsidies go first to
# 特困、低保、低保边缘 and to 高龄、失能、独居、空巢 older people. Tier order: the first row a
# diner matches is their tier (the most generous first).


@dataclass(frozen=True)
class MealTier:
    code: str
    label: str
    categories: frozenset[str]  # ledger category tags
    advanced_age: bool  # 高龄 (80+) counts for this tier
    subsidy: Decimal  # 元 per meal (示例: the county's notice sets it)


MEAL_TIERS: tuple[MealTier, ...] = (
    MealTier(
        "t1",
        "一档（特困、低保）",
        frozenset({Category.EXTREME_POVERTY, Category.MINIMUM_LIVING}),
        False,
        Decimal("8.00"),
    ),
    MealTier(
        "t2",
        "二档（低保边缘、失能、计划生育特殊家庭）",
        frozenset({Category.MARGINAL_LOW_INCOME, Category.DISABLED, Category.BEREAVED_FAMILY}),
        False,
        Decimal("5.00"),
    ),
    MealTier(
        "t3",
        "三档（高龄、独居、空巢）",
        frozenset({Category.LIVING_ALONE, Category.EMPTY_NEST}),
        True,
        Decimal("3.00"),
    ),
)
MEAL_TIER_NONE = MealTier("t0", "普惠（无补贴）", frozenset(), False, Decimal("0.00"))
MEAL_TIER_LABELS: dict[str, str] = {t.code: t.label for t in (*MEAL_TIERS, MEAL_TIER_NONE)}
MEAL_DOCUMENT = "民发〔2023〕58号（补贴标准为示例值，以县（区）通知为准）"
MEALS_PER_DAY_MAX = 3  # 早、午、晚: a diner is paid at most one of each a day

# --- 适老化改造 --------------------------------------------------------------------------
# 长春市“十四五”养老服务体系规划 §28: 到2025年底完成不少于3000户特殊困难老年人家庭适老化改造.
MODIFICATION_TARGETS: tuple[tuple[str, int, int, str], ...] = (
    ("220100000000", 2025, 3000, "长春市“十四五”养老服务体系规划 §28"),
)
# 民政部等9部门《关于加快实施老年人居家适老化改造工程的指导意见》（民发〔2020〕86号）附件
# 《老年人居家适老化改造项目和老年用品配置推荐清单》: seven basic items and the optional ones.
# Prices are 示例 (a county's tender sets them).
MODIFICATION_ITEMS: tuple[tuple[str, str, str, str, Decimal, bool], ...] = (
    # code, name, category, unit, unit price, basic (基础类)
    ("M01", "地面防滑处理", "地面改造", "平方米", Decimal("60.00"), True),
    ("M02", "高差处理（门槛移除、坡道）", "地面改造", "处", Decimal("300.00"), True),
    ("M03", "安装扶手", "卫浴改造", "米", Decimal("180.00"), True),
    ("M04", "配置淋浴椅", "卫浴改造", "把", Decimal("150.00"), True),
    ("M05", "配置手杖", "老年用品配置", "根", Decimal("60.00"), True),
    ("M06", "配置防走失装置", "老年用品配置", "个", Decimal("200.00"), True),
    ("M07", "安装紧急呼叫设备（含烟感、燃气报警）", "老年用品配置", "套", Decimal("400.00"), True),
    ("M08", "蹲便器改坐便器", "卫浴改造", "个", Decimal("800.00"), False),
    ("M09", "安装感应夜灯", "照明改造", "个", Decimal("80.00"), False),
    ("M10", "配置护理床", "老年用品配置", "张", Decimal("2000.00"), False),
)
MODIFICATION_SUBSIDY_CAP = Decimal("3000.00")  # 元 per household (示例)

# --- 紧急呼叫 ----------------------------------------------------------------------------
# 居家养老紧急救援服务: 有人员在30分钟内到达现场 (the county's service contract; 示例 from
# common municipal practice). Counted from when the platform raised the alarm.
ALARM_ON_SITE_MINUTES = 30

# --- 服务圈 ------------------------------------------------------------------------------
# GB 50180-2018《城市居住区规划设计标准》 §2.0.2 and table 3.0.4: the 十五分钟生活圈 is a
# walking distance of 800–1000 m. We take the upper bound; older people walk slower, so a
# county may set less.
WALK_RADIUS_M = 1000
WALK_RADIUS_SOURCE = "GB 50180-2018《城市居住区规划设计标准》十五分钟生活圈步行距离800～1000米"
