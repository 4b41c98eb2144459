"""The ledger list and home-page figures at province scale (default 1,000,000 people).

Reuses the bench database's people if there are at least N (and they were written with the
current keys), else truncates the people tables and generates N with the demo generator.
Baseline: `SELECT count(*) FROM people_person` in the same run.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.db import connection

from bench import Result, Timing, measure, say
from yanglao.accounts.models import User
from yanglao.accounts.roles import Role
from yanglao.accounts.services import user_create
from yanglao.core import crypto
from yanglao.people import generator, selectors
from yanglao.people.choices import Category
from yanglao.people.models import EmergencyContact, Household, Person, PersonCategory
from yanglao.people.selectors import PersonFilter
from yanglao.regions.models import Region
from yanglao.regions.services import regions_load_bundled

SEED = 20260101
DEEP_PAGES = 200
BENCH_PASSWORD = "Bench-Yanglao-2026"
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # generator processes (2 cores here)


def _sql(statement: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return list(cursor.fetchall()) if cursor.description else []


def _usable(n: int) -> bool:
    """At least n people, and their ciphertext opens with the current keys."""
    if Person.objects.count() < n:
        return False
    sample = Person.objects.order_by("id").values_list("id_number_cipher", flat=True).first()
    try:
        crypto.decrypt(sample or "")
    except Exception:
        say("现有数据不是用当前密钥加密的（YANGLAO_DATA_DIR 变了），重新生成。")
        return False
    return True


def ensure_people(n: int) -> dict[str, Any]:
    if not Region.objects.exists():
        say("加载吉林省区划……")
        regions_load_bundled(actor=None)
    if _usable(n):
        count = Person.objects.count()
        say(f"复用已有的 {count:,} 名老年人。")
        return {"generated": False, "people": count}
    tables = ", ".join(
        m._meta.db_table for m in (EmergencyContact, PersonCategory, Person, Household)
    )
    _sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    villages = generator.load_villages(seed=SEED)
    say(f"生成 {n:,} 名老年人（{WORKERS} 个进程）……")
    started = time.perf_counter()
    shown = [0]

    def progress(r: generator.WriteReport) -> None:
        if r.people - shown[0] >= 250_000 or r.people == n:
            shown[0] = r.people
            elapsed = time.perf_counter() - started
            say(f"  {r.people:,} / {n:,}  {elapsed:.0f} 秒  {r.people / elapsed:,.0f} 人/秒")

    from django.utils import timezone

    report = generator.write_population_parallel(
        villages,
        n,
        seed=SEED,
        today=time_today(),
        now=timezone.now(),
        workers=WORKERS,
        progress=progress,
    )
    info = {
        "generated": True,
        "people": report.people,
        "households": report.households,
        "tags": report.tags,
        "contacts": report.contacts,
        "seconds": round(report.seconds, 1),
        "rows_per_second": round(report.rows_per_second),
        "build_seconds": round(report.build_seconds, 1),
        "encrypt_seconds": round(report.encrypt_seconds, 1),
        "write_seconds": round(report.write_seconds, 1),
        "workers": WORKERS,
        "index_seconds": round(report.index_seconds, 1),
        "worker_cpu_seconds": round(report.worker_cpu_seconds, 1),
        "note": "build/encrypt/write seconds are summed over the worker processes",
    }
    say(
        f"生成完成：{report.people:,} 人，{report.seconds:.1f} 秒，"
        f"{report.rows_per_second:,.0f} 人/秒（生成 {report.build_seconds:.1f} 秒，"
        f"加密 {report.encrypt_seconds:.1f} 秒，写入 {report.write_seconds:.1f} 秒）"
    )
    return info


def time_today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def bench_user(username: str, role: str, region: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            actor=None,
            username=username,
            password=BENCH_PASSWORD,
            role=role,
            full_name="基准测试",
            jurisdictions=[(region, "edit")],
        )
    return user


def _page(user: User, f: PersonFilter, cursor: str = "") -> int:
    rows, _ = selectors.person_list(user=user, f=f, cursor=cursor)
    return len(rows)


def run(*, people: int, runs: int) -> Result:
    result = Result(name="person_list", baseline="SELECT count(*) FROM people_person")
    gen_info = ensure_people(people)
    t = time.perf_counter()
    _sql("VACUUM ANALYZE")
    result.meta["VACUUM ANALYZE 秒"] = round(time.perf_counter() - t, 1)
    result.meta["people"] = f"{Person.objects.count():,}"
    result.meta["generation"] = gen_info
    result.meta["postgres"] = _sql("SHOW server_version")[0][0]

    province = bench_user("bench_province", Role.PROVINCE_OFFICER, "22")
    county = bench_user("bench_county", Role.COUNTY_OFFICER, "220102")
    province_node = Region.objects.get(code="220000000000")

    def m(fn: Any) -> Timing:
        return measure(fn, runs=runs)

    baseline = m(lambda: _sql("SELECT count(*) FROM people_person"))
    result.add("基线：SELECT count(*)", baseline, baseline)
    result.add(
        "基线：SELECT id ORDER BY id LIMIT 50",
        m(lambda: _sql("SELECT id FROM people_person ORDER BY id LIMIT 50")),
        baseline,
    )

    everyone = PersonFilter()
    result.add("省级 第一页", m(lambda: _page(province, everyone)), baseline)

    cursor = ""
    for _ in range(DEEP_PAGES):
        _, cursor = selectors.person_list(user=province, f=everyone, cursor=cursor)
    deep = cursor
    result.add(
        f"省级 第{DEEP_PAGES + 1}页（游标）", m(lambda: _page(province, everyone, deep)), baseline
    )

    alone = PersonFilter(category=Category.LIVING_ALONE)
    n_alone = _page(county, alone)
    result.add("县级 第一页 独居", m(lambda: _page(county, alone)), baseline, f"{n_alone} 行")
    old = PersonFilter(age_band="90+")
    result.add("省级 第一页 90岁以上", m(lambda: _page(province, old)), baseline)
    wang = PersonFilter(q="王")
    result.add("省级 姓名含“王”", m(lambda: _page(province, wang)), baseline)
    sample = Person.objects.order_by("id").values_list("id_number_cipher", flat=True)[
        Person.objects.count() // 2
    ]
    by_id = PersonFilter(q=crypto.decrypt(sample))
    n_found = _page(province, by_id)
    result.add(
        "省级 完整身份证号码查询", m(lambda: _page(province, by_id)), baseline, f"{n_found} 行"
    )
    _search_cases(result, province, county, baseline, m)
    result.add(
        "首页统计 jurisdiction_counts（省）",
        m(lambda: selectors.jurisdiction_counts(user=province)),
        baseline,
    )
    result.add(
        "区划下级人数 region_child_counts（省）",
        m(lambda: selectors.region_child_counts(user=province, region=province_node)),
        baseline,
    )
    _http(result, province, baseline, runs)
    return result


SEARCH_BUDGET_MS = 20.0  # issue 16: a full-name search at province level
SUBSTRING = "丽英"  # a given name of the generation: a two-character part of many names


def _search_cases(result: Result, province: User, county: User, baseline: Timing, m: Any) -> None:
    """Issue 14 part 3 / issue 16: each kind of search, first page and count, beside the old
    prefix LIKE (main before the search index: 0.7 s at province level)."""
    sample = (
        Person.objects.filter(
            region_id__gte="220102000000", region_id__lte="220102999999", life_status="alive"
        )
        .exclude(phone_masked="")
        .order_by("id")
        .values("name", "id_number_cipher", "phone_cipher", "region_id")
        .first()
    )
    if sample is None:
        return
    name = sample["name"]
    result.meta["search sample"] = f"{name}（{len(name)}字）, 片段“{SUBSTRING}”"
    result.meta["search budget ms"] = SEARCH_BUDGET_MS

    def old_prefix() -> None:  # what main ran: name LIKE 'x%' (no index under C.UTF-8)
        _sql(
            "SELECT id FROM people_person WHERE life_status = 'alive' "
            f"AND name LIKE '{name}%' ORDER BY region_id, id LIMIT 51"
        )

    result.add(f"旧：省级 姓名前缀 LIKE“{name}%”", m(old_prefix), baseline)
    cases = [
        (f"省级 全名“{name}”", province, PersonFilter(q=name)),
        (f"省级 姓名片段“{SUBSTRING}”", province, PersonFilter(q=SUBSTRING)),
        (f"县级 姓名片段“{SUBSTRING}”", county, PersonFilter(q=SUBSTRING)),
        (f"省级 姓名片段“{name[-2:]}”", province, PersonFilter(q=name[-2:])),
    ]
    from yanglao.people import search

    spelt = search.initials(name)[0]
    cases.append((f"省级 拼音首字母“{spelt}”", province, PersonFilter(q=spelt)))
    phone = crypto.decrypt(sample["phone_cipher"])
    cases.append(("省级 完整电话号码", province, PersonFilter(q=phone)))
    township = sample["region_id"][:9] + "000"
    id_tail = crypto.decrypt(sample["id_number_cipher"])[-4:]
    cases.append(("乡镇内 身份证后4位", province, PersonFilter(q=id_tail, region=township)))
    cases.append(("乡镇内 电话后4位", province, PersonFilter(q=phone[-4:], region=township)))
    for label, user, f in cases:
        found = _page(user, f)
        result.add(label + " 第一页", m(lambda u=user, f=f: _page(u, f)), baseline, f"{found} 行")
        count = selectors.person_count(user=user, f=f)
        result.add(
            label + " 人数",
            m(lambda u=user, f=f: selectors.person_count(user=u, f=f)),
            baseline,
            count.shown,
        )
    everyone = PersonFilter()
    shown = selectors.person_count(user=province, f=everyone).shown
    result.add(
        "省级 全部 人数",
        m(lambda: selectors.person_count(user=province, f=everyone)),
        baseline,
        shown,
    )


def _http(result: Result, user: User, baseline: Timing, runs: int) -> None:
    """Full request of the list page through the middleware stack, if the view exists."""
    from django.conf import settings
    from django.test import Client
    from django.urls import Resolver404, resolve

    try:
        resolve("/people/")
    except Resolver404:
        result.add("HTTP GET /people/（省级）", None, None, "跳过：/people/ 尚未配置")
        say("跳过 HTTP 用例：/people/ 尚未配置")
        return
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from yanglao.accounts.testing import mark_verified

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    mark_verified(client, user)  # the session has passed two-factor login, as a real one
    status: list[int] = []

    for query in ("", f"?q={SUBSTRING}"):

        def get(query: str = query) -> None:
            response = client.get(f"/people/{query}")
            status.append(response.status_code)

        timing = measure(get, runs=runs)
        if status[-1] != 200:
            raise RuntimeError(f"HTTP GET /people/{query} 返回 {status[-1]}，基准无效")
        result.add(f"HTTP GET /people/{query}（省级）", timing, baseline, f"HTTP {status[-1]}")
