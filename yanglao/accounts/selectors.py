"""Reads for the workbench (yanglao.site) of the security administrator and the auditor:
counts of what waits for them. Each is one query."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from yanglao.accounts.models import AccountChange, ChangeStatus, User
from yanglao.accounts.scoping import READ_FIGURES, user_ranges
from yanglao.core.audit import ACTION_LABELS, Action
from yanglao.core.models import AuditEvent
from yanglao.core.todo import Todo

# The auditor's "recent": the last seven days, today included.
RECENT_DAYS = 7


def changes_to_approve(*, user: User) -> Todo:
    """Account changes waiting for a second security administrator: those another one asked
    for (nobody approves their own request — four eyes)."""
    return Todo(
        AccountChange.objects.filter(status=ChangeStatus.PENDING).exclude(requested_by=user).count()
    )


def locked_accounts(*, now: datetime | None = None) -> Todo:
    """Accounts locked now by failed logins (django-axes: at least AXES_FAILURE_LIMIT failures
    within the cool-off time)."""
    from axes.models import AccessAttempt

    now = now or timezone.now()
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    n = (
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=now - cooloff,
        )
        .exclude(username__isnull=True)
        .exclude(username="")
        .values("username")
        .distinct()
        .count()
    )
    return Todo(n)


def _audit_scope(user: User) -> Q:
    """The auditor's events: those of regions under their jurisdictions, and region-less
    ones (the audit-log page's rule, accounts.audit_views)."""
    cond = Q(region_code="")
    for low, high in user_ranges(user, READ_FIGURES):
        cond |= Q(region_code__gte=low, region_code__lte=high)
    return cond


def export_actions() -> list[str]:
    """Every audited export of personal data (a bulk read): the action names ending in
    'export', and the import's download of its error rows."""
    names = {a for a in ACTION_LABELS if a.endswith("export")}
    return sorted(names | {Action.IMPORT_ERRORS_DOWNLOAD})


def recent_since(today: date) -> date:
    return today - timedelta(days=RECENT_DAYS - 1)


def recent_reads(*, user: User, today: date) -> list[tuple[str, str, int]]:
    """(action, Chinese label, count) of full-number reveals and exports in the auditor's
    jurisdiction over the last RECENT_DAYS days, reveals first; only actions that occurred."""
    since = datetime.combine(recent_since(today), time.min, timezone.get_current_timezone())
    wanted = [Action.PERSON_REVEAL, *export_actions()]
    rows = dict(
        AuditEvent.objects.filter(_audit_scope(user), occurred_at__gte=since, action__in=wanted)
        .values("action")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("action", "n")
    )
    return [(a, ACTION_LABELS[a], rows[a]) for a in wanted if rows.get(a)]
