"""SQLite alters a column by rebuilding the table, which drops its triggers: a migration that
alters the audit table creates the append-only triggers of 0002 again (IF NOT EXISTS;
PostgreSQL keeps its own trigger)."""

from typing import Any

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]


def sqlite_append_only_again(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)
