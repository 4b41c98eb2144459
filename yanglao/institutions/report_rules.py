"""Pure rules of the monthly operating report and of the policy values behind it and the
prepaid-fee rules (no ORM). Table-tested at every boundary in tests/test_report_rules.py.

Policy values are rows (models.OperatingRule): national defaults with their 文号, and region
levels (province, city, county) that may only be stricter — the idea of visits.FrequencyRule
(newest row in force per level, then the strictest along the chain national → … → county).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from yanglao.institutions.choices import CareBucket, RuleKey

# --- policy values ----------------------------------------------------------------------

MINFA_2024_19 = "民发〔2024〕19号《关于加强养老机构预收费监管的指导意见》"
NATIONAL_FROM = date(2024, 5, 1)  # 待核实: the date 民发〔2024〕19号 takes effect


@dataclass(frozen=True)
class RuleSpec:
    default: Decimal
    document: str
    lower_is_stricter: bool
    low: Decimal  # the smallest value a row may set
    high: Decimal  # the largest


RULES: dict[str, RuleSpec] = {
    # No national rule names the day; 10th of the next month as in 民政统计 monthly reports
    # (待核实 for Jilin's 养老机构综合监管系统). Earlier is stricter.
    RuleKey.REPORT_DUE_DAY: RuleSpec(
        Decimal(10), "平台默认：次月10日前报送（待核实）", True, Decimal(1), Decimal(28)
    ),
    # 民发〔2024〕19号: 养老服务费 prepaid for at most 12 months.
    RuleKey.SERVICE_MONTHS_MAX: RuleSpec(Decimal(12), MINFA_2024_19, True, Decimal(1), Decimal(12)),
    # 押金 at most 12 times the monthly 床位费.
    RuleKey.DEPOSIT_MULTIPLE_MAX: RuleSpec(
        Decimal(12), MINFA_2024_19, True, Decimal(0), Decimal(12)
    ),
    # Total prepaid at most the net fixed assets, pledged assets excluded (100 %).
    RuleKey.ASSETS_PERCENT_MAX: RuleSpec(
        Decimal(100), MINFA_2024_19, True, Decimal(0), Decimal(100)
    ),
    # At least 30 days' notice before stopping service. More days is stricter.
    RuleKey.STOP_NOTICE_DAYS_MIN: RuleSpec(
        Decimal(30), MINFA_2024_19, False, Decimal(30), Decimal(365)
    ),
    # 公办、公建民营 homes never charge 会员费 (fixed); a region may also forbid it to 民办 (0).
    RuleKey.MEMBERSHIP_PRIVATE: RuleSpec(Decimal(1), MINFA_2024_19, True, Decimal(0), Decimal(1)),
}


@dataclass(frozen=True)
class RuleRow:
    region: str | None  # 12-digit code of the level that set it, None = national
    key: str
    value: Decimal
    effective_from: date
    document_no: str = ""


@dataclass(frozen=True)
class Limits:
    report_due_day: int
    service_months_max: int
    deposit_multiple_max: Decimal
    assets_percent_max: Decimal
    stop_notice_days_min: int
    membership_private: bool
    documents: dict[str, str]


def stricter(key: str, a: Decimal, b: Decimal) -> Decimal:
    return min(a, b) if RULES[key].lower_is_stricter else max(a, b)


def effective_values(
    rows: Iterable[RuleRow], chain: Sequence[str | None], on: date
) -> dict[str, tuple[Decimal, str]]:
    """key -> (value, 文号) in force on `on` for a region whose chain (None, province …) is
    given: the newest row per level and key, then the strictest of the levels."""
    allowed = set(chain)
    newest: dict[tuple[str | None, str], RuleRow] = {}
    for r in rows:
        if r.region not in allowed or r.effective_from > on or r.key not in RULES:
            continue
        k = (r.region, r.key)
        if k not in newest or r.effective_from > newest[k].effective_from:
            newest[k] = r
    out = {key: (spec.default, spec.document) for key, spec in RULES.items()}
    # The national row replaces the shipped default (either way); lower levels only tighten.
    for (region, key), r in sorted(newest.items(), key=lambda kv: (kv[0][0] is not None,)):
        if region is None or stricter(key, out[key][0], r.value) != out[key][0]:
            out[key] = (r.value, r.document_no)
    return out


def limits_of(values: dict[str, tuple[Decimal, str]]) -> Limits:
    v = {k: values[k][0] for k in RULES}
    return Limits(
        report_due_day=int(v[RuleKey.REPORT_DUE_DAY]),
        service_months_max=int(v[RuleKey.SERVICE_MONTHS_MAX]),
        deposit_multiple_max=v[RuleKey.DEPOSIT_MULTIPLE_MAX],
        assets_percent_max=v[RuleKey.ASSETS_PERCENT_MAX],
        stop_notice_days_min=int(v[RuleKey.STOP_NOTICE_DAYS_MIN]),
        membership_private=v[RuleKey.MEMBERSHIP_PRIVATE] >= 1,
        documents={k: values[k][1] for k in RULES},
    )


def check_override(key: str, value: Decimal, parent: Decimal) -> str | None:
    """Chinese reason why a region level may not set `value` (parent = in force above)."""
    spec = RULES.get(key)
    if spec is None:
        return "未知的政策项"
    if not spec.low <= value <= spec.high:
        return f"取值应在{spec.low.normalize():f}至{spec.high.normalize():f}之间"
    if stricter(key, value, parent) != value:
        return f"上级规定为{parent.normalize():f}，下级只能从严，不能放宽为{value.normalize():f}"
    return None


# --- months and due dates ---------------------------------------------------------------


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(month: date, n: int) -> date:
    y, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return date(y, m + 1, 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def report_due(month: date, due_day: int) -> date:
    """The last day to file the report of `month`: `due_day` of the next month."""
    return add_months(month_start(month), 1).replace(day=due_day)


def last_complete_month(today: date) -> date:
    return add_months(month_start(today), -1)


def parse_month(raw: str) -> date | None:
    """'2026-10' (full-width digits and 年/月 accepted) → date(2026, 10, 1), else None."""
    text = "".join(chr(ord(c) - 0xFEE0) if 0xFF10 <= ord(c) <= 0xFF19 else c for c in raw.strip())
    text = text.replace("年", "-").replace("月", "").replace("/", "-").replace(".", "-")
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    if len(parts[0]) != 4 or not 1 <= len(parts[1]) <= 2:
        return None
    year, mon = int(parts[0]), int(parts[1])
    if not (2000 <= year <= 2100 and 1 <= mon <= 12):
        return None
    return date(year, mon, 1)


def month_errors(month: date | None, today: date) -> list[str]:
    """A report (or balance) month must be complete and not older than two years."""
    if month is None:
        return ["月份格式应为 2026-10"]
    if month > last_complete_month(today):
        return ["只能报送已结束的月份"]
    if month < add_months(month_start(today), -24):
        return ["只能报送最近24个月的数据"]
    return []


# --- care grades ------------------------------------------------------------------------

_GRADE_WORDS = (
    ("完全", CareBucket.TOTAL),
    ("重度", CareBucket.SEVERE),
    ("中度", CareBucket.MODERATE),
    ("轻度", CareBucket.MILD),
    ("完好", CareBucket.INTACT),
    ("自理", CareBucket.INTACT),
)


def grade_bucket(care_grade: str) -> str:
    """The report bucket of a residency's care grade text (GB/T 42195-2022 levels); grades a
    home names otherwise (一级护理 …) are 未评定 until the home corrects them."""
    for word, bucket in _GRADE_WORDS:
        if word in care_grade:
            return bucket
    return CareBucket.UNASSESSED
