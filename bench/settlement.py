"""A month's community-service settlement (issue 12 part 8) for the largest county at Jilin's
volume: the province's canteens serve about 320,000 meals a month (Jilin's reply on the
Changchun plan), all put here on one canteen operator in one county, as confirmed logs.

Cases, each against a plain `count(*)` of the same month's logs, in the same run:
* the settlement (`community.services.settlement_generate`): facts of every log and person
  (death, institution stays), funding rules and entitlements, caps, prices, the split, and
  the insert of every line — replacing the previous run's draft each time;
* the settlement's own totals read back (the roll page's header).
"""

from __future__ import annotations

import os
import time
from datetime import date
from typing import Any

from django.db import connection

from bench import Result, Timing, measure, say
from bench.person_list import bench_user, ensure_people
from yanglao.accounts.roles import Role
from yanglao.benefits.models import Entitlement
from yanglao.community import services
from yanglao.community.models import CatalogueItem, Provider, ServiceLog, Settlement
from yanglao.institutions.rules import credit_check_char

MONTH = date(2026, 10, 1)
MEALS = 320_000
SUFFIX = "（基准）"


def _sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return list(cursor.fetchall()) if cursor.description else []


def _largest_county() -> tuple[str, int]:
    row = _sql(
        "SELECT substr(region_id, 1, 6) AS c, count(*) FROM people_person"
        " WHERE life_status = 'alive' GROUP BY c ORDER BY count(*) DESC LIMIT 1"
    )[0]
    return str(row[0]), int(row[1])


def _world(county: str) -> tuple[Provider, Any]:
    officer = bench_user(f"bench_county_{county}", Role.COUNTY_OFFICER, county)
    provider = Provider.objects.filter(name=f"敬老餐厅运营{SUFFIX}").first()
    if provider is not None:
        return provider, officer
    first17 = f"92{county}MA0000001"[:17]
    village = _sql(
        "SELECT region_id FROM people_person WHERE region_id LIKE %s LIMIT 1", [county + "%"]
    )[0][0]
    provider = services.provider_register(
        actor=officer,
        data=services.ProviderInput(
            credit_code=first17 + credit_check_char(first17),
            name=f"敬老餐厅运营{SUFFIX}",
            kind="catering",
            region_code=village,
            address="基准路1号",
        ),
    )
    meal = CatalogueItem.objects.get(code="SC02")
    services.price_set(
        actor=officer,
        provider=provider,
        item=meal,
        unit_price="12",
        effective_from=date(2025, 1, 1),
    )
    # A price change mid-month: every log is priced at its own day's price.
    services.price_set(
        actor=officer,
        provider=provider,
        item=meal,
        unit_price="13",
        effective_from=date(2026, 10, 16),
    )
    services.funding_rule_set(
        actor=officer,
        region_code=county + "000000",
        benefit_code="N04",
        item=meal,
        amount_per_unit="5",
        monthly_cap="120",
        effective_from=date(2025, 1, 1),
    )
    return provider, officer


def _logs(provider: Provider, county: str) -> int:
    have = ServiceLog.objects.filter(provider=provider).count()
    if have >= MEALS:
        return have
    say(f"生成 {MEALS:,} 条已确认的助餐记录……")
    meal = CatalogueItem.objects.get(code="SC02")
    people = _sql(
        "SELECT count(*) FROM people_person WHERE region_id LIKE %s AND life_status = 'alive'",
        [county + "%"],
    )[0][0]
    # Each diner has up to two meals a day; the logs cycle over the county's people.
    _sql(
        """
        WITH p AS (
            SELECT id, region_id, row_number() OVER (ORDER BY id) - 1 AS n
            FROM people_person WHERE region_id LIKE %s AND life_status = 'alive'
        )
        INSERT INTO community_servicelog (
            public_id, client_uuid, person_id, region_id, provider_id, item_id, service_date,
            quantity, status, confirm_method, confirm_evidence, confirmed_at, photo, note,
            evaluation, sms_code_hash, sms_tries, created_at
        )
        SELECT gen_random_uuid(), gen_random_uuid(), p.id, p.region_id, %s, %s,
               %s::date + ((g / %s) %% 31)::int, 1, 'confirmed', 'window', '', now(), '', '',
               '', '', 0, now()
        FROM generate_series(0, %s - 1) AS g JOIN p ON p.n = g %% %s
        """,
        [county + "%", provider.pk, meal.pk, MONTH, max(people, 1), MEALS, max(people, 1)],
    )
    # Half the diners hold 经济困难老年人养老服务补贴 (N04); some died or live in a home.
    _sql(
        """
        INSERT INTO benefits_entitlement (public_id, person_id, item_code, county_id, start,
            stop_reason, stop_note, account_cipher, account_masked, created_at)
        SELECT gen_random_uuid(), id, 'N04', %s, '2025-01-01', '', '', '', '', now()
        FROM people_person WHERE region_id LIKE %s AND life_status = 'alive' AND id %% 2 = 0
          AND NOT EXISTS (SELECT 1 FROM benefits_entitlement e
                          WHERE e.person_id = people_person.id AND e.item_code = 'N04')
        """,
        [county + "000000", county + "%"],
    )
    return ServiceLog.objects.filter(provider=provider).count()


def run(*, people: int, runs: int) -> Result:
    result = Result(name="settlement", baseline="SELECT count(*) of the month's logs")
    info = ensure_people(people)
    county, living = _largest_county()
    provider, officer = _world(county)
    t = time.perf_counter()
    logs = _logs(provider, county)
    result.meta["generation"] = f"{info}; logs {logs:,}（{time.perf_counter() - t:.1f} 秒）"
    _sql("ANALYZE")
    result.meta["county"] = f"{county}（在世老年人 {living:,}）"
    result.meta["entitlements N04"] = (
        f"{Entitlement.objects.filter(county_id=county + '000000').count():,}"
    )
    result.meta["postgres"] = _sql("SHOW server_version")[0][0]
    result.meta["load"] = os.getloadavg()[0]

    def count() -> int:
        return int(
            _sql(
                "SELECT count(*) FROM community_servicelog WHERE provider_id = %s"
                " AND region_id >= %s AND region_id < %s AND service_date >= %s"
                " AND service_date < %s",
                [provider.pk, county, county + "~", MONTH, date(2026, 11, 1)],
            )[0][0]
        )

    base = measure(count, runs=runs)
    result.add("基线：count(*) 本月服务记录", base, base, f"{count():,} 条")
    out: dict[str, Settlement] = {}

    def settle() -> None:
        out["s"] = services.settlement_generate(
            actor=officer, provider=provider, county_code=county, month=MONTH
        )

    heavy = max(1, min(runs, 3))
    timing: Timing = measure(settle, runs=heavy, warmup=0)
    s = out["s"]
    row = result.add("月度结算：全县一个月的助餐记录", timing, base)
    row.note = (
        f"{s.logs_count:,} 条，补贴 {s.total_entitlement:,} 元，个人 {s.total_person:,} 元，"
        f"拒付 {s.lines_refused:,} 条"
    )
    result.meta["lines"] = f"{s.lines.count():,}"
    row = result.add(
        "结算单汇总回读",
        measure(lambda: Settlement.objects.filter(pk=s.pk).values("total_gross").get(), runs=runs),
        base,
    )
    return result
