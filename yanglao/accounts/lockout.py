"""django-axes handler with two thresholds: by account and by source address.

Axes counts failures per lockout parameter and compares the largest with one limit. Here the
account limit is AXES_FAILURE_LIMIT and the address limit is LOCKOUT_IP_FAILURES (higher: a
township office logs in from behind one NAT address).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def failures_count(by_account: int, by_address: int, account_limit: int, ip_limit: int) -> int:
    """The failure count axes compares with `account_limit`: locked by either threshold."""
    if ip_limit > 0 and by_address >= ip_limit:
        return max(by_account, account_limit)
    return by_account


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # One queryset per AXES_LOCKOUT_PARAMETERS entry: ["username", "ip_address"].
        sums = [
            qs.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for qs in self.get_user_attempts(request, credentials)
        ]
        by_account = sums[0] if sums else 0
        by_address = sums[1] if len(sums) > 1 else 0
        return failures_count(
            by_account, by_address, settings.AXES_FAILURE_LIMIT, settings.LOCKOUT_IP_FAILURES
        )
