"""Pure rules of the community programmes: no ORM, plain values in, plain values out.
Each is tested table-driven at its boundaries (tests/test_programme_rules.py)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from yanglao.community.programmes import policy

# --- 家庭养老床位 -------------------------------------------------------------------------


def homebed_refusals(
    categories: Iterable[str], grade: int | None, p: policy.HomeBedPolicy = policy.HOME_BED
) -> list[str]:
    """Why a person may not have a home care bed (empty: eligible). `categories` are the
    person's open ledger tags; `grade` the final grade of their latest confirmed assessment
    (None: never assessed)."""
    cats = set(categories)
    reasons = []
    if not cats & p.economic:
        reasons.append("不属于经济困难老年人（特困、低保、低保边缘）")
    if grade is None:
        reasons.append("没有已确认的能力评估结果，须先做居家评估")
    elif grade < p.min_grade:
        reasons.append("能力评估为能力完好，不属于失能、部分失能老年人")
    return reasons


def homebed_short(delivered: int, promised: int) -> bool:
    """Too few services this month: fewer delivered than the contract promises."""
    return delivered < promised


# --- 老年助餐 ----------------------------------------------------------------------------


def meal_tier(
    categories: Iterable[str], age: int, tiers: Sequence[policy.MealTier] = policy.MEAL_TIERS
) -> policy.MealTier:
    """The diner's subsidy tier: the first tier whose categories the person has (高龄 = 80+
    where the tier counts it), else 普惠."""
    cats = set(categories)
    for t in tiers:
        if cats & t.categories or (t.advanced_age and age >= 80):
            return t
    return policy.MEAL_TIER_NONE


@dataclass(frozen=True)
class DinerFacts:
    """What the ledger says about a diner, for the settlement's checks."""

    enrolled_on: date
    ended_on: date | None
    life_status: str  # alive / deceased / moved_out
    status_date: date | None
    stays: tuple[tuple[date, date | None], ...] = ()  # institution stays [start, end)


def meal_refusal(meal_date: date, f: DinerFacts) -> str:
    """Why a recorded meal is not paid ('' when payable). The rule (docs/community-
    programmes.md): nothing on or after the day of death or move-out, nothing outside the
    enrolment, nothing on a day the person lived in an institution (admission day included,
    discharge day excluded: on that day they may eat at home)."""
    if f.life_status != "alive" and f.status_date is not None and meal_date >= f.status_date:
        return "老人已死亡" if f.life_status == "deceased" else "老人已迁出"
    if meal_date < f.enrolled_on or (f.ended_on is not None and meal_date >= f.ended_on):
        return "不在助餐登记期内"
    for start, end in f.stays:
        if start <= meal_date and (end is None or meal_date < end):
            return "入住养老机构期间"
    return ""


# --- 适老化改造 --------------------------------------------------------------------------


def modification_subsidy(
    plan_total: Decimal, cap: Decimal = policy.MODIFICATION_SUBSIDY_CAP
) -> Decimal:
    """The subsidy paid on acceptance: the accepted plan's cost, at most the cap."""
    return min(max(plan_total, Decimal(0)), cap).quantize(Decimal("0.01"))


def percent(done: int, target: int) -> int | None:
    """Progress in whole percent (floored); None without a target."""
    if target <= 0:
        return None
    return done * 100 // target


# --- 紧急呼叫 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    minutes: int | None  # minutes from the alarm to arrival (None: not arrived)
    late: bool  # arrived after the target, or still not there after it


def response(
    raised_at: datetime,
    arrived_at: datetime | None,
    now: datetime,
    target_minutes: int = policy.ALARM_ON_SITE_MINUTES,
) -> Response:
    """Response time against the target: arriving exactly at the target is on time."""
    limit = raised_at + timedelta(minutes=target_minutes)
    if arrived_at is not None:
        minutes = max(0, int((arrived_at - raised_at).total_seconds() // 60))
        return Response(minutes, arrived_at > limit)
    return Response(None, now > limit)


# --- 服务圈 ------------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def within(
    point: tuple[float, float],
    facilities: Sequence[tuple[float, float]],
    radius_m: float = policy.WALK_RADIUS_M,
) -> int:
    """How many facilities lie within the walking radius of a point (lat, lon); the radius
    itself counts as within."""
    lat, lon = point
    # A box first (1° latitude ≈ 111 km), then the exact distance.
    dlat = radius_m / 111_000 + 1e-9
    dlon = dlat / max(0.01, math.cos(math.radians(lat)))
    n = 0
    for flat, flon in facilities:
        near = abs(flat - lat) <= dlat and abs(flon - lon) <= dlon
        if near and distance_m(lat, lon, flat, flon) <= radius_m:
            n += 1
    return n
