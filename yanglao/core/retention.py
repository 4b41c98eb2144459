"""How long audit rows are kept (网络安全法 art. 21: network logs at least six months).

`AUDIT_RETENTION_DAYS` (environment, default 0) is the deployment's retention period; 0 means
keep for ever, which is the default because the application never deletes audit rows: its
database role cannot (tools/db_roles.sql), and no command does. A value below 183 days is a
configuration error (`yanglao check`). Older rows leave the database, if ever, only by the
owner-role procedure in docs/security.md (export and verify first, record it in the log).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

MINIMUM_DAYS = 183  # six months


def retention_days() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", 0) or 0)


def retention_errors(days: int) -> list[str]:
    """Chinese messages for a retention value that breaks the six-month minimum."""
    if days < 0:
        return ["AUDIT_RETENTION_DAYS 不能为负数（0 表示永久保存）"]
    if 0 < days < MINIMUM_DAYS:
        return [
            f"审计日志至少保存 6 个月：AUDIT_RETENTION_DAYS 应为 0（永久）或不少于 {MINIMUM_DAYS}"
        ]
    return []


@checks.register(checks.Tags.security)
def check_retention(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [checks.Error(msg, id="yanglao.E015") for msg in retention_errors(retention_days())]
