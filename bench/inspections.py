"""双随机 at province scale: about 750 homes (the national average density for Jilin, issue 11
part 11) on real villages of all 69 counties, 300 inspectors in the province's directory and
300 回避 links. No people are needed (`--people` is ignored).

Cases, each against a plain `count(*)` of the rows the draw reads (homes of the province +
active inspectors + links) in the same run:
* the candidate lists (检查对象名录库 with exclusions, 执法检查人员名录库, 回避 pairs);
* the pure draw (spotcheck.draw) over them, at 5% and at 100%;
* the whole draw of a new province plan (candidates, draw, the Draw row, one task and its
  team per drawn home, the audit event), at 5% and at 100% (750 tasks).
"""

from __future__ import annotations

import time
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection

from bench import Result, Timing, measure, say
from bench.person_list import bench_user
from yanglao.accounts.models import User
from yanglao.accounts.roles import Role
from yanglao.institutions import spotcheck, supervision
from yanglao.institutions.models import (
    Draw,
    Inspector,
    InspectorLink,
    Institution,
    SpotCheckPlan,
    SpotCheckTask,
)
from yanglao.institutions.rules import credit_check_char
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.regions.services import regions_load_bundled

HOMES = 750
INSPECTORS = 300
PROVINCE = "220000000000"


def _sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return list(cursor.fetchall()) if cursor.description else []


def _clear_draws() -> None:
    tables = ", ".join(
        m._meta.db_table
        for m in (SpotCheckTask.inspectors.through, SpotCheckTask, Draw, SpotCheckPlan)
    )
    _sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def ensure_world() -> dict[str, Any]:
    if not Region.objects.exists():
        say("加载吉林省区划……")
        regions_load_bundled(actor=None)
    low, high = codes.subtree_range(PROVINCE)
    existing = Institution.objects.filter(region_id__gte=low, region_id__lte=high).count()
    if existing >= HOMES and Inspector.objects.count() >= INSPECTORS:
        return {"generated": False}
    say(f"生成 {HOMES} 家机构、{INSPECTORS} 名检查人员……")
    villages = list(
        Region.objects.filter(level=codes.VILLAGE, code__gte=low, code__lte=high)
        .order_by("code")
        .values_list("code", flat=True)
    )
    step = max(1, len(villages) // HOMES)
    homes = []
    for n in range(HOMES):
        village = villages[n * step]
        first17 = f"52{village[:6]}MJ{n:07d}"[:17]
        homes.append(
            Institution(
                credit_code=first17 + credit_check_char(first17),
                name=f"基准养老院{n:04d}",
                ownership="private",
                profit="nonprofit",
                legal_rep="基准",
                region_id=village,
                address="基准路",
                beds_total=120,
                # one home in 25 closed: excluded from the draw with its reason
                status="closed" if n % 25 == 0 else "operating",
            )
        )
    Institution.objects.bulk_create(homes, batch_size=500, ignore_conflicts=True)
    users = [
        User(username=f"bench_inspector_{n:03d}", role=Role.INSPECTOR, full_name=f"检查员{n:03d}")
        for n in range(INSPECTORS)
    ]
    for u in users:
        u.set_unusable_password()
    User.objects.bulk_create(users, ignore_conflicts=True)
    orgs = ["civil", "fire", "market", "health"]
    ids = User.objects.filter(username__startswith="bench_inspector_").order_by("username")
    Inspector.objects.bulk_create(
        [
            Inspector(user=u, name=u.full_name, organisation=orgs[n % 4], region_id=PROVINCE)
            for n, u in enumerate(ids)
        ],
        ignore_conflicts=True,
    )
    entries = list(Inspector.objects.order_by("id"))
    home_rows = list(Institution.objects.filter(name__startswith="基准养老院").order_by("id"))
    InspectorLink.objects.bulk_create(
        [
            InspectorLink(
                inspector=entries[n % len(entries)],
                institution=home_rows[(n * 7) % len(home_rows)],
                reason="基准",
            )
            for n in range(INSPECTORS)
        ],
        ignore_conflicts=True,
    )
    return {"generated": True}


def _rows_read() -> list[tuple[Any, ...]]:
    low, high = codes.subtree_range(PROVINCE)
    return _sql(
        "SELECT (SELECT count(*) FROM institutions_institution WHERE region_id BETWEEN %s AND %s)"
        " + (SELECT count(*) FROM institutions_inspector WHERE active)"
        " + (SELECT count(*) FROM institutions_inspectorlink)",
        [low, high],
    )


def run(*, people: int, runs: int) -> Result:
    del people
    result = Result(
        name="inspections",
        baseline="SELECT count(*) of the rows a draw reads (homes + inspectors + 回避 links)",
    )
    result.meta["generation"] = ensure_world()
    _clear_draws()
    _sql("VACUUM ANALYZE")
    province = bench_user("bench_province", Role.PROVINCE_OFFICER, "22")
    supervision.ensure_check_items()
    rows = _rows_read()[0][0]
    result.meta["postgres"] = _sql("SHOW server_version")[0][0]

    def plan(ratio: str) -> SpotCheckPlan:
        return supervision.plan_create(
            actor=province,
            data=supervision.PlanInput(PROVINCE, 2026, "省级基准抽查", ratio, "基准", ["YL-01"]),
        )

    base = measure(_rows_read, runs=runs)
    result.add("基线：count(*) 抽取读取的行", base, base, f"{rows:,} 行")
    probe = plan("5%")
    got: dict[str, Any] = {}

    def cands() -> None:
        got["c"] = supervision.candidates(probe)

    result.add("候选名录（机构、检查人员、回避）", measure(cands, runs=runs), base)
    c = got["c"]
    result.meta["候选"] = (
        f"{len(c.homes)} 家机构（排除 {len(c.excluded)} 家），{len(c.inspectors)} 名检查人员，"
        f"{len(c.conflicts)} 条回避"
    )
    for ratio in ("0.05", "1"):
        data = spotcheck.DrawInput(
            homes=tuple(c.homes),
            inspectors=tuple(c.inspectors),
            ratio=Decimal(ratio),
            seed="bench",
            conflicts=frozenset((i, h) for i, h in c.conflicts),
        )
        drawn = spotcheck.draw(data)
        result.add(
            f"纯函数抽取 spotcheck.draw（{Decimal(ratio):.0%}）",
            measure(partial(spotcheck.draw, data), runs=runs),
            base,
            f"抽中 {drawn.count} 家，{len(drawn.tasks)} 个任务",
        )
    for ratio, n_runs in (("5%", runs), ("100%", max(3, runs // 2))):
        samples: list[float] = []
        for _ in range(n_runs):
            p = plan(ratio)
            start = time.perf_counter()
            d = supervision.draw_run(actor=province, plan=p)
            samples.append((time.perf_counter() - start) * 1000)
        samples.sort()
        timing = Timing(samples[len(samples) // 2], samples[0], samples[-1], n_runs)
        result.add(
            f"完整抽取 draw_run（{ratio}，写任务与检查组）",
            timing,
            base,
            f"{len(d.result['tasks'])} 个任务",
        )
    return result
