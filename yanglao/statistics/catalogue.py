"""The indicator catalogue (指标目录, issue 13 part 1) as data.

Each `Indicator` names its set-based query (`queries.QUERIES`), what its numerator and
denominator count, the factor (a count, % or ‰), the disaggregations its query produces, its
source, frequency and policy target (value, deadline, 文号). A module built later adds its
queries with `queries.register(...)`; the entries below that name such a query show as
"待接入" until it is registered (community services: services delivered, meals served, homes
modified). A numerator reported by hand (figures other departments hold) is a query over the
reporting tables, registered the same way: the catalogue does not care where a row comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from yanglao.statistics import (
    queries,
    queries_institutions,  # noqa: F401 (registers the ins.report_* query)
    queries_services,  # noqa: F401 (registers the svc.* queries)
)

# Themes: one dashboard page each, in this order.
THEMES: dict[str, str] = {
    "population": "老年人口",
    "visits": "探访关爱",
    "assessments": "能力评估",
    "benefits": "基本养老服务",
    "institutions": "养老机构",
    "services": "社区居家养老服务",
}


@dataclass(frozen=True)
class Target:
    value: Decimal  # in the indicator's display unit (percent for a rate)
    at_least: bool  # True: the figure must reach value; False: stay at or below it
    deadline: date
    document: str  # 文号 or the plan and clause

    def met(self, figure: Decimal | None) -> bool | None:
        if figure is None:
            return None
        return figure >= self.value if self.at_least else figure <= self.value


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    theme: str
    definition: str
    query: str  # a name in queries.QUERIES
    unit: str  # 人, 人次, 次, 元, 张, 家, or % / ‰ for a ratio
    numerator: str  # what the numerator counts
    denominator: str = ""  # "" for a plain count
    factor: int = 1  # 100 for %, 1000 for ‰; 1 for a count
    breakdowns: tuple[str, ...] = ()  # disaggregations besides region level
    source: str = ""
    frequency: str = "月"
    target: Target | None = None
    money: bool = False  # numerator stored in 分, shown in 元
    people: bool = True  # counts people (small numbers are suppressed in public)
    public: bool = True  # in the public bulletin
    # Counts of what happened in the month (visits made, money paid, people found): a
    # quarterly bulletin adds the three months' numerators and denominators. Otherwise a
    # state at the month's end (people, beds, lists), which a quarter takes from its last month.
    flow: bool = False
    tags: tuple[str, ...] = field(default=())

    @property
    def is_ratio(self) -> bool:
        return bool(self.denominator)

    @property
    def available(self) -> bool:
        return self.query in queries.QUERIES


# 民发〔2022〕83号《关于开展特殊困难老年人探访关爱服务的指导意见》: 月探访率 100% by end-2025.
VISIT_TARGET = Target(Decimal(100), True, date(2025, 12, 31), "民发〔2022〕83号")
# 长春市养老服务体系建设规划 §19: 护理型床位 ≥ 60% in public homes by end-2025 (the plan's 文号
# is to be confirmed; institutions.rules.NURSING_SHARE_TARGET is the same figure).
NURSING_TARGET = Target(Decimal(60), True, date(2025, 12, 31), "长春市养老服务规划 第19条")
# 养老机构管理办法 (民政部令第66号) art. 38: every home inspected on site at least once a year.
INSPECTION_TARGET = Target(Decimal(100), True, date(2026, 12, 31), "民政部令第66号 第三十八条")

CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "pop.total",
        "在册老年人数",
        "population",
        "统计期末在册（未死亡、未迁出）的60周岁及以上老年人，按居住村（社区）计。",
        "population",
        "人",
        "期末在册老年人",
        breakdowns=("sex", "age"),
        source="老年人信息台账",
    ),
    Indicator(
        "pop.advanced_share",
        "高龄老年人占比",
        "population",
        "期末在册老年人中80周岁及以上者所占比例。",
        "population",
        "%",
        "80周岁及以上老年人",
        "期末在册老年人",
        factor=100,
        source="老年人信息台账",
    ),
    Indicator(
        "pop.category",
        "分类别老年人数",
        "population",
        "统计期末持有各类别标签的在册老年人；一人多类别时分别计入。",
        "population_categories",
        "人",
        "持有该类别的老年人",
        breakdowns=("cat",),
        source="老年人信息台账（类别标签）",
    ),
    Indicator(
        "visit.monthly_rate",
        "月探访率",
        "visits",
        "月初在册、居家的特殊困难老年人中，本月至少有一次按本地规则计数的探访的比例"
        "（与“月探访率”页面同一口径）。",
        "visit_coverage",
        "%",
        "本月已探访人数",
        "月初在册特殊困难老年人",
        factor=100,
        breakdowns=("cat",),
        source="巡访记录",
        target=VISIT_TARGET,
        flow=True,
    ),
    Indicator(
        "visit.records",
        "探访次数",
        "visits",
        "本月完成的探访记录数（更正的记录只计一次），按探访方式分。",
        "visit_records",
        "次",
        "探访记录",
        breakdowns=("method",),
        source="巡访记录",
        people=False,
        flow=True,
    ),
    Indicator(
        "asm.done",
        "完成能力评估人次",
        "assessments",
        "评估基准日期在本月、已确认的老年人能力评估，按最终等级分。",
        "assessments_done",
        "人次",
        "已确认的评估",
        breakdowns=("grade",),
        source="老年人能力评估（GB/T 42195-2022）",
        flow=True,
    ),
    Indicator(
        "asm.overdue",
        "逾期未复评比例",
        "assessments",
        "有已确认评估的在册老年人中，最近一次评估距统计期末已超过常规复评间隔的比例。",
        "assessments_overdue",
        "%",
        "逾期未复评人数",
        "有已确认评估的老年人",
        factor=100,
        source="老年人能力评估",
        target=Target(Decimal(0), False, date(2026, 12, 31), "GB/T 42195-2022 第5.3条"),
    ),
    Indicator(
        "ben.recipients",
        "享受服务人次",
        "benefits",
        "本月在发放期内的待遇，按基本养老服务清单项目分；一人享受两项计两人次。",
        "benefit_recipients",
        "人次",
        "享受待遇",
        breakdowns=("item",),
        source="基本养老服务清单 · 待遇",
        flow=True,
    ),
    Indicator(
        "ben.amount",
        "发放金额",
        "benefits",
        "已审定的本月发放名册金额（含补发、追回），按清单项目分。",
        "benefit_amounts",
        "元",
        "发放金额",
        breakdowns=("item",),
        source="发放名册",
        money=True,
        people=False,
        flow=True,
    ),
    Indicator(
        "ben.gap_found",
        "应保未保新发现",
        "benefits",
        "夜间资格排查本月首次发现的符合条件但未享受、未申请的人次。",
        "benefit_gaps",
        "人次",
        "新发现人次",
        breakdowns=("item",),
        source="应保尽保排查",
        flow=True,
    ),
    Indicator(
        "ben.gap_open",
        "应保未保待纳入",
        "benefits",
        "计算当日仍在应保未保名单上的人次（已申请或已享受即出名单）。",
        "benefit_gaps",
        "人次",
        "名单上的人次",
        breakdowns=("item",),
        source="应保尽保排查",
    ),
    Indicator(
        "ben.gap_closed",
        "应保未保销号",
        "benefits",
        "本月出应保未保名单的人次中，因已申请或已享受该项目而销号的（不再符合条件出名单的不计）。",
        "benefit_gaps",
        "人次",
        "已申请或已享受而销号",
        breakdowns=("item",),
        source="应保尽保排查",
        flow=True,
    ),
    Indicator(
        "ben.new_recipients",
        "新纳入保障人次",
        "benefits",
        "本月开始发放的待遇（含应保未保名单销号后纳入的），按清单项目分。",
        "benefit_gaps",
        "人次",
        "新增待遇",
        breakdowns=("item",),
        source="基本养老服务清单 · 待遇",
        flow=True,
    ),
    Indicator(
        "ben.stops",
        "应退尽退停发人次",
        "benefits",
        "本月起停发的待遇，按停发原因分。",
        "benefit_stops",
        "人次",
        "停发待遇",
        breakdowns=("reason",),
        source="复核任务 · 待遇",
        flow=True,
    ),
    Indicator(
        "ins.homes",
        "运营中的养老机构",
        "institutions",
        "统计时运营中的养老机构数，按举办性质分。",
        "institutions",
        "家",
        "养老机构",
        breakdowns=("own",),
        source="养老机构登记备案",
        people=False,
    ),
    Indicator(
        "ins.beds",
        "养老机构床位",
        "institutions",
        "运营中的养老机构总床位数，按举办性质分。",
        "institutions",
        "张",
        "床位",
        breakdowns=("own",),
        source="养老机构登记备案",
        people=False,
    ),
    Indicator(
        "ins.nursing_share",
        "护理型床位占比",
        "institutions",
        "公办（含公建民营）养老机构护理型床位数占其总床位数的比例。",
        "institutions",
        "%",
        "护理型床位",
        "公办养老机构床位",
        factor=100,
        source="养老机构登记备案",
        target=NURSING_TARGET,
        people=False,
    ),
    Indicator(
        "ins.dementia_beds",
        "失智照护床位",
        "institutions",
        "运营中的养老机构登记的失智照护床位数。长春市目标：2025年底不少于500张"
        "（长春市养老服务规划 第20条，全市合计，区县无单独目标）。",
        "institutions",
        "张",
        "失智照护床位",
        source="养老机构登记备案",
        people=False,
    ),
    Indicator(
        "ins.liability_rate",
        "综合责任保险投保率",
        "institutions",
        "运营中的养老机构中投保养老机构综合责任保险的比例。",
        "institutions",
        "%",
        "投保综合责任保险的机构",
        "运营中的养老机构",
        factor=100,
        source="养老机构登记备案",
        people=False,
    ),
    Indicator(
        "ins.inspection_coverage",
        "养老机构现场检查覆盖率",
        "institutions",
        "本年度至少接受一次现场检查的运营中养老机构所占比例。",
        "institutions",
        "%",
        "本年已现场检查的机构",
        "运营中的养老机构",
        factor=100,
        source="双随机一公开 · 现场检查",
        frequency="年（按月累计）",
        target=INSPECTION_TARGET,
        people=False,
    ),
    Indicator(
        "ins.rectification_on_time",
        "整改按期完成率",
        "institutions",
        "整改期限在本年度的检查问题中，在期限内整改完成的比例。",
        "institutions",
        "%",
        "按期整改完成的问题",
        "整改期限在本年的问题",
        factor=100,
        source="双随机一公开 · 整改",
        frequency="年（按月累计）",
        people=False,
    ),
    # Institutions' monthly reports (statistics.queries_institutions): the period shows the
    # reports of the month before it (due by the 10th, after the statistics month closed).
    Indicator(
        "ins.report_homes",
        "报送月报的养老机构",
        "institutions",
        "报送了上月运营月报的养老机构数（以下月报数字只含这些机构）。",
        "institution_reports",
        "家",
        "报送上月月报的机构",
        source="养老机构月报",
        people=False,
    ),
    Indicator(
        "ins.report_residents",
        "养老机构在住老人（月报）",
        "institutions",
        "各机构上月月报的月末在住老人数，按能力等级（GB/T 42195-2022）分。",
        "institution_reports",
        "人",
        "在住老人",
        breakdowns=("care",),
        source="养老机构月报",
    ),
    Indicator(
        "ins.report_staff",
        "养老机构工作人员（月报）",
        "institutions",
        "各机构上月月报的工作人员数，按岗位分。",
        "institution_reports",
        "人",
        "工作人员",
        breakdowns=("post",),
        source="养老机构月报",
        people=False,
    ),
    Indicator(
        "ins.report_incidents",
        "养老机构安全事件（月报）",
        "institutions",
        "各机构上月月报的安全事件次数，按类型（GB 38600-2019 九防、火灾、其他）分。",
        "institution_reports",
        "次",
        "安全事件",
        breakdowns=("incident",),
        source="养老机构月报",
        flow=True,
    ),
    # Community services (yanglao.community): statistics.queries_services registers these.
    Indicator(
        "svc.delivered",
        "居家社区养老服务人次",
        "services",
        "本月提供的居家社区养老服务人次，按服务类别分。",
        "services_delivered",
        "人次",
        "服务人次",
        breakdowns=("kind",),
        source="社区居家养老服务记录",
        flow=True,
    ),
    Indicator(
        "svc.meals",
        "老年助餐份数",
        "services",
        "本月老年助餐点提供的餐数。",
        "services_meals",
        "份",
        "助餐份数",
        source="老年助餐服务记录",
        people=False,
        flow=True,
    ),
    Indicator(
        "svc.homes_modified",
        "适老化改造完成户数",
        "services",
        "本年累计完成的居家适老化改造户数（与年度目标对比）。",
        "services_homes_modified",
        "户",
        "完成改造户数",
        source="居家适老化改造记录",
        frequency="年（按月累计）",
    ),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in CATALOGUE}


def of_theme(theme: str) -> list[Indicator]:
    return [i for i in CATALOGUE if i.theme == theme]


def get(code: str) -> Indicator | None:
    return BY_CODE.get(code)
