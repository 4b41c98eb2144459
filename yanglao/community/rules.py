"""Pure rules of orders and delivery (issue 12 part 3). No database."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import ROUND_UP, Decimal

FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")
PHONE = re.compile(r"1[3-9]\d{9}")
SMS_TRIES = 5  # wrong codes before a new code must be sent
CLOCK_SKEW = timedelta(minutes=10)  # a phone's clock may run a little ahead
HALF_HOUR = Decimal("0.5")


def hours_served(check_in: datetime, check_out: datetime) -> Decimal:
    """Hours between check-in and check-out, rounded up to the half hour, at least half an
    hour (an hourly service is billed by started half hours)."""
    seconds = max((check_out - check_in).total_seconds(), 0)
    halves = (Decimal(seconds) / Decimal(1800)).to_integral_value(rounding=ROUND_UP)
    return max(halves * HALF_HOUR, HALF_HOUR)


def default_agreement(item_name: str) -> str:
    return f"同意由派单服务商上门提供“{item_name}”服务，服务后本人或家属签字或以短信确认码确认。"
