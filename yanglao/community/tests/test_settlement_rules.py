"""Every settlement rule as a table (issue 12 part 8): death, move-out, institution stay,
away, unconfirmed, double payment across payers, cap reached mid-month, price change
mid-month, four eyes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from yanglao.community import rules
from yanglao.community import settlement_rules as sr

NOV = date(2026, 11, 1)
F = sr.Funding("N04", 7, D("20"), D("100"), date(2026, 1, 1))


def log(
    day: int = 10,
    *,
    qty: str = "1",
    price: str | None = "30",
    confirmed: bool = True,
    paid: bool = False,
    funding: tuple[sr.Funding, ...] = (F,),
    log_id: int = 1,
) -> sr.LogFacts:
    return sr.LogFacts(
        log_id=log_id,
        person_id=1,
        service_date=date(2026, 11, day),
        quantity=D(qty),
        unit_price=None if price is None else D(price),
        confirmed=confirmed,
        paid_before=paid,
        funding=funding,
    )


@pytest.mark.parametrize(
    ("facts", "person", "reason"),
    [
        (log(), sr.PersonFacts(), ""),
        (log(confirmed=False), sr.PersonFacts(), "服务未经老人或家属确认，不予结算"),
        (log(paid=True), sr.PersonFacts(), "该服务已在其他结算单中支付，同一服务不重复支付"),
        # death: the day of death and after refused, the day before paid
        (
            log(10),
            sr.PersonFacts("deceased", date(2026, 11, 10)),
            "台账记载老人已于2026-11-10死亡，此后的服务不予结算",
        ),
        (log(9), sr.PersonFacts("deceased", date(2026, 11, 10)), ""),
        (
            log(20),
            sr.PersonFacts("moved_out", date(2026, 11, 15)),
            "台账记载老人已于2026-11-15迁出，此后的服务不予结算",
        ),
        # institution stay: start ≤ day < end
        (
            log(5),
            sr.PersonFacts(stays=((date(2026, 11, 5), None),)),
            "服务日老人入住养老机构（2026-11-05起），居家上门服务不予结算",
        ),
        (log(4), sr.PersonFacts(stays=((date(2026, 11, 5), None),)), ""),
        (log(12), sr.PersonFacts(stays=((date(2026, 11, 5), date(2026, 11, 12)),)), ""),
        (
            log(11),
            sr.PersonFacts(stays=((date(2026, 11, 5), date(2026, 11, 12)),)),
            "服务日老人入住养老机构（2026-11-05起），居家上门服务不予结算",
        ),
        (
            log(3),
            sr.PersonFacts(away=((date(2026, 11, 1), date(2026, 11, 8)),)),
            "服务日老人登记外出（2026-11-01起），不予结算",
        ),
        (log(price=None), sr.PersonFacts(), "服务商在服务日没有该项目的有效价格，不予结算"),
    ],
)
def test_refusal(facts: sr.LogFacts, person: sr.PersonFacts, reason: str) -> None:
    assert sr.refusal(facts, person) == reason


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # 1 × 30: entitlement pays 20, person 10
        (log(), [("entitlement", "20.00"), ("person", "10.00")]),
        # 2 hours × 30 = 60: entitlement 40, person 20
        (log(qty="2"), [("entitlement", "40.00"), ("person", "20.00")]),
        # subsidy above the price: entitlement pays the gross, the person nothing
        (log(price="15"), [("entitlement", "15.00")]),
        # no entitlement: the person pays all
        (log(funding=()), [("person", "30.00")]),
        # a free service (price 0): one zero line for the person
        (log(price="0", funding=()), [("person", "0.00")]),
        # entitlement that starts next month does not pay
        (
            log(funding=(sr.Funding("N04", 7, D("20"), None, date(2026, 12, 1)),)),
            [("person", "30.00")],
        ),
        # entitlement that stopped this month does not pay (end month exclusive)
        (
            log(funding=(sr.Funding("N04", 7, D("20"), None, date(2026, 1, 1), NOV),)),
            [("person", "30.00")],
        ),
    ],
)
def test_split(facts: sr.LogFacts, expected: list[tuple[str, str]]) -> None:
    lines = sr.split(facts, sr.PersonFacts(), sr.CapUse())
    assert [(ln.payer, str(ln.amount)) for ln in lines if not ln.refused] == expected
    assert sum(ln.amount for ln in lines) == sr.money(facts.quantity * (facts.unit_price or 0))


def test_cap_reached_mid_month() -> None:
    """Cap 100, 20 a visit: the fifth visit reaches it, the sixth falls to the person; the
    order of logs is by date whatever the order given."""
    logs = [log(day, log_id=day) for day in (6, 1, 2, 3, 4, 5)]
    lines = sr.settle(logs, {1: sr.PersonFacts()})
    ent = [ln for ln in lines if ln.payer == "entitlement" and not ln.refused]
    assert [ln.log_id for ln in ent] == [1, 2, 3, 4, 5]
    assert sum(ln.amount for ln in ent) == D("100")
    sixth = [ln for ln in lines if ln.log_id == 6]
    assert [(ln.payer, ln.amount, ln.refused) for ln in sixth] == [
        ("entitlement", D("0.00"), True),
        ("person", D("30.00"), False),
    ]
    assert "上限" in sixth[0].reason


def test_cap_crossed_inside_a_log_pays_the_rest() -> None:
    caps = sr.CapUse()
    caps.add(1, "N04", NOV, D("90"))  # another provider's settlement this month
    lines = sr.split(log(), sr.PersonFacts(), caps)
    assert [(ln.payer, ln.amount) for ln in lines] == [
        ("entitlement", D("10.00")),
        ("person", D("20.00")),
    ]
    assert "上限" in lines[0].reason


def test_cap_is_per_month() -> None:
    caps = sr.CapUse()
    caps.add(1, "N04", date(2026, 10, 1), D("100"))
    lines = sr.split(log(), sr.PersonFacts(), caps)
    assert lines[0].payer == "entitlement" and lines[0].amount == D("20.00")


def test_double_payment_across_payers() -> None:
    """A log already paid by the entitlement is not paid again by the person (nor the
    reverse): the whole log is refused, one refused line, nothing payable."""
    lines = sr.split(log(paid=True), sr.PersonFacts(), sr.CapUse())
    assert len(lines) == 1 and lines[0].refused and lines[0].amount == 0
    totals = sr.totals(lines)
    assert totals.gross == 0 and totals.refused == 1


def test_each_log_paid_once_per_payer_in_a_run() -> None:
    lines = sr.settle([log(log_id=i) for i in range(1, 4)], {1: sr.PersonFacts()})
    keys = [(ln.log_id, ln.payer) for ln in lines if not ln.refused]
    assert len(keys) == len(set(keys))


def test_ltc_share_of_the_remainder() -> None:
    person = sr.PersonFacts(ltc_share=D("0.7"))
    lines = sr.split(log(price="120", funding=()), person, sr.CapUse())
    assert [(ln.payer, ln.amount) for ln in lines] == [
        ("ltc", D("84.00")),
        ("person", D("36.00")),
    ]


PRICES = [
    sr.Price(D("30"), date(2026, 1, 1), date(2026, 11, 15)),
    sr.Price(D("35"), date(2026, 11, 15)),
]


@pytest.mark.parametrize(
    ("day", "price"),
    [
        (date(2025, 12, 31), None),
        (date(2026, 1, 1), D("30")),
        (date(2026, 11, 14), D("30")),
        (date(2026, 11, 15), D("35")),
        (date(2027, 1, 1), D("35")),
    ],
)
def test_price_change_mid_month(day: date, price: D | None) -> None:
    assert sr.price_on(PRICES, day) == price


def test_price_change_mid_month_in_settlement() -> None:
    logs = [
        log(14, log_id=1, price=str(sr.price_on(PRICES, date(2026, 11, 14))), funding=()),
        log(15, log_id=2, price=str(sr.price_on(PRICES, date(2026, 11, 15))), funding=()),
    ]
    lines = sr.settle(logs, {1: sr.PersonFacts()})
    assert [ln.amount for ln in lines] == [D("30.00"), D("35.00")]


@pytest.mark.parametrize(
    ("creator", "approver", "ok"), [(1, 2, True), (1, 1, False), (None, 2, False)]
)
def test_four_eyes(creator: int | None, approver: int, ok: bool) -> None:
    assert sr.can_approve(creator, approver) is ok


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [(0, "0.5"), (1, "0.5"), (30, "0.5"), (31, "1.0"), (60, "1.0"), (95, "2.0")],
)
def test_hours_served(minutes: int, hours: str) -> None:
    start = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    end = datetime(2026, 11, 3, 9 + minutes // 60, minutes % 60, tzinfo=UTC)
    assert rules.hours_served(start, end) == D(hours)
