"""The nightly jobs and the two heavy pages of issue 16 at province scale (default 1,000,000
people; `--people 5550000` for Jilin), each against a plain `count(*)` of the people in the
same run. Runs unchanged on an older tree (the "before" column of bench/results/scale.md):
what that tree lacks is skipped.

Cases: the month's visit tasks from empty (and re-run), the daily overdue job, the 巡访督办
board's first page and the unvisited list of 探访率 (province officer and the largest
county's officer), the nightly benefits discovery (first run and steady state) and the
whole nightly job.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from bench import Result, Timing, measure, say
from bench.person_list import bench_user, ensure_people
from yanglao.accounts.roles import Role
from yanglao.accounts.scoping import READ_RECORDS, scoped
from yanglao.regions.models import Region
from yanglao.visits import policy, selectors, services
from yanglao.visits.models import VisitTask

MONTH = date(2026, 4, 1)  # first month of Q2: monthly and quarterly tasks in one run
TODAY = date(2026, 5, 2)  # the April tasks are overdue, the quarter's not yet


def _sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return list(cursor.fetchall()) if cursor.description else []


def _once(fn: Any) -> tuple[Timing, Any]:
    start = time.perf_counter()
    value = fn()
    ms = (time.perf_counter() - start) * 1000
    return Timing(ms, ms, ms, 1), value


def _largest_county() -> str:
    row = _sql(
        "SELECT substr(region_id, 1, 6) FROM people_person GROUP BY 1 ORDER BY count(*) DESC"
        " LIMIT 1"
    )
    return str(row[0][0])


def _generator_floor() -> tuple[Timing, str]:
    """The physical floor of the population generator: every row it wrote (people, households,
    tags, contacts, disabilities, dementia and the audit rows) COPYed into empty tables of the
    same shape with their primary keys, then their other indexes and unique constraints built
    in one pass each, as `deferred_indexes` does. The rows are read out to server-side files
    first (not timed); nothing is generated, encrypted or checked."""
    from yanglao.people.generator import _bulk_tables

    tables = _bulk_tables()
    files = {t: f"/tmp/yanglao-bench-floor-{t}.bin" for t in tables}
    people = _sql("SELECT count(*) FROM people_person")[0][0]
    for table, path in files.items():
        rows = table
        if table == "core_auditevent":
            # Only the generator's own rows (one per person, the newest): the table keeps
            # every earlier run's too.
            rows = f"(SELECT * FROM {table} WHERE id > (SELECT max(id) FROM {table}) - {people})"
        _sql(f"COPY {rows} TO '{path}' (FORMAT binary)")
    ddl: list[str] = []
    for table in tables:
        for name, definition in _sql(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
            [table],
        ):
            ddl.append(
                definition.replace(f" {name} ON ", f" floor_{name} ON ", 1).replace(
                    f" ON public.{table} ", f" ON public.floor_{table} ", 1
                )
            )
        for name, definition in _sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        ):
            # The generator adds its foreign keys back after the load: one check per table.
            ddl.append(f'ALTER TABLE floor_{table} ADD CONSTRAINT "floor_{name}" {definition}')
    for table in tables:
        _sql(f"DROP TABLE IF EXISTS floor_{table}")
        _sql(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING DEFAULTS)")
        _sql(f"ALTER TABLE floor_{table} ADD PRIMARY KEY (id)")
    _sql("SET maintenance_work_mem = '512MB'")
    start = time.perf_counter()
    for table, path in files.items():
        _sql(f"COPY floor_{table} FROM '{path}' (FORMAT binary)")
    loaded = time.perf_counter()
    for statement in ddl:
        _sql(statement)
    ms = (time.perf_counter() - start) * 1000
    sizes = _sql(
        "SELECT sum(pg_total_relation_size('floor_' || c)) FROM unnest(%s::text[]) c", [tables]
    )[0][0]
    for table, path in files.items():
        _sql(f"DROP TABLE floor_{table}")
        Path(path).unlink(missing_ok=True)
    note = (
        f"{len(tables)} 张表 {sizes / 2**30:.1f} GiB；COPY {loaded - start:.0f} s，"
        f"建 {len(ddl)} 个索引和外键 {ms / 1000 - (loaded - start):.0f} s"
    )
    return Timing(ms, ms, ms, 1), note


def run(*, people: int, runs: int) -> Result:
    from bench.visits import _clear, _synthetic_visits

    result = Result(name="scale", baseline="SELECT count(*) FROM people_person（同一次运行）")
    plain_add = result.add

    def add(case: str, timing: Timing | None, baseline: Timing | None, note: str = "") -> Any:
        row = plain_add(case, timing, baseline, note)  # shown as measured: runs are long
        say(f"  {case}: {row.median_ms or 0:,.1f} ms ×{row.ratio or 0:,.1f} {note}")
        return row

    result.add = add  # type: ignore[method-assign]
    result.meta["generation"] = ensure_people(people)
    policy.ensure_national_defaults()
    _clear()
    _sql("DELETE FROM benefits_candidate")
    _sql("VACUUM ANALYZE")
    total = _sql("SELECT count(*) FROM people_person")[0][0]
    result.meta["people"] = f"{total:,}"
    result.meta["postgres"] = _sql("SHOW server_version")[0][0]
    result.meta["load_before"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    base = measure(lambda: _sql("SELECT count(*) FROM people_person"), runs=runs)
    result.add("基线：count(*) 老年人", base, base, f"{total:,} 行")

    # --- the generator against its physical floor --------------------------------------
    made = result.meta["generation"]
    if made.get("generated"):
        ms = made["seconds"] * 1000
        result.add("生成器：生成全部老年人（含加密、审计、建索引）", Timing(ms, ms, ms, 1), base)
    floor, floor_note = _generator_floor()
    result.add("下限：生成器写入的全部行 COPY 到空表＋建索引和外键", floor, base, floor_note)

    # --- visits: generation and the overdue job --------------------------------------
    gen_t, gen = _once(lambda: services.tasks_generate(month=MONTH))
    result.add("生成一个月的巡访任务（空表）", gen_t, base, f"新建 {gen.total:,} 条")
    _sql("ANALYZE visits_visittask")
    # The physical floor of the generation: the same rows written into an empty table of
    # the same shape and indexes (fillfactor included), with no people read and no rule.
    _sql("DROP TABLE IF EXISTS bench_task_floor")
    _sql("CREATE TABLE bench_task_floor (LIKE visits_visittask INCLUDING ALL)")
    ff = _sql("SELECT reloptions FROM pg_class WHERE relname = 'visits_visittask'")[0][0]
    if ff:
        _sql(f"ALTER TABLE bench_task_floor SET ({', '.join(ff)})")
    columns = (
        "person_id, region_id, period_kind, period_start, period_end, due_date, status,"
        " worker_id, created_at"
    )
    floor_t, _ = _once(
        lambda: _sql(
            f"INSERT INTO bench_task_floor ({columns}) SELECT {columns} FROM visits_visittask"
        )
    )
    _sql("DROP TABLE bench_task_floor")
    result.add(
        "下限：同样的行写入同结构空表（含全部索引）",
        floor_t,
        base,
        f"生成用时为它的 {gen_t.median_ms / floor_t.median_ms:.1f} 倍",
    )
    again_t, again = _once(lambda: services.tasks_generate(month=MONTH))
    result.add("重复生成（幂等）", again_t, base, f"新建 {again.total:,} 条")
    updates = (
        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables"
        " WHERE relname = 'visits_visittask'"
    )
    before = _sql(updates)[0]
    tick_t, tick = _once(lambda: services.tasks_tick(today=TODAY))
    time.sleep(2)  # the statistics collector's counts arrive after the commit
    upd, hot = (a - b for a, b in zip(_sql(updates)[0], before, strict=True))
    result.add(
        "每日逾期任务（状态＋事件行）",
        tick_t,
        base,
        f"逾期 {tick.overdue:,} 条，未访 {tick.missed:,} 条；其中原页更新（HOT）{hot:,}/{upd:,}",
    )
    dead = _sql("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'visits_visittask'")[0][
        0
    ]
    result.meta["任务表死行（逾期任务后）"] = f"{dead:,}"

    # --- pages -------------------------------------------------------------------------
    worker = bench_user("bench_visits_worker", Role.VISIT_WORKER, "220102001001")
    province = bench_user("bench_province", Role.PROVINCE_OFFICER, "22")
    county_code = _largest_county()
    county = bench_user(f"bench_county_{county_code}", Role.COUNTY_OFFICER, county_code)
    _synthetic_visits(worker.pk)
    _sql("VACUUM ANALYZE visits_visittask")
    _sql("ANALYZE visits_visitrecord")
    jilin = Region.objects.get(code="220000000000")
    county_node = Region.objects.get(code=county_code.ljust(12, "0"))
    views = (("省级", province, jilin), (f"最大县 {county_code}", county, county_node))

    def board(user: Any) -> int:
        page = Paginator(selectors.board_tasks(user=user, today=TODAY), 50).get_page(1)
        return len(list(page.object_list)) + page.paginator.count

    def old_board(user: Any) -> int:
        qs = (
            scoped(VisitTask.objects.all(), user, READ_RECORDS)
            .filter(
                Q(status="overdue") | Q(status="pending", due_date__lte=TODAY + timedelta(days=7))
            )
            .select_related("person", "region", "worker")
            .order_by("-status", "due_date", "region_id", "person_id")
        )
        page = Paginator(qs, 50).get_page(1)
        return len(list(page.object_list)) + page.paginator.count

    for label, user, _node in views:
        old, _ = _once(partial(old_board, user))
        result.add(f"巡访督办第一页（{label}）：排序全部待办＋count(*)", old, base)
        result.add(
            f"巡访督办第一页（{label}）：本系统",
            measure(partial(board, user), runs=runs),
            base,
        )

    counted = hasattr(selectors, "coverage_people_count")

    def unvisited(user: Any, node: Any, cold: bool) -> int:
        from django.core.cache import cache

        if cold:
            cache.clear()
        qs = selectors.coverage_people(user=user, region=node, month=MONTH, visited=False)
        paginator = Paginator(qs, 50)
        if counted:
            paginator.count = selectors.coverage_people_count(
                region=node, month=MONTH, visited=False, qs=qs
            )
        page = paginator.get_page(1)
        return len(list(page.object_list)) + paginator.count

    for label, user, node in views:
        if counted:
            selectors.coverage_table(user=user, region=node, month=MONTH)  # the page before
            result.add(
                f"未探访名单第一页（{label}，从探访率页进入）",
                measure(partial(unvisited, user, node, False), runs=runs),
                base,
            )
        result.add(
            f"未探访名单第一页（{label}，直接打开）",
            measure(partial(unvisited, user, node, True), runs=max(1, runs // 2)),
            base,
        )

    # --- benefits nightly -------------------------------------------------------------------
    from bench.benefits import ensure_benefits, largest_county
    from yanglao.benefits import services as benefits

    today = timezone.localdate()
    ensure_benefits(largest_county()[0], today)
    _sql("VACUUM ANALYZE")
    first_t, found = _once(lambda: benefits.discovery_run(on=today))
    result.add("夜间排查（首次，全部写入）", first_t, base, f"{sum(found.values()):,} 人次")
    tomorrow = today + timedelta(days=1)
    steady = measure(lambda: benefits.discovery_run(on=tomorrow), runs=max(1, min(runs, 2)))
    result.add("夜间排查（日常，次日再跑）", steady, base)
    dead = _sql("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'benefits_candidate'")[
        0
    ][0]
    result.meta["应保未保表死行（日常排查后）"] = f"{dead:,}"
    nightly_t, _ = _once(lambda: benefits.nightly(on=tomorrow + timedelta(days=1)))
    result.add("夜间任务 nightly（排查＋复核任务）", nightly_t, base)
    result.meta["load_after"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    say(f"负载：{result.meta['load_before']} → {result.meta['load_after']}")
    return result
