"""Pure rules of prepaid fees and deposits (民发〔2024〕19号) and the risk score of the risk
list (no ORM). Table-tested at every boundary in tests/test_prepaid_rules.py.

A rule broken is recorded on the filing or balance report as a violation (code, Chinese
message, 文号), not refused: the bureau must see what a home actually holds. Input that
cannot be true (negative amounts, pledged above the assets) is refused by the service.

The monthly balance is checked in aggregate. Each resident's deposit is at most k × their
monthly 床位费, so the home's deposit balance is at most k × the month's 床位费 billed
(Σd ≤ k·Σf); the same holds for prepaid service fees against the month's service fees. A
balance above the aggregate limit therefore proves that some resident's prepayment breaks the
rule (the converse does not hold: the aggregate check can miss one resident's excess).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from yanglao.institutions.choices import Ownership, PrepaidKind, RuleKey
from yanglao.institutions.report_rules import Limits

ZERO = Decimal(0)
MINFA = "民发〔2024〕19号"


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    document: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "document": self.document}


def _yuan(d: Decimal) -> str:
    return f"{d.quantize(Decimal('0.01')):,}"


def membership_allowed(ownership: str, limits: Limits) -> bool:
    """公办、公建民营 homes may not charge 会员费; a region may forbid it to 民办 too."""
    if ownership in (Ownership.PUBLIC, Ownership.PUBLIC_PRIVATE):
        return False
    return limits.membership_private


def assets_limit(net: Decimal, pledged: Decimal, limits: Limits) -> Decimal:
    """Total prepaid allowed: the share in force of the net fixed assets, pledged excluded."""
    return max(ZERO, net - pledged) * limits.assets_percent_max / 100


@dataclass(frozen=True)
class Item:
    kind: str
    amount: Decimal  # per person
    months: int | None = None  # 养老服务费: months covered
    bed_fee: Decimal | None = None  # 押金: the monthly 床位费 it secures


@dataclass(frozen=True)
class FilingFacts:
    ownership: str
    items: Sequence[Item]
    total_held: Decimal
    fixed_assets_net: Decimal
    fixed_assets_pledged: Decimal
    custody_account: str
    risk_reserve: Decimal


def _membership(ownership: str, limits: Limits) -> Violation:
    public = ownership in (Ownership.PUBLIC, Ownership.PUBLIC_PRIVATE)
    who = "公办、公建民营养老机构" if public else "本地区养老机构"
    return Violation(
        "membership", f"{who}不得收取会员费", limits.documents[RuleKey.MEMBERSHIP_PRIVATE]
    )


def _assets(total: Decimal, net: Decimal, pledged: Decimal, limits: Limits) -> Violation | None:
    cap = assets_limit(net, pledged, limits)
    if total <= cap:
        return None
    return Violation(
        "assets",
        f"预收费用总额{_yuan(total)}元超过净固定资产（不含已抵押）的"
        f"{limits.assets_percent_max.normalize():f}%（{_yuan(cap)}元）",
        limits.documents[RuleKey.ASSETS_PERCENT_MAX],
    )


def filing_violations(f: FilingFacts, limits: Limits) -> list[Violation]:
    out: list[Violation] = []
    for it in f.items:
        if it.kind == PrepaidKind.SERVICE_FEE and (it.months or 0) > limits.service_months_max:
            out.append(
                Violation(
                    "service_months",
                    f"养老服务费预收{it.months}个月，超过{limits.service_months_max}个月",
                    limits.documents[RuleKey.SERVICE_MONTHS_MAX],
                )
            )
        if it.kind == PrepaidKind.DEPOSIT:
            cap = (it.bed_fee or ZERO) * limits.deposit_multiple_max
            if it.amount > cap:
                out.append(
                    Violation(
                        "deposit",
                        f"押金{_yuan(it.amount)}元超过月床位费的"
                        f"{limits.deposit_multiple_max.normalize():f}倍（{_yuan(cap)}元）",
                        limits.documents[RuleKey.DEPOSIT_MULTIPLE_MAX],
                    )
                )
        if it.kind == PrepaidKind.MEMBERSHIP and not membership_allowed(f.ownership, limits):
            out.append(_membership(f.ownership, limits))
    if v := _assets(f.total_held, f.fixed_assets_net, f.fixed_assets_pledged, limits):
        out.append(v)
    custodial = any(it.kind in (PrepaidKind.DEPOSIT, PrepaidKind.MEMBERSHIP) for it in f.items)
    if custodial and not f.custody_account:
        out.append(Violation("custody", "收取押金、会员费须开设商业银行第三方存管账户", MINFA))
    if custodial and f.risk_reserve <= ZERO:
        out.append(Violation("reserve", "收取押金、会员费须缴存风险保证金", MINFA))
    return out


@dataclass(frozen=True)
class BalanceFacts:
    ownership: str
    service_fees_monthly: Decimal
    bed_fees_monthly: Decimal
    service_balance: Decimal
    deposit_balance: Decimal
    membership_balance: Decimal
    custody_balance: Decimal
    fixed_assets_net: Decimal
    fixed_assets_pledged: Decimal

    @property
    def total(self) -> Decimal:
        return self.service_balance + self.deposit_balance + self.membership_balance


def balance_violations(b: BalanceFacts, limits: Limits) -> list[Violation]:
    out: list[Violation] = []
    cap = b.service_fees_monthly * limits.service_months_max
    if b.service_balance > cap:
        out.append(
            Violation(
                "service_months",
                f"预收养老服务费余额{_yuan(b.service_balance)}元超过本月应收服务费的"
                f"{limits.service_months_max}倍（{_yuan(cap)}元）",
                limits.documents[RuleKey.SERVICE_MONTHS_MAX],
            )
        )
    cap = b.bed_fees_monthly * limits.deposit_multiple_max
    if b.deposit_balance > cap:
        out.append(
            Violation(
                "deposit",
                f"押金余额{_yuan(b.deposit_balance)}元超过本月应收床位费的"
                f"{limits.deposit_multiple_max.normalize():f}倍（{_yuan(cap)}元）",
                limits.documents[RuleKey.DEPOSIT_MULTIPLE_MAX],
            )
        )
    if b.membership_balance > ZERO and not membership_allowed(b.ownership, limits):
        out.append(_membership(b.ownership, limits))
    if v := _assets(b.total, b.fixed_assets_net, b.fixed_assets_pledged, limits):
        out.append(v)
    held = b.deposit_balance + b.membership_balance
    if b.custody_balance < held:
        out.append(
            Violation(
                "custody",
                f"存管账户余额{_yuan(b.custody_balance)}元少于押金和会员费余额{_yuan(held)}元",
                MINFA,
            )
        )
    return out


def stop_notice_violation(notified_on: date, stop_on: date, limits: Limits) -> Violation | None:
    days = (stop_on - notified_on).days
    if days >= limits.stop_notice_days_min:
        return None
    return Violation(
        "stop_notice",
        f"停止服务前{days}天告知，少于{limits.stop_notice_days_min}天",
        limits.documents[RuleKey.STOP_NOTICE_DAYS_MIN],
    )


# --- risk score -------------------------------------------------------------------------
# A home's risk of not refunding prepaid money, 0–100, from what it reports and what the
# bureau receives, so it can act before anyone complains. Points (documented in
# docs/institutions.md; the weights are this platform's, not a policy's — 待核实 with the bureau):
#   balance fall  ≤ 40: the custody balance per month of fees billed (balance ÷ residents ×
#                       fees) fell from the month before: 80 points per unit of fall (a 50 %
#                       fall or more gives 40);
#   violations    ≤ 20: 10 per rule broken in the month's balance report or the current filing;
#   arrears       ≤ 20: arrears owed (wages, rent, refunds) in months of fees billed, × 20;
#   complaints    ≤ 20: 5 per complaint received in the last 90 days;
#   stop notice     30: a notice of stopping service not withdrawn;
#   no report       10: no balance report for the month.
# The total is capped at 100; ≥ 60 is 高, ≥ 30 中, above 0 低.

FALL_POINTS, FALL_CAP = Decimal(80), Decimal(40)
VIOLATION_POINTS, VIOLATION_CAP = 10, 20
ARREARS_CAP = Decimal(20)
COMPLAINT_POINTS, COMPLAINT_CAP = 5, 20
COMPLAINT_WINDOW_DAYS = 90
STOP_POINTS = 30
NO_REPORT_POINTS = 10
HIGH, MEDIUM = 60, 30


@dataclass(frozen=True)
class RiskFacts:
    reported: bool  # a balance report for the month exists
    custody: Decimal = ZERO
    fees: Decimal = ZERO  # service fees billed in the month (residents × fees)
    prev_custody: Decimal | None = None  # the month before (None: no report)
    prev_fees: Decimal | None = None
    arrears: Decimal = ZERO
    violations: int = 0
    complaints: int = 0
    stop_notice: bool = False


@dataclass(frozen=True)
class Risk:
    score: int
    parts: dict[str, int] = field(default_factory=dict)

    @property
    def level(self) -> str:
        if self.score >= HIGH:
            return "高"
        if self.score >= MEDIUM:
            return "中"
        return "低" if self.score > 0 else "无"


def cover(custody: Decimal, fees: Decimal) -> Decimal | None:
    """Months of billed fees the custody balance covers (None when nothing is billed)."""
    return custody / fees if fees > ZERO else None


def balance_fall(f: RiskFacts) -> Decimal:
    """Relative fall of the cover from the month before, 0–1 (0 when not comparable)."""
    if f.prev_custody is None or f.prev_fees is None or not f.reported:
        return ZERO
    before, now = cover(f.prev_custody, f.prev_fees), cover(f.custody, f.fees)
    if before is None or before <= ZERO or now is None:
        return ZERO
    return min(Decimal(1), max(ZERO, (before - now) / before))


def risk_score(f: RiskFacts) -> Risk:
    parts = {
        "fall": int(min(FALL_CAP, balance_fall(f) * FALL_POINTS)),
        "violations": min(VIOLATION_CAP, VIOLATION_POINTS * f.violations),
        "arrears": int(min(ARREARS_CAP, f.arrears / f.fees * ARREARS_CAP))
        if f.fees > ZERO
        else (int(ARREARS_CAP) if f.arrears > ZERO else 0),
        "complaints": min(COMPLAINT_CAP, COMPLAINT_POINTS * f.complaints),
        "stop_notice": STOP_POINTS if f.stop_notice else 0,
        "no_report": 0 if f.reported else NO_REPORT_POINTS,
    }
    return Risk(min(100, sum(parts.values())), {k: v for k, v in parts.items() if v})


RISK_PARTS = {
    "fall": "存管余额相对在住人数×收费下降",
    "violations": "违反预收费规定",
    "arrears": "拖欠款项",
    "complaints": "近90天投诉",
    "stop_notice": "已告知停止服务",
    "no_report": "未报告本月余额",
}
