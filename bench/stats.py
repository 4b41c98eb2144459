"""Statistics snapshots at province scale (default 1,000,000 people; issue 13 targets: the
full nightly snapshot for 5,550,000 people within 10 minutes, a province dashboard and the
home page within 100 ms of server time).

Cases, each against a plain `count(*)` over the people table in the same run:
* the full snapshot of one month (every catalogue query, every node of Jilin's tree), once
  (a write job), after a month of synthetic visits for ~90% of the special-difficulty people;
* the province population and visits dashboards, and the home page, through the whole
  middleware stack (Django test client), reading that snapshot;
* the 区划 page (province and one county), whose counts read the snapshot (issue 16);
* for comparison, the home page's and the 区划 page's former live figures.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from bench import Result, Timing, measure, say
from bench.person_list import bench_user, ensure_people
from bench.visits import MONTH, _once, _sql, _synthetic_visits
from yanglao.accounts.roles import Role
from yanglao.people import selectors as people_selectors
from yanglao.regions.models import Region
from yanglao.statistics import snapshot
from yanglao.statistics.models import Snapshot, SnapshotValue
from yanglao.visits.models import VisitRecord

TODAY = date(2026, 5, 20)  # April 2026 (the visits bench month) is closed: a frozen version


def _client(user: object) -> object:
    from django.conf import settings
    from django.test import Client

    from yanglao.accounts.testing import mark_verified

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")  # type: ignore[arg-type]
    mark_verified(client, user)  # type: ignore[arg-type]
    return client


def _get(client: object, url: str, runs: int) -> Timing:
    status: list[int] = []

    def get() -> None:
        status.append(client.get(url).status_code)  # type: ignore[attr-defined]

    timing = measure(get, runs=runs)
    if status[-1] != 200:
        raise RuntimeError(f"GET {url} 返回 {status[-1]}，基准无效")
    return timing


def run(*, people: int, runs: int) -> Result:
    info = ensure_people(people)
    result = Result(
        "stats", "SELECT count(*) FROM people_person（同一次运行内测得）", meta={**info}
    )
    officer = bench_user("bench_stats_province", Role.PROVINCE_OFFICER, "22")
    if not VisitRecord.objects.filter(visit_date__gte=MONTH).exists():
        say("生成一个月的合成巡访记录……")
        _synthetic_visits(officer.pk)
    _sql("ANALYZE")
    baseline = measure(lambda: _sql("SELECT count(*) FROM people_person"), runs=runs)
    result.add("基线：count(*) 老年人表", baseline, baseline)
    Snapshot.objects.filter(period=MONTH).delete()
    snap_holder: list[Snapshot] = []
    say("计算整月统计快照……")
    timing = _once(lambda: snap_holder.append(snapshot.compute(MONTH, today=TODAY)))
    snap = snap_holder[0]
    result.add(
        "统计快照（全部指标×全部区划节点，一个月）",
        timing,
        baseline,
        f"{snap.rows:,} 个数值；版本 {snap.version}（{snap.get_status_display()}）",
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM statistics_snapshotvalue WHERE snapshot_id = %s", [snap.pk]
        )
        result.meta["snapshot_values"] = cur.fetchone()[0]
    result.meta["visit_records"] = VisitRecord.objects.filter(visit_date__gte=MONTH).count()
    client = _client(officer)
    for label, url in (
        ("省级看板：老年人口", f"/statistics/?region=220000000000&period={MONTH:%Y-%m}"),
        ("省级看板：探访关爱", f"/statistics/visits/?region=220000000000&period={MONTH:%Y-%m}"),
        (
            "省级看板：基本养老服务",
            f"/statistics/benefits/?region=220000000000&period={MONTH:%Y-%m}",
        ),
        ("首页（省级，读快照）", "/"),
    ):
        result.add(f"HTTP GET {label}", _get(client, url, runs), baseline, "服务器端，含中间件")
    county = "220102000000"
    result.add(
        "HTTP GET 县级看板：老年人口",
        _get(client, f"/statistics/?region={county}&period={MONTH:%Y-%m}", runs),
        baseline,
    )
    # Issue 16: the 区划 page's counts read this snapshot (one index lookup per page), where
    # they used to count every person under the node live.
    result.add(
        "HTTP GET 区划页（省级，人数读快照）",
        _get(client, "/regions/220000000000/", runs),
        baseline,
        "服务器端，含中间件",
    )
    result.add(
        f"HTTP GET 区划页（县级 {county}，人数读快照）",
        _get(client, f"/regions/{county}/", runs),
        baseline,
    )
    province_node = Region.objects.get(code="220000000000")
    old_counts = measure(
        lambda: (
            people_selectors.region_child_counts(user=officer, region=province_node),
            people_selectors.region_total(user=officer, region=province_node),
        ),
        runs=max(3, runs // 2),
    )
    result.add("对照：区划页原实时统计（下级人数＋合计，省级）", old_counts, baseline)
    live = measure(
        lambda: people_selectors.jurisdiction_counts(user=officer), runs=max(3, runs // 2)
    )
    result.add("对照：首页原实时统计（jurisdiction_counts，省级）", live, baseline)
    result.meta["values_total"] = SnapshotValue.objects.count()
    return result
