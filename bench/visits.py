"""Home visits at province scale (default 1,000,000 people, all in a visit category: the
special-difficulty ones monthly, everyone else quarterly).

Cases, each against a plain `count(*)` over the same rows in the same run:
* task generation for a month (the first month of a quarter, so every living person gets a
  task), from empty and re-run (idempotent: nothing new);
* the daily overdue job over those tasks;
* 月探访率 for all 69 counties of Jilin (one row per county) and by category, after a
  month of synthetic visits for ~90% of the special-difficulty people.
"""

from __future__ import annotations

import time
from datetime import date
from functools import partial
from typing import Any

from django.db import connection

from bench import Result, Timing, measure
from bench.person_list import bench_user, ensure_people
from yanglao.accounts.roles import Role
from yanglao.people import groups
from yanglao.visits import policy, rules, selectors, services
from yanglao.visits.choices import SPECIAL_CATEGORIES
from yanglao.visits.models import FollowUp, TaskEvent, VisitRecord, VisitSubject, VisitTask

MONTH = date(2026, 4, 1)  # first month of Q2: monthly and quarterly tasks in one run


def _sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return list(cursor.fetchall()) if cursor.description else []


def _once(fn: Any, setup: Any = None) -> Timing:
    """One timed call (a write job cannot be repeated on the same state)."""
    if setup is not None:
        setup()
    start = time.perf_counter()
    fn()
    ms = (time.perf_counter() - start) * 1000
    return Timing(ms, ms, ms, 1)


def _clear() -> None:
    tables = ", ".join(
        m._meta.db_table for m in (TaskEvent, FollowUp, VisitTask, VisitRecord, VisitSubject)
    )
    _sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def _special() -> tuple[str, list[Any]]:
    """The month's roster predicate: key groups (people.groups), living at home."""
    sql, params = groups.sql("p", MONTH, SPECIAL_CATEGORIES)
    return f"{sql} AND p.dwelling = 'home'", params


def _roster_count() -> list[tuple[Any, ...]]:
    sql, params = _special()
    return _sql(
        f"SELECT count(*) FROM people_person p WHERE p.life_status = 'alive' AND {sql}", params
    )


def _synthetic_visits(visitor_id: int) -> int:
    """~90% of the month's roster visited once (door 80%, phone 10%, video 10%)."""
    _sql(
        "INSERT INTO visits_visitrecord (public_id, client_uuid, person_id, region_id,"
        " visitor_id, method, visit_date, visited_at, location, findings, summary, risk_level,"
        " marked_change, recorded_offline, received_at)"
        " SELECT gen_random_uuid(), gen_random_uuid(), p.id, p.region_id, %s,"
        " CASE WHEN p.id %% 10 = 0 THEN 'phone' WHEN p.id %% 10 = 1 THEN 'video' ELSE 'door' END,"
        " %s::date + (p.id %% 28)::int, %s::timestamptz + make_interval(days => (p.id %% 28)::int), '',"
        " '{}'::jsonb, '', 'normal', false, false, now()"
        f" FROM people_person p WHERE p.life_status = 'alive' AND {_special()[0]}"
        " AND p.id %% 100 < 90",
        [visitor_id, MONTH, f"{MONTH} 02:00:00+00", *_special()[1]],
    )
    return VisitRecord.objects.count()


def run(*, people: int, runs: int) -> Result:
    result = Result(
        name="visits",
        baseline="SELECT count(*) over the same rows (living people / the month's roster)",
    )
    gen_info = ensure_people(people)
    policy.ensure_national_defaults()
    _clear()
    _sql("VACUUM ANALYZE")
    alive = _sql("SELECT count(*) FROM people_person WHERE life_status = 'alive'")[0][0]
    roster_n = _roster_count()[0][0]
    result.meta["people"] = f"{alive:,}（在世，全部属于巡访对象）"
    result.meta["特殊困难老年人（月初）"] = f"{roster_n:,}"
    result.meta["generation"] = gen_info
    result.meta["postgres"] = _sql("SHOW server_version")[0][0]
    result.meta["month"] = f"{MONTH:%Y-%m}"

    def m(fn: Any) -> Timing:
        return measure(fn, runs=runs)

    base_alive = m(lambda: _sql("SELECT count(*) FROM people_person WHERE life_status = 'alive'"))
    result.add("基线：count(*) 在世老年人", base_alive, base_alive, f"{alive:,} 行")

    created: dict[str, int] = {}

    def generate() -> None:
        created["n"] = services.tasks_generate(month=MONTH).total

    result.add(
        "生成一个月的巡访任务（空表）",
        _once(generate),
        base_alive,
        f"新建 {created.get('n', 0):,} 条",
    )
    _sql("ANALYZE visits_visittask")
    base_tasks = m(lambda: _sql("SELECT count(*) FROM visits_visittask"))
    result.add(
        "重复运行（幂等，无新任务）", m(generate), base_tasks, f"新建 {created.get('n', 0)} 条"
    )
    moved: dict[str, int] = {}

    def tick() -> None:
        r = services.tasks_tick(today=rules.next_month(MONTH).replace(day=2))
        moved["n"] = r.overdue + r.missed

    result.add(
        "每日逾期任务（比较并设置＋事件行）", _once(tick), base_tasks, f"{moved['n']:,} 条逾期"
    )

    worker = bench_user("bench_visits_worker", Role.VISIT_WORKER, "220102001001")
    province = bench_user("bench_province", Role.PROVINCE_OFFICER, "22")
    t = time.perf_counter()
    visits = _synthetic_visits(worker.pk)
    _sql("ANALYZE visits_visitrecord")
    result.meta["本月巡访记录"] = f"{visits:,}（写入 {time.perf_counter() - t:.1f} 秒）"

    base_roster = m(_roster_count)
    result.add(
        "基线：count(*) 月初在册特殊困难老年人", base_roster, base_roster, f"{roster_n:,} 行"
    )
    from yanglao.regions.models import Region

    jilin = Region.objects.get(code="220000000000")
    low, high = jilin.subtree
    rows: dict[str, Any] = {}

    def counties() -> None:
        rows["c"] = selectors.coverage_counts(
            low=low, high=high, month=MONTH, group_len=6, by_category=False
        )

    timing = m(counties)
    n_counties = len(rows["c"])
    total_r = sum(v[0] for v in rows["c"].values())
    total_v = sum(v[1] for v in rows["c"].values())
    result.add(
        "月探访率：全省69个县（按县汇总）",
        timing,
        base_roster,
        f"{n_counties} 个县，{total_v:,}/{total_r:,} = {rules.percent(rules.rate(total_v, total_r))}",
    )

    def by_category() -> None:
        rows["k"] = selectors.coverage_counts(
            low=low, high=high, month=MONTH, group_len=6, by_category=True
        )

    result.add("月探访率：全省69个县 × 7个类别", m(by_category), base_roster)
    city = Region.objects.get(code="220100000000")
    result.add(
        "探访率页面数据 coverage_table（省→市）",
        m(lambda: selectors.coverage_table(user=province, region=jilin, month=MONTH)),
        base_roster,
    )
    result.add(
        "coverage_table（市→县）",
        m(lambda: selectors.coverage_table(user=province, region=city, month=MONTH)),
        base_roster,
    )
    result.add(
        "近12个月趋势 coverage_trend（省）",
        m(lambda: selectors.coverage_trend(user=province, region=jilin, month=MONTH)),
        base_roster,
        "12 次查询",
    )
    _pages(result, province, jilin, runs, today=rules.next_month(MONTH).replace(day=2))
    return result


