"""Compute, freeze and version the snapshot of one period (issue 13 part 2). The only writer
of the snapshot tables.

1. Each catalogue query runs once over its module's table, grouped by the records' own region
   code; its rows go to the staging table (BaseValue, COPY on PostgreSQL).
2. One INSERT … SELECT per region level rolls them up bottom-up by code prefix: the figure of
   a node is the sum of the staged rows whose code starts with the node's prefix
   (substr(code, 1, n) || zeros — the same SQL on SQLite and PostgreSQL).
3. An open period keeps one version, replaced by each run. The first run after the period
   closes (rules.closes_on) freezes it; any later run of a closed period makes version n+1
   and lists every figure that changed (SnapshotChange).
All of it in one transaction: readers see the previous version until the new one is whole.
"""

from __future__ import annotations

import time as clock
from datetime import date

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.core.audit import audit
from yanglao.core.bulk import insert_rows
from yanglao.regions import codes
from yanglao.statistics import catalogue, queries, rules
from yanglao.statistics.models import (
    BaseValue,
    Snapshot,
    SnapshotChange,
    SnapshotStatus,
    SnapshotValue,
)

ACTION_SNAPSHOT = "stats.snapshot"
LIVE = (SnapshotStatus.OPEN, SnapshotStatus.FROZEN)


def latest(period: date) -> Snapshot | None:
    """The version readers use: the highest open or frozen one."""
    return Snapshot.objects.filter(period=period, status__in=LIVE).order_by("-version").first()


def _stage(snap: Snapshot, p: queries.Period) -> int:
    """Run each query and stage its rows. A query's rows are read whole before they are
    written: COPY holds the connection, so the next query cannot run while it streams."""
    names = sorted({i.query for i in catalogue.CATALOGUE if i.available})
    known = set(catalogue.BY_CODE)
    cols = (
        "snapshot_id",
        "indicator",
        "region_code",
        "level",
        "breakdown",
        "numerator",
        "denominator",
    )
    total = 0
    for name in names:
        rows = [
            (
                snap.pk,
                r.indicator,
                r.region_code,
                codes.level_of(r.region_code),
                r.breakdown,
                r.numerator,
                r.denominator,
            )
            for r in queries.QUERIES[name](p)
            if r.indicator in known and (r.numerator or r.denominator)
        ]
        total += insert_rows(BaseValue._meta.db_table, cols, rows)
    return total


def _roll_up(snap: Snapshot) -> int:
    base, values = BaseValue._meta.db_table, SnapshotValue._meta.db_table
    total = 0
    with connection.cursor() as cur:
        for level in (codes.PROVINCE, codes.CITY, codes.COUNTY, codes.TOWNSHIP, codes.VILLAGE):
            n = codes.PREFIX_LEN[level]
            node = f"substr(region_code, 1, {n})" + (f" || '{'0' * (12 - n)}'" if n < 12 else "")
            cur.execute(
                f"INSERT INTO {values} (snapshot_id, indicator, region_code, level, breakdown,"
                f" numerator, denominator) SELECT %s, indicator, {node}, %s, breakdown,"
                f" SUM(numerator), SUM(denominator) FROM {base}"
                f" WHERE snapshot_id = %s AND level >= %s"
                f" GROUP BY indicator, {node}, breakdown",
                [snap.pk, level, snap.pk, level],
            )
            total += max(cur.rowcount, 0)
        cur.execute(f"DELETE FROM {base} WHERE snapshot_id = %s", [snap.pk])
    return total


