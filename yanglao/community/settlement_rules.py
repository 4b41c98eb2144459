"""Pure rules of the monthly settlement (issue 12 part 8): which confirmed service logs are
payable, at what price, and who pays what. No database: the service gathers the facts, these
functions decide, the tests walk every rule as a table.

Rules, in the order they are checked (the first that applies refuses the whole log):

1. 未确认 — only a log the person or family confirmed (signature, SMS code, window check) is
   payable.
2. 已支付 — a log that already has a paid line for any payer in a live settlement is never
   paid again, by any payer (the DB constraint `settlement_line_paid_once` backs this per
   payer; this rule makes it per log).
3. 死亡/迁出 — nothing is payable on or after the day the ledger records the death or the
   move-out (people.Person.status_date).
4. 机构入住 — nothing is payable on a day the person lives in an institution (an open or
   covering institutions.Residency: start ≤ day < end): home services are not given to a
   resident.
5. 外出 — nothing is payable on a day inside a period the person was recorded away. The ledger
   records no away periods today besides institution stays, so the service passes none; the
   rule is here for when it does (docs/community.md).
6. 无价格 — the provider must have had a price for the item on the service day; a price change
   mid-month prices each log at the price of its own day.

Split of a payable log (gross = quantity × unit price of the day):
- each funding rule of the item whose service-list item (benefits) the person holds an
  entitlement to in that month pays `quantity × amount_per_unit`, never more than what is
  left of the gross nor of the monthly cap (per person, service-list item and month, across
  every provider: logs are taken in date order, so the cap is reached mid-month on the log
  that crosses it and later logs of the month fall to the person);
- long-term-care insurance pays its share of the remainder where the person is a recipient
  (the ledger does not record LTC recipients today: no person is, and the roll says so);
- the person pays the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

ENTITLEMENT, LTC, PERSON = "entitlement", "ltc", "person"


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def month_start(d: date) -> date:
    return d.replace(day=1)


def next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def in_period(day: date, start: date, end: date | None) -> bool:
    """start ≤ day < end (end exclusive, None: open)."""
    return start <= day and (end is None or day < end)


@dataclass(frozen=True)
class Price:
    unit_price: Decimal
    effective_from: date
    effective_to: date | None = None  # exclusive


def price_on(prices: Iterable[Price], day: date) -> Decimal | None:
    """The price in force on `day` (the latest start wins where periods overlap)."""
    best: Price | None = None
    for p in prices:
        if in_period(day, p.effective_from, p.effective_to) and (
            best is None or p.effective_from > best.effective_from
        ):
            best = p
    return None if best is None else best.unit_price


@dataclass(frozen=True)
class PersonFacts:
    closed_status: str = ""  # "" alive; "deceased" | "moved_out"
    closed_on: date | None = None
    stays: tuple[tuple[date, date | None], ...] = ()  # institution residencies
    away: tuple[tuple[date, date | None], ...] = ()  # recorded away periods
    ltc_share: Decimal | None = None  # LTC insurance share (0..1) if a recipient


@dataclass(frozen=True)
class Funding:
    """A funding rule the person can use: their entitlement to `benefit_code` covers
    `months` (start month, end month exclusive)."""

    benefit_code: str
    entitlement_id: int
    amount_per_unit: Decimal
    monthly_cap: Decimal | None
    start: date
    end: date | None = None


@dataclass(frozen=True)
class LogFacts:
    log_id: int
    person_id: int
    service_date: date
    quantity: Decimal
    unit_price: Decimal | None
    confirmed: bool
    paid_before: bool = False  # a paid line in a live settlement already exists
    funding: tuple[Funding, ...] = ()


@dataclass(frozen=True)
class Line:
    log_id: int
    payer: str
    amount: Decimal
    entitlement_id: int | None = None
    refused: bool = False
    reason: str = ""


@dataclass
class CapUse:
    """Entitlement money used so far per (person, service-list item, month)."""

    used: dict[tuple[int, str, date], Decimal] = field(default_factory=dict)

    def get(self, person: int, code: str, month: date) -> Decimal:
        return self.used.get((person, code, month), ZERO)

    def add(self, person: int, code: str, month: date, amount: Decimal) -> None:
        key = (person, code, month)
        self.used[key] = self.used.get(key, ZERO) + amount


STATUS_WORD = {"deceased": "死亡", "moved_out": "迁出"}


def refusal(log: LogFacts, person: PersonFacts) -> str:
    """The Chinese reason the log is not payable, or "" when it is."""
    day = log.service_date
    if not log.confirmed:
        return "服务未经老人或家属确认，不予结算"
    if log.paid_before:
        return "该服务已在其他结算单中支付，同一服务不重复支付"
    if person.closed_on is not None and day >= person.closed_on:
        word = STATUS_WORD.get(person.closed_status, "注销")
        return f"台账记载老人已于{person.closed_on.isoformat()}{word}，此后的服务不予结算"
    for start, end in person.stays:
        if in_period(day, start, end):
            return f"服务日老人入住养老机构（{start.isoformat()}起），居家上门服务不予结算"
    for start, end in person.away:
        if in_period(day, start, end):
            return f"服务日老人登记外出（{start.isoformat()}起），不予结算"
    if log.unit_price is None:
        return "服务商在服务日没有该项目的有效价格，不予结算"
    return ""


def split(log: LogFacts, person: PersonFacts, caps: CapUse) -> list[Line]:
    """The lines of one log: a refused line, or the payers' shares (summing to the gross)."""
    reason = refusal(log, person)
    if reason:
        return [Line(log.log_id, PERSON, ZERO, refused=True, reason=reason)]
    assert log.unit_price is not None
    gross = money(log.quantity * log.unit_price)
    left = gross
    lines: list[Line] = []
    month = month_start(log.service_date)
    for f in log.funding:
        if left <= 0 or not in_period(month, month_start(f.start), f.end):
            continue
        want = min(money(log.quantity * f.amount_per_unit), left)
        note = ""
        if f.monthly_cap is not None:
            room = max(f.monthly_cap - caps.get(log.person_id, f.benefit_code, month), ZERO)
            if want > room:
                want = room
                note = f"本月补贴已达上限{f.monthly_cap}元，超出部分由个人支付"
        if want <= 0:
            if note:
                lines.append(
                    Line(log.log_id, ENTITLEMENT, ZERO, f.entitlement_id, refused=True, reason=note)
                )
            continue
        caps.add(log.person_id, f.benefit_code, month, want)
        lines.append(Line(log.log_id, ENTITLEMENT, want, f.entitlement_id, reason=note))
        left -= want
        break  # one entitlement line per log (the constraint: one paid line per payer)
    if left > 0 and person.ltc_share:
        ltc = money(left * person.ltc_share)
        if ltc > 0:
            lines.append(Line(log.log_id, LTC, ltc))
            left -= ltc
    if left > 0 or not lines:
        lines.append(Line(log.log_id, PERSON, left))
    return lines