def _largest_county() -> str:
    return str(
        _sql(
            "SELECT substr(region_id, 1, 6) FROM people_person GROUP BY 1 ORDER BY count(*) DESC"
            " LIMIT 1"
        )[0][0]
    )


def _pages(result: Result, province: Any, jilin: Any, runs: int, *, today: date) -> None:
    """巡访督办 and the unvisited list of 探访率, first page as the view builds it, for the
    province officer and the largest county's officer, beside the old form of each query."""
    from django.core.cache import cache
    from django.core.paginator import Paginator
    from django.db.models import Q

    from yanglao.accounts.scoping import READ_RECORDS, scoped
    from yanglao.regions.models import Region

    county_code = _largest_county()
    county = bench_user(f"bench_county_{county_code}", Role.COUNTY_OFFICER, county_code)
    county_node = Region.objects.get(code=county_code.ljust(12, "0"))
    _sql("ANALYZE")
    base_tasks = measure(lambda: _sql("SELECT count(*) FROM visits_visittask"), runs=runs)
    result.add("基线：count(*) 巡访任务", base_tasks, base_tasks)

    def board(user: Any) -> int:
        page = Paginator(selectors.board_tasks(user=user, today=today), 50).get_page(1)
        return len(list(page.object_list)) + page.paginator.count

    def old_board(user: Any) -> int:
        from datetime import timedelta

        qs = (
            scoped(VisitTask.objects.all(), user, READ_RECORDS)
            .filter(
                Q(status="overdue") | Q(status="pending", due_date__lte=today + timedelta(days=7))
            )
            .select_related("person", "region", "worker")
            .order_by("-status", "due_date", "region_id", "person_id")
        )
        page = Paginator(qs, 50).get_page(1)
        return len(list(page.object_list)) + page.paginator.count

    for label, user in (("省级", province), (f"最大县 {county_code}", county)):
        old = measure(partial(old_board, user), runs=1, warmup=0)
        result.add(f"巡访督办 第一页（{label}）旧：全排序＋count(*)", old, base_tasks)
        result.add(
            f"巡访督办 第一页（{label}）",
            measure(partial(board, user), runs=runs),
            base_tasks,
            f"旧 {old.median_ms:,.0f} ms",
        )

    def unvisited(user: Any, node: Any, cold: bool) -> int:
        if cold:
            cache.clear()
        qs = selectors.coverage_people(user=user, region=node, month=MONTH, visited=False)
        paginator = Paginator(qs, 50)
        paginator.count = selectors.coverage_people_count(region=node, month=MONTH, visited=False)
        return len(list(paginator.get_page(1).object_list))

    def old_unvisited(user: Any, node: Any) -> int:
        qs = selectors.coverage_people(user=user, region=node, month=MONTH, visited=False)
        return len(list(Paginator(qs, 50).get_page(1).object_list))

    base_people = measure(lambda: _sql("SELECT count(*) FROM people_person"), runs=runs)
    result.add("基线：count(*) 老年人", base_people, base_people)
    for label, user, node in (
        ("省级", province, jilin),
        (f"最大县 {county_code}", county, county_node),
    ):
        old = measure(partial(old_unvisited, user, node), runs=1, warmup=0)
        result.add(f"未探访名单 第一页（{label}）旧：逐人 count(*)", old, base_people)
        selectors.coverage_table(user=user, region=node, month=MONTH)  # the page before it
        result.add(
            f"未探访名单 第一页（{label}，来自探访率页）",
            measure(partial(unvisited, user, node, False), runs=runs),
            base_people,
            f"旧 {old.median_ms:,.0f} ms",
        )
        result.add(
            f"未探访名单 第一页（{label}，直接打开）",
            measure(partial(unvisited, user, node, True), runs=runs),
            base_people,
            "人数由一次分组计数得出",
        )