def _record_changes(new: Snapshot, old: Snapshot) -> int:
    """Every figure that differs between two versions (added, removed or changed)."""
    v, c = SnapshotValue._meta.db_table, SnapshotChange._meta.db_table
    same = (
        "o.indicator = n.indicator AND o.region_code = n.region_code AND o.breakdown = n.breakdown"
    )
    cols = (
        "snapshot_id, indicator, region_code, breakdown, old_numerator, new_numerator,"
        " old_denominator, new_denominator"
    )
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {c} ({cols}) SELECT %s, n.indicator, n.region_code, n.breakdown,"
            f" o.numerator, n.numerator, o.denominator, n.denominator FROM {v} n"
            f" LEFT JOIN {v} o ON o.snapshot_id = %s AND {same} WHERE n.snapshot_id = %s"
            " AND (o.id IS NULL OR o.numerator <> n.numerator"
            " OR COALESCE(o.denominator, -1) <> COALESCE(n.denominator, -1))",
            [new.pk, old.pk, new.pk],
        )
        added = max(cur.rowcount, 0)
        cur.execute(
            f"INSERT INTO {c} ({cols}) SELECT %s, o.indicator, o.region_code, o.breakdown,"
            f" o.numerator, NULL, o.denominator, NULL FROM {v} o"
            f" WHERE o.snapshot_id = %s AND NOT EXISTS (SELECT 1 FROM {v} n"
            f" WHERE n.snapshot_id = %s AND {same})",
            [new.pk, old.pk, new.pk],
        )
        return added + max(cur.rowcount, 0)


def compute(
    period: date, *, actor: User | None = None, today: date | None = None, note: str = ""
) -> Snapshot:
    """Compute every available indicator of `period` (any day of the month) for every node."""
    today = today or timezone.localdate()
    start = rules.month_start(period)
    p = queries.Period(start, rules.month_end(start), rules.as_of(start, today))
    closed = rules.is_closed(start, today)
    began = clock.monotonic()
    with transaction.atomic():
        previous = latest(start)
        top = Snapshot.objects.filter(period=start).aggregate(v=Max("version"))["v"] or 0
        snap = Snapshot.objects.create(
            period=start,
            version=top + 1,
            as_of=p.as_of,
            started_at=timezone.now(),
            requested_by=actor,
            note=note[:200],
        )
        _stage(snap, p)
        snap.rows = _roll_up(snap)
        snap.status = SnapshotStatus.FROZEN if closed else SnapshotStatus.OPEN
        if previous is not None and previous.status == SnapshotStatus.OPEN:
            # An open period (or the run that closes it) replaces the open version.
            version = previous.version
            Snapshot.objects.filter(period=start).exclude(pk=snap.pk).filter(
                status__in=(SnapshotStatus.OPEN, SnapshotStatus.FAILED, SnapshotStatus.RUNNING)
            ).delete()
            snap.version = version
        elif previous is not None:
            snap.changed = _record_changes(snap, previous)
            snap.version = previous.version + 1
        if connection.vendor == "postgresql":
            # Fresh statistics after a bulk insert, so the dashboards' lookups use the index.
            # Only the table's owner may ANALYZE (PostgreSQL 15); the app role of
            # tools/db_roles.sql is not, and autovacuum's analyse follows within a minute.
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT pg_has_role(c.relowner, 'USAGE') FROM pg_class c"
                    " WHERE c.oid = %s::regclass",
                    [SnapshotValue._meta.db_table],
                )
                row = cur.fetchone()
                if row and row[0]:
                    cur.execute(f"ANALYZE {SnapshotValue._meta.db_table}")
        snap.finished_at = timezone.now()
        snap.seconds = round(clock.monotonic() - began, 3)
        snap.save()
        audit(
            actor=actor,
            action=ACTION_SNAPSHOT,
            object_type="snapshot",
            object_id=str(snap.pk),
            object_label=f"{start:%Y-%m} 第{snap.version}版",
            changes={"状态": snap.get_status_display(), "变化": snap.changed},
        )
    return snap


def nightly(*, today: date | None = None, actor: User | None = None) -> list[Snapshot]:
    """The nightly job: refresh the running month and every month not yet closed; freeze a
    month that closed since (once); closed months already frozen are left alone."""
    today = today or timezone.localdate()
    done = []
    current = rules.month_start(today)
    for back in (1, 0):
        period = rules.add_months(current, -back)
        prev = latest(period)
        if (
            back
            and rules.is_closed(period, today)
            and (prev is None or prev.status == SnapshotStatus.FROZEN)
        ):
            continue  # frozen already (or nothing was ever recorded for it: a new install)
        done.append(compute(period, actor=actor, today=today, note="每日计算"))
    return done