def settle(
    logs: Sequence[LogFacts], persons: dict[int, PersonFacts], caps: CapUse | None = None
) -> list[Line]:
    """Every log's lines, logs taken in (service date, id) order so a cap is reached on the
    log that crosses it."""
    caps = caps or CapUse()
    out: list[Line] = []
    for log in sorted(logs, key=lambda x: (x.service_date, x.log_id)):
        out.extend(split(log, persons.get(log.person_id, PersonFacts()), caps))
    return out


@dataclass(frozen=True)
class Totals:
    entitlement: Decimal
    ltc: Decimal
    person: Decimal
    refused: int

    @property
    def gross(self) -> Decimal:
        return self.entitlement + self.ltc + self.person


def totals(lines: Iterable[Line]) -> Totals:
    sums = {ENTITLEMENT: ZERO, LTC: ZERO, PERSON: ZERO}
    refused = set()
    for ln in lines:
        if ln.refused:
            if ln.payer == PERSON:
                refused.add(ln.log_id)
            continue
        sums[ln.payer] += ln.amount
    return Totals(sums[ENTITLEMENT], sums[LTC], sums[PERSON], len(refused))


def can_approve(creator_id: int | None, approver_id: int) -> bool:
    """Four eyes: the roll is approved by someone other than who generated it."""
    return creator_id is not None and creator_id != approver_id
