"""The prepaid-fee risk list over all homes of a province (issue 11 part 4), on a generated
Jilin at the national density (~750 homes, ~95,000 beds; institutions.generator).

Cases, each against a plain `count(*)` of the rows the case reads, in the same run:
* the risk list of the whole province (homes, two months of balances, the current prepaid
  filing per home, complaints of 90 days, stop notices), scored in Python;
* the county's late-report list of the month (homes without a report);
* the month's report totals for the statistics module.
The people table is not needed: `--people` is ignored.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from django.db import connection

from bench import Result, measure, say
from yanglao.institutions import generator
from yanglao.institutions import prepaid_rules as pr
from yanglao.institutions import queries_reports as queries
from yanglao.institutions import report_rules as rr
from yanglao.institutions.models import Institution
from yanglao.people.generator import load_villages
from yanglao.regions.models import Region
from yanglao.regions.services import regions_load_bundled

MONTH = date(2026, 10, 1)
TODAY = date(2026, 11, 30)
JILIN = ("220000000000", "229999999999")


def _sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return list(cursor.fetchall()) if cursor.description else []


def _rows_read() -> int:
    """count(*) of every row the risk list reads, one statement."""
    prev = rr.add_months(MONTH, -1)
    low, high = JILIN
    return int(
        _sql(
            "SELECT (SELECT count(*) FROM institutions_institution"
            "  WHERE region_id BETWEEN %s AND %s AND status IN ('operating', 'suspended'))"
            " + (SELECT count(*) FROM institutions_prepaidbalance"
            "  WHERE region_id BETWEEN %s AND %s AND month IN (%s, %s))"
            " + (SELECT count(*) FROM institutions_prepaidfiling"
            "  WHERE region_id BETWEEN %s AND %s)"
            " + (SELECT count(*) FROM institutions_complaint"
            "  WHERE region_id BETWEEN %s AND %s AND received_on > %s AND received_on <= %s)"
            " + (SELECT count(*) FROM institutions_stopnotice"
            "  WHERE region_id BETWEEN %s AND %s AND NOT withdrawn)",
            [
                low,
                high,
                low,
                high,
                prev,
                MONTH,
                low,
                high,
                low,
                high,
                TODAY - timedelta(days=pr.COMPLAINT_WINDOW_DAYS),
                TODAY,
                low,
                high,
            ],
        )[0][0]
    )


def _reports_read() -> int:
    low, high = JILIN
    return int(
        _sql(
            "SELECT (SELECT count(*) FROM institutions_institution"
            "  WHERE region_id BETWEEN %s AND %s AND status = 'operating')"
            " + (SELECT count(*) FROM institutions_monthlyreport"
            "  WHERE region_id BETWEEN %s AND %s AND month = %s)",
            [low, high, low, high, MONTH],
        )[0][0]
    )


def run(*, people: int, runs: int) -> Result:
    del people
    result = Result(name="prepaid_risk", baseline="SELECT count(*) of the rows each case reads")
    if not Region.objects.exists():
        say("加载吉林省区划……")
        regions_load_bundled(actor=None)
    homes = Institution.objects.filter(name__endswith=generator.SUFFIX).count()
    if homes != generator.HOMES:
        say(f"生成 {generator.HOMES} 家养老机构……")
        t = time.perf_counter()
        made = generator.generate(load_villages(), month=MONTH)
        result.meta["generation"] = f"{made}（{time.perf_counter() - t:.1f} 秒）"
    else:
        result.meta["generation"] = f"复用已生成的 {homes} 家机构"
    _sql("ANALYZE")
    beds = sum(
        Institution.objects.filter(name__endswith=generator.SUFFIX).values_list(
            "beds_total", flat=True
        )
    )
    result.meta["homes / beds"] = f"{generator.HOMES:,} / {beds:,}"
    result.meta["postgres"] = _sql("SHOW server_version")[0][0]
    result.meta["month"] = f"{MONTH:%Y-%m}"

    read = _rows_read()
    base = measure(_rows_read, runs=runs)
    result.add("基线：count(*) 风险排序读取的行", base, base, f"{read:,} 行")
    out: dict[str, Any] = {}

    def risk() -> None:
        out["risk"] = queries.risk_list(JILIN, MONTH, TODAY)

    row = result.add("预收费风险排序：全省所有机构", measure(risk, runs=runs), base)
    high = sum(1 for r in out["risk"] if r.risk.score >= pr.HIGH)
    row.note = f"{len(out['risk']):,} 家，高风险 {high} 家"

    base_r = measure(_reports_read, runs=runs)
    result.add("基线：count(*) 机构＋本月月报", base_r, base_r, f"{_reports_read():,} 行")

    def late() -> None:
        out["late"] = queries.reports_owed(JILIN, MONTH)

    row = result.add("月报未报名单：全省", measure(late, runs=runs), base_r)
    row.note = f"{len(out['late'])} 家未报"
    row = result.add(
        "月报汇总 report_totals：全省",
        measure(lambda: queries.report_totals(JILIN, MONTH), runs=runs),
        base_r,
    )
    return result
