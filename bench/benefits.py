"""The nightly eligibility run over every item and the monthly roll of the largest county, at
province scale (default 1,000,000 people), each against evaluating the same rules person by
person in Python in the same run (on a sample, extrapolated to the whole population).

Setup (once, reused): the shipped list, county amounts for the largest county (as its
officer would publish them), and entitlements for two in three of its eligible people, so
the roll has the size a real county's would.
Baseline: the same rules evaluated by the Python form of the engine, (a) loading each
person's facts one by one as a naive loop would, (b) with facts batch-loaded; both timed on
a sample and scaled to the population.
"""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from bench import Result, Timing, measure, say
from bench.person_list import bench_user, ensure_people
from yanglao.accounts.roles import Role
from yanglao.benefits import catalog, query, rules, services
from yanglao.benefits.models import Candidate, Entitlement, OverlapRule, ServiceItem
from yanglao.people.models import Person

SEED = 20260601
NAIVE_SAMPLE = 2_000
BATCH_SAMPLE = 50_000
ROLL_SAMPLE = 2_000


def _sql(statement: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return list(cursor.fetchall()) if cursor.description else []


def largest_county() -> tuple[str, int]:
    code, n = _sql(
        "SELECT substr(region_id, 1, 6), count(*) FROM people_person "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    )[0]
    return str(code).ljust(12, "0"), int(n)


def ensure_benefits(county: str, today: date) -> dict[str, Any]:
    catalog.seed(ServiceItem, OverlapRule)
    officer = bench_user(f"bench_county_{county[:6]}", Role.COUNTY_OFFICER, county[:6])
    if not ServiceItem.objects.filter(region_id=county).exists():
        for code, values in (
            ("N06", ["100", "200", "500"]),
            ("N04", ["80"]),
            ("N05", ["100", "200", "300", "400"]),
        ):
            base = ServiceItem.objects.get(code=code, region__isnull=True)
            services.item_publish(
                actor=officer,
                region_code=county,
                data=services.ItemInput(
                    code=code,
                    name=base.name,
                    category=base.category,
                    target=base.target,
                    rule=base.rule,
                    standard=[
                        {**b, "value": v} for b, v in zip(base.standard, values, strict=True)
                    ],
                    effective_from=date(2024, 1, 1),
                    document_no="基准测试",
                    payable=True,
                ),
            )
    if not Entitlement.objects.filter(county_id=county).exists():
        low, high = county[:6].ljust(12, "0"), county[:6].ljust(12, "9")
        start = rules.add_months(rules.month_start(today), -2)
        made = 0
        for code in ("N06", "N04", "N05"):
            item = query.resolve_item(county, code, today)
            assert item is not None
            ids = list(
                Person.objects.filter(
                    query.eligible_q(item.rule, today), region_id__gte=low, region_id__lte=high
                ).values_list("pk", flat=True)
            )
            # Bench setup in bulk (what a migration of an existing roll would write).
            with transaction.atomic():
                Entitlement.objects.bulk_create(
                    (
                        Entitlement(person_id=pid, item_code=code, county_id=county, start=start)
                        for i, pid in enumerate(ids)
                        if i % 3
                    ),
                    batch_size=5000,
                )
            made += len(ids) - len(ids) // 3 - (1 if len(ids) % 3 else 0)
        say(f"已为 {county[:6]} 建立约 {made:,} 条待遇")
    return {"officer": officer}


def _python_nightly_naive(
    ids: list[int], lists: dict[str, list[query.ResolvedItem]], on: date
) -> int:
    """One person at a time: load the facts, evaluate every item of the person's county."""
    hits = 0
    for pid in ids:
        facts = query.facts_for([pid])[pid]
        for item in lists[facts.region_code[:6]]:
            if item.item.discover and rules.evaluate(item.rule, facts, on).value is True:
                hits += 1
    return hits


def _python_nightly_batch(
    ids: list[int], lists: dict[str, list[query.ResolvedItem]], on: date
) -> int:
    facts = query.facts_for(ids)
    hits = 0
    for pid in ids:
        f = facts[pid]
        for item in lists[f.region_code[:6]]:
            if item.item.discover and rules.evaluate(item.rule, f, on).value is True:
                hits += 1
    return hits


def _roll_python(county: str, month: date, ent_ids: list[int]) -> int:
    """Per entitlement: its item, its person's facts, the band and amount, one by one."""
    lines = 0
    for ent in Entitlement.objects.filter(pk__in=ent_ids):
        item = query.resolve_item(county, ent.item_code, month)
        facts = query.facts_for([ent.person_id])[ent.person_id]
        if item is not None and rules.band_for(item.standard, facts, month) is not None:
            lines += 1
    return lines


def _scaled(t: Timing, factor: float) -> Timing:
    return Timing(t.median_ms * factor, t.min_ms * factor, t.max_ms * factor, t.runs)


def run(*, people: int, runs: int) -> Result:
    result = Result(
        name="benefits",
        baseline="同一规则在 Python 中逐人判定（样本计时，按总人数外推）",
    )
    result.meta["generation"] = ensure_people(people)
    today = timezone.localdate()
    county, county_people = largest_county()
    ctx = ensure_benefits(county, today)
    _sql("VACUUM ANALYZE")
    total = Person.objects.count()
    result.meta["people"] = f"{total:,}"
    result.meta["largest county"] = f"{county[:6]}（{county_people:,} 人）"
    result.meta["postgres"] = _sql("SHOW server_version")[0][0]
    heavy = max(1, min(runs, 2))

    counties = services._counties()
    lists = {c[:6]: query.resolve_list(c, today) for c in counties}
    discoverable = {
        r.code
        for items in lists.values()
        for r in items
        if r.item.discover and rules.is_machine_evaluable(r.rule)
    }
    result.meta["items"] = (
        f"{len(ServiceItem.objects.values('code').distinct())} 项，其中夜间排查 {len(discoverable)} 项（{'、'.join(sorted(discoverable))}）"
    )
    result.meta["counties"] = len(counties)

    t = time.perf_counter()
    services.discovery_run(on=today)  # first run inserts; later runs are the steady state
    result.meta["首次排查（写入）秒"] = round(time.perf_counter() - t, 1)
    result.meta["应保未保人次"] = f"{Candidate.objects.count():,}"

    rng = random.Random(SEED)
    all_ids = list(Person.objects.values_list("pk", flat=True))
    naive_ids = rng.sample(all_ids, min(NAIVE_SAMPLE, len(all_ids)))
    batch_ids = rng.sample(all_ids, min(BATCH_SAMPLE, len(all_ids)))
    naive = measure(lambda: _python_nightly_naive(naive_ids, lists, today), runs=1, warmup=0)
    batch = measure(lambda: _python_nightly_batch(batch_ids, lists, today), runs=1, warmup=0)
    naive_all = _scaled(naive, total / len(naive_ids))
    batch_all = _scaled(batch, total / len(batch_ids))
    result.add(
        "基线：Python 逐人读取并判定全部项目（外推至全省）",
        naive_all,
        naive_all,
        f"样本 {len(naive_ids):,} 人 {naive.median_ms / 1000:.1f} 秒",
    )
    result.add(
        "基线：Python 批量读取后逐人判定（外推至全省）",
        batch_all,
        naive_all,
        f"样本 {len(batch_ids):,} 人 {batch.median_ms / 1000:.1f} 秒",
    )
    result.add(
        "夜间排查 discovery_run（全省、全部项目，SQL 集合运算）",
        measure(lambda: services.discovery_run(on=today), runs=heavy),
        naive_all,
        f"对比批量基线 {batch_all.median_ms:,.0f} ms",
    )
    result.add(
        "夜间任务 nightly（排查 + 复核任务）",
        measure(lambda: services.nightly(on=today), runs=heavy),
        naive_all,
    )

    officer = ctx["officer"]
    month = rules.month_start(today)
    ents = list(Entitlement.objects.filter(county_id=county).values_list("pk", flat=True))
    result.meta["最大县待遇数"] = f"{len(ents):,}"
    sample = rng.sample(ents, min(ROLL_SAMPLE, len(ents)))
    roll_naive = _scaled(
        measure(lambda: _roll_python(county, month, sample), runs=1, warmup=0),
        len(ents) / max(len(sample), 1),
    )
    result.add(
        "基线：名册逐条待遇在 Python 中取数与定档（外推）",
        roll_naive,
        roll_naive,
        f"样本 {len(sample):,} 条",
    )
    roll_t = measure(
        lambda: services.roll_generate(actor=officer, county_code=county, month=month),
        runs=heavy,
    )
    roll = services.roll_generate(actor=officer, county_code=county, month=month)
    result.add(
        f"月度名册 roll_generate（{county[:6]}，{len(ents):,} 条待遇）",
        roll_t,
        roll_naive,
        f"{roll.totals['lines']:,} 行，合计 {roll.totals['amount']} 元",
    )
    return result
