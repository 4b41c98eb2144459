"""Pure visit rules: policy resolution, periods, validation, rates. No ORM.

Policy rows (frequency per target, counting methods) are data with a region level and an
effective date. Along a region's ancestor chain, each level's newest row in force applies and
the strictest of them wins, so a lower level can only tighten what the level above set
(issue 5 part 1; policy-requirements §2.2 shows provinces tightening the national floor).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from yanglao.regions import codes
from yanglao.visits.choices import (
    GENERAL,
    HIGH_RISK,
    TARGETS,
    Area,
    FindingLevel,
    FollowUpKind,
    Method,
    Need,
    Period,
    RiskLevel,
)

STRICTNESS = {p: i for i, p in enumerate(Period.values)}  # week 0 < month 1 < quarter 2
# Visits recorded offline arrive late: a period's tasks close (逾期 → 未访) this many days after
# the period ends, like a monthly report deadline (次月5日); a visit still counts for the
# period it was made in.
GRACE_DAYS = 5
NOTE_MAX = 500


@dataclass(frozen=True)
class FrequencyRow:
    region: str | None  # 12-digit code, None = national
    target: str
    period: str
    effective_from: date


@dataclass(frozen=True)
class CountingRow:
    region: str | None
    methods: frozenset[str]
    effective_from: date


def _chain_latest(
    rows: Iterable[Any], chain: Sequence[str | None], on: date, key: Any = None
) -> dict[Any, Any]:
    """Newest row in force on `on` per (level in chain, key)."""
    best: dict[Any, Any] = {}
    allowed = set(chain)
    for r in rows:
        if r.region not in allowed or r.effective_from > on:
            continue
        k = (r.region, key(r) if key else None)
        if k not in best or r.effective_from > best[k].effective_from:
            best[k] = r
    return best


def strictest(periods: Iterable[str]) -> str | None:
    ps = list(periods)
    return min(ps, key=STRICTNESS.__getitem__) if ps else None


def effective_periods(
    rows: Iterable[FrequencyRow], chain: Sequence[str | None], on: date
) -> dict[str, str]:
    """target -> period in force for a region whose chain (None, province … self) is given."""
    latest = _chain_latest(rows, chain, on, key=lambda r: r.target)
    out: dict[str, str] = {}
    for (_, target), r in latest.items():
        cur = out.get(target)
        out[target] = r.period if cur is None else strictest([cur, r.period]) or r.period
    return out


# Which visit methods count is policy a province may set (长春 names 电话问候 among the forms
# of visiting): a province or city row may count 电话 beyond the level above; every other
# level (and any other method) may only narrow what the level above counts.
WIDENING_LEVELS = frozenset({codes.PROVINCE, codes.CITY})
ADDABLE_METHODS: frozenset[str] = frozenset({Method.PHONE})


def _may_add(region: str | None) -> frozenset[str]:
    if region is not None and codes.level_of(region) in WIDENING_LEVELS:
        return ADDABLE_METHODS
    return frozenset()


def effective_methods(
    rows: Iterable[CountingRow], chain: Sequence[str | None], on: date
) -> frozenset[str]:
    """Methods that count toward the rate, walking the chain national → … → self: each
    level's newest row in force narrows what the level above counts; a province or city row
    may also add 电话 (ADDABLE_METHODS). No national row: DEFAULT_COUNTING."""
    latest = _chain_latest(rows, chain, on)
    result = frozenset(DEFAULT_COUNTING)
    for region in chain:
        r = latest.get((region, None))
        if r is None:
            continue
        result = r.methods if region is None else r.methods & (result | _may_add(region))
    return result


def check_frequency(parent: dict[str, str], target: str, period: str) -> str | None:
    """Chinese reason why a lower level may not set this, or None."""
    if target not in TARGETS:
        return "未知的巡访对象类别"
    if period not in STRICTNESS:
        return "请选择巡访频次"
    above = parent.get(target)
    if above is not None and STRICTNESS[period] > STRICTNESS[above]:
        return (
            f"上级规定为“{Period(above).label}”，下级只能提高频次，"
            f"不能放宽为“{Period(period).label}”"
        )
    return None


def check_counting(
    parent: frozenset[str], methods: Iterable[str], region: str | None = None
) -> str | None:
    """Chinese reason why `region` (12 digits) may not count these methods, or None."""
    ms = set(methods)
    if not ms:
        return "请至少选择一种计入探访率的方式"
    unknown = ms - set(Method.values)
    if unknown:
        return "未知的巡访方式"
    extra = ms - parent - _may_add(region)
    if extra:
        names = "、".join(Method(m).label for m in Method.values if m in extra)
        if extra <= ADDABLE_METHODS:
            return f"上级规定“{names}”不计入探访率；只有省、市两级可以将其计入，县级及以下不能放宽"
        return f"上级规定“{names}”不计入探访率，下级不能放宽"
    return None


def person_period(
    targets_held: Iterable[str], periods: dict[str, str], high_risk: bool = False
) -> str | None:
    """The strictest frequency over every target a person holds (plus 高风险, plus general)."""
    held = set(targets_held)
    if high_risk:
        held.add(HIGH_RISK)
    held.add(GENERAL)
    return strictest(periods[t] for t in held if t in periods)


# --- periods -----------------------------------------------------------------------------


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def next_month(d: date) -> date:
    return month_end(d) + timedelta(days=1)


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


def quarter_bounds(d: date) -> tuple[date, date]:
    first = date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return first, month_end(add_months(first, 2))


def periods_for_month(month: date, period: str) -> list[tuple[date, date]]:
    """(start, end) of the task periods a month's generation creates for a frequency.

    Weeks: every Monday–Sunday week whose Monday falls in the month. Month: the month.
    Quarter: the quarter containing the month (one task per quarter however often run).
    """
    first, last = month_start(month), month_end(month)
    if period == Period.MONTH:
        return [(first, last)]
    if period == Period.QUARTER:
        return [quarter_bounds(first)]
    if period == Period.WEEK:
        monday = first + timedelta(days=(7 - first.weekday()) % 7)
        out = []
        while monday <= last:
            out.append((monday, monday + timedelta(days=6)))
            monday += timedelta(days=7)
        return out
    raise ValueError(period)


def closes_on(period_end: date) -> date:
    """First day on which an unvisited task of the period is 未访 (period closed)."""
    return period_end + timedelta(days=GRACE_DAYS + 1)


def parse_month(text: str) -> date | None:
    """'2026-03' → date(2026, 3, 1); None when malformed."""
    try:
        y, m = text.strip().split("-")
        return date(int(y), int(m), 1)
    except (ValueError, AttributeError):
        return None


# --- visit record validation ---------------------------------------------------------------


@dataclass
class FollowUpInput:
    kind: str
    note: str = ""
    due_date: date | None = None
    call_made: bool = False  # emergency: "visitor first helps call emergency services" (§2.1)


@dataclass
class VisitInput:
    method: str
    visit_date: date
    risk_level: str
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)
    location: str = ""
    latitude: float | None = None
    longitude: float | None = None
    summary: str = ""
    marked_change: bool = False  # calls for an immediate reassessment
    follow_ups: list[FollowUpInput] = field(default_factory=list)


def check_visit(
    v: VisitInput, *, today: date, birth_date: date | None = None
) -> dict[str, list[str]]:
    """Field errors in Chinese; empty when the record may be stored."""
    errors: dict[str, list[str]] = {}

    def err(key: str, msg: str) -> None:
        errors.setdefault(key, []).append(msg)

    if v.method not in Method.values:
        err("method", "请选择巡访方式")
    if v.risk_level not in RiskLevel.values:
        err("risk_level", "请选择风险等级")
    if v.visit_date > today:
        err("visit_date", "巡访日期不能晚于今天")
    elif birth_date and v.visit_date < birth_date:
        err("visit_date", "巡访日期不能早于出生日期")
    elif v.visit_date < today - timedelta(days=366):
        err("visit_date", "只能补录一年以内的巡访")
    for key in v.findings:
        if key not in Area.values:
            err("findings", f"未知的巡访内容：{key}")
    for area in Area:
        found = v.findings.get(area.value)
        if not found or found.get("level") not in FindingLevel.values:
            err(f"findings.{area.value}", f"请填写“{area.label}”情况")
            continue
        if len(str(found.get("note", ""))) > NOTE_MAX:
            err(f"findings.{area.value}", f"“{area.label}”说明不能超过{NOTE_MAX}字")
        if found["level"] != FindingLevel.OK and not str(found.get("note", "")).strip():
            err(f"findings.{area.value}", f"“{area.label}”有问题时请写明具体情况")
        bad = [n for n in found.get("needs", []) if n not in Need.values]
        if bad:
            err(f"findings.{area.value}", "未知的服务需求")
    if (v.latitude is None) != (v.longitude is None):
        err("location", "经纬度须同时填写")
    elif (
        v.latitude is not None
        and v.longitude is not None
        and not (-90 <= v.latitude <= 90 and -180 <= v.longitude <= 180)
    ):
        err("location", "经纬度超出范围")
    if len(v.location) > 200:
        err("location", "地点不能超过200字")
    if len(v.summary) > NOTE_MAX:
        err("summary", f"情况小结不能超过{NOTE_MAX}字")
    kinds = [f.kind for f in v.follow_ups]
    for i, f in enumerate(v.follow_ups):
        if f.kind not in FollowUpKind.values:
            err(f"follow_ups.{i}", "请选择跟进类型")
        elif f.kind in (FollowUpKind.SERVICE, FollowUpKind.OTHER) and not f.note.strip():
            err(f"follow_ups.{i}", f"“{FollowUpKind(f.kind).label}”请写明转介对象或事项")
        if f.due_date is not None and f.due_date < v.visit_date:
            err(f"follow_ups.{i}", "跟进期限不能早于巡访日期")
    if v.risk_level == RiskLevel.EMERGENCY and FollowUpKind.EMERGENCY not in kinds:
        err("risk_level", "风险等级为“紧急”时须登记紧急救助（是否已拨打急救或报警电话）")
    if v.marked_change and not v.summary.strip():
        err("summary", "申请即时评估时请在情况小结中写明老人的明显变化")
    return errors


def rate(visited: int, roster: int) -> float | None:
    """月探访率 as a fraction, None when nobody is on the roster."""
    return visited / roster if roster else None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# Shipped defaults (national floor; issue 5 part 1, policy-requirements §2.1/2.2).
DEFAULT_FREQUENCY: dict[str, str] = {
    **{t: Period.MONTH for t in TARGETS if t not in (HIGH_RISK, GENERAL)},
    HIGH_RISK: Period.WEEK,
    GENERAL: Period.QUARTER,
}
# The national text does not say whether phone/video count (§2.3 R2.2): door visits and
# video count, phone does not, until a policy row says otherwise.
DEFAULT_COUNTING: frozenset[str] = frozenset({Method.DOOR, Method.VIDEO})
# The guidance is cited by title: its document number is not confirmed in our sources.
DEFAULT_DOCUMENT = "民政部等十部门《关于开展特殊困难老年人探访关爱服务的指导意见》（2022年）"
