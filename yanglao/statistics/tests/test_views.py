"""Dashboards, drill-down, scope, home page, bulletins and the public page."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.core.models import AuditEvent
from yanglao.core.sheets import read_xlsx_bytes
from yanglao.regions.models import Region
from yanglao.statistics import publication, services, snapshot, testing
from yanglao.statistics.models import BulletinStatus, SnapshotValue

PROVINCE = "220000000000"


@pytest.fixture
def world(regions, make_user):
    officer = make_user(Role.PROVINCE_OFFICER, "22")
    w = testing.build(officer)
    snap = snapshot.compute(testing.PERIOD, today=testing.TODAY)
    client = Client()
    client.force_login(officer)
    return w, officer, snap, client


THEMES = ("", "visits/", "assessments/", "benefits/", "institutions/", "services/")


@pytest.mark.parametrize("theme", THEMES)
def test_every_theme_page_answers_from_the_snapshot(world, theme, django_assert_max_num_queries):
    _, _, _, client = world
    with django_assert_max_num_queries(40):
        r = client.get(f"/statistics/{theme}?region={PROVINCE}&period=2026-11")
    assert r.status_code == 200
    body = r.content.decode()
    assert "第1版" in body and "区划" in body


def test_drill_down_to_a_village_and_links_to_people(world):
    w, _, _, client = world
    body = client.get(f"/statistics/?region={w.a}&period=2026-11").content.decode()
    assert "在册老年人数" in body
    assert f"/people/?region={w.a}" in body  # the number links to the people behind it
    visits = client.get(f"/statistics/visits/?region={w.a[:6]}000000").content.decode()
    assert "目标 ≥100" in visits and "民发〔2022〕83号" in visits
    assert "50.0%" in visits  # 南关区: 1 of 2


def test_another_countys_officer_gets_404_outside(world, make_user):
    w, _, _, _ = world
    outsider = make_user(Role.COUNTY_OFFICER, "220204")
    c = Client()
    c.force_login(outsider)
    assert c.get(f"/statistics/?region={w.a}").status_code == 404
    assert c.get("/statistics/?region=220102").status_code == 404
    assert c.get(f"/statistics/?region={w.c}").status_code == 200
    assert c.get("/statistics/?region=２２０１").status_code == 404
    assert c.get("/statistics/?region=22\x00").status_code == 404
    # their own default node is their county, with their own figures
    body = c.get("/statistics/").content.decode()
    assert "船营区" in body


def test_bad_period_falls_back_to_newest(world):
    _, _, _, client = world
    for bad in ("２０２６-１１", "2026-13", "x" * 500, "2026-11\x00"):
        assert client.get(f"/statistics/?period={bad}").status_code == 200


def test_export_is_the_table_behind_the_charts(world):
    _, _, _, client = world
    r = client.get(f"/statistics/export.xlsx?theme=population&region={PROVINCE}&period=2026-11")
    assert r.status_code == 200
    rows = read_xlsx_bytes(b"".join(r.streaming_content))
    assert ["在册老年人数", "pop.total", "吉林省", "5", "", "5"] in [row[:6] for row in rows]


def test_workbench_figures_read_the_snapshot(world):
    """The workbench's figures (loaded under the to-do list) come from the snapshot, the age
    pyramid included (5-year bands by sex, never a live count of the ledger)."""
    client = world[3]
    body = client.get("/figures/").content.decode()
    assert "统计快照 2026-11 第1版" in body
    assert "年龄金字塔" in body


def test_scorecard_ranks_counties_with_reasons(world):
    _, _, _, client = world
    body = client.get(f"/statistics/scorecard/?region={PROVINCE}").content.decode()
    assert "南关区" in body and "船营区" in body
    assert "月探访率 50.0%，未达到目标 100%" in body


def test_bulletin_publish_and_public_page_with_suppression(world, make_user):
    _, officer, snap, client = world
    r = client.post("/statistics/bulletins/", {"region": PROVINCE, "snapshot": snap.pk})
    assert r.status_code == 302
    b = snap.bulletins.get()
    assert b.status == BulletinStatus.DRAFT and b.created_by == officer
    anon = Client()
    assert anon.get(f"/public/statistics/{b.pk}/").status_code == 404  # not yet approved
    assert b.title not in anon.get("/public/statistics/").content.decode()
    # four eyes: the drafter cannot approve; the page says another officer must
    assert (
        "须由本级或上级另一名工作人员审核发布"
        in client.get(f"/statistics/bulletins/{b.pk}/").content.decode()
    )
    client.post(f"/statistics/bulletins/{b.pk}/publish/")
    b.refresh_from_db()
    assert b.status == BulletinStatus.DRAFT and b.approved_by is None
    assert anon.get(f"/public/statistics/{b.pk}/").status_code == 404
    second = make_user(Role.PROVINCE_OFFICER, "22")
    reviewer = Client()
    reviewer.force_login(second)
    reviewer.post(f"/statistics/bulletins/{b.pk}/publish/")
    b.refresh_from_db()
    assert b.status == BulletinStatus.PUBLISHED and b.approved_by == second
    assert AuditEvent.objects.filter(
        action="stats.bulletin_publish", object_id=str(b.pk), actor=second
    ).exists()
    index = anon.get("/public/statistics/").content.decode()
    assert b.title in index
    page = anon.get(f"/public/statistics/{b.pk}/").content.decode()
    assert "统计快照 2026-11 第1版" in page  # traceable to its snapshot version
    # 5 people in the province is shown; 1 in 船营区 is suppressed
    t = publication.tables(b.region, b.snapshot)
    pop = next(line for s in t.sections for line in s.lines if line.indicator.code == "pop.total")
    assert pop.values[0] == "5"
    assert "<5" in pop.values[1:]
    beds = next(line for s in t.sections for line in s.lines if line.indicator.code == "ins.beds")
    assert beds.values[0] == "150"  # beds are not people: never suppressed
    assert "&lt;5" in page
    x = anon.get(f"/public/statistics/{b.pk}/bulletin.xlsx")
    rows = read_xlsx_bytes(x.content)
    assert any("第1版" in c for row in rows for c in row)
    pdf = anon.get(f"/public/statistics/{b.pk}/bulletin.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_bulletin_needs_a_frozen_snapshot_and_a_county_or_above(world):
    w, officer, _, _ = world
    open_snap = snapshot.compute(date(2026, 12, 1), today=testing.TODAY)
    with pytest.raises(services.BulletinInvalid):
        services.bulletin_create(
            actor=officer, region=Region.objects.get(code=PROVINCE), snapshot=open_snap
        )
    frozen = snapshot.latest(testing.PERIOD)
    assert frozen is not None
    with pytest.raises(services.BulletinInvalid):
        services.bulletin_create(
            actor=officer, region=Region.objects.get(code=w.a), snapshot=frozen
        )


def test_snapshot_page_and_on_demand_run(world, make_user):
    _, _, _, client = world
    r = client.post("/statistics/snapshots/run/", {"period": "2026-11"})
    assert r.status_code == 302
    body = client.get("/statistics/snapshots/").content.decode()
    assert "第2版" in body
    village_worker = make_user(Role.VISIT_WORKER, "220102001001")
    c = Client()
    c.force_login(village_worker)
    assert c.post("/statistics/snapshots/run/", {"period": "2026-11"}).status_code == 403


def test_quarterly_bulletin_adds_flows_and_takes_states_from_the_last_month(world, make_user):
    _, officer, nov, client = world
    after = date(2027, 1, 10)  # October to December are all closed: frozen versions
    oct_ = snapshot.compute(date(2026, 10, 1), today=after)
    dec = snapshot.compute(date(2026, 12, 1), today=after)
    province = Region.objects.get(code=PROVINCE)
    # only the last month of a quarter, and only once its three months are frozen
    with pytest.raises(services.BulletinInvalid) as no_end:
        services.bulletin_create(actor=officer, region=province, snapshot=nov, kind="quarter")
    assert "季度的最后一个月" in str(no_end.value.errors)
    with pytest.raises(services.BulletinInvalid):
        services.bulletin_create(actor=officer, region=province, snapshot=dec, kind="yearly")
    # three visits in October (in the frozen figures), whatever the fixture holds
    SnapshotValue.objects.update_or_create(
        snapshot=oct_,
        indicator="visit.records",
        region_code=PROVINCE,
        breakdown="",
        defaults={"level": 1, "numerator": 3, "denominator": None},
    )
    SnapshotValue.objects.filter(  # a state that must not be added up
        snapshot=oct_, indicator="pop.total", region_code=PROVINCE, breakdown=""
    ).update(numerator=100)
    r = client.post(
        "/statistics/bulletins/", {"region": PROVINCE, "snapshot": dec.pk, "kind": "quarter"}
    )
    assert r.status_code == 302
    b = dec.bulletins.get(kind="quarter")
    assert b.title == "吉林省2026年第4季度基本养老服务统计季报"
    assert b.sources == [oct_.pk, nov.pk, dec.pk]
    t = publication.bulletin_tables(b)
    assert "2026-10 第1版、2026-11 第1版、2026-12 第1版" in t.source

    def line(code: str) -> list[str]:
        return next(x.values for s in t.sections for x in s.lines if x.indicator.code == code)

    def value(snap, code: str) -> int:
        v = SnapshotValue.objects.filter(
            snapshot=snap, indicator=code, region_code=PROVINCE, breakdown=""
        ).first()
        return (v.numerator or 0) if v else 0

    visits = sum(value(s, "visit.records") for s in (oct_, nov, dec))
    assert visits == 3 + value(nov, "visit.records") + value(dec, "visit.records")
    assert line("visit.records")[0] == str(visits)  # what happened: the three months added
    people = value(dec, "pop.total")
    assert people < 100
    assert line("pop.total")[0] == (str(people) if people >= 5 else "<5")  # state: December's
    # a monthly bulletin of the same month is a different bulletin; the quarter's is unique
    services.bulletin_create(actor=officer, region=province, snapshot=dec)
    with pytest.raises(services.BulletinInvalid):
        services.bulletin_create(actor=officer, region=province, snapshot=dec, kind="quarter")
    page = client.get("/statistics/bulletins/").content.decode()
    assert "季报" in page and "第4季度" in page


def test_region_pages_read_people_counts_from_the_snapshot(world, make_user):
    """Issue 16: the 区划 page counts from the snapshot, not the ledger. The snapshot of
    2026-11 (as of 11-30) still holds P4, who died on 12-10, so it says 4 under 南关区 where a
    live count would say 3; and the page reads no person row at all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w, _, _, client = world
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/regions/220102000000/").content.decode()
    assert not [q["sql"] for q in ctx.captured_queries if "people_person" in q["sql"]]
    assert "在册老年人 <strong>4</strong> 人" in body
    assert "人数取自统计快照 2026-11 第1版 · 数据截止 2026-11-30" in body
    town_a = Region.objects.get(code=w.a[:9] + "000")
    assert f'{town_a.name}</a></td>\n<td data-label="在册老年人">3</td>' in body
    # A county officer sees the same figures for their own county and 404 elsewhere.
    county = make_user(Role.COUNTY_OFFICER, "220102")
    c = Client()
    c.force_login(county)
    assert "在册老年人 <strong>4</strong> 人" in c.get("/regions/220102000000/").content.decode()
    assert c.get("/regions/220204000000/").status_code == 404
    assert c.get(f"/regions/{w.c}/").status_code == 404


def test_region_pages_count_live_before_the_first_snapshot(regions, make_user):
    officer = make_user(Role.PROVINCE_OFFICER, "22")
    testing.build(officer)
    client = Client()
    client.force_login(officer)
    body = client.get("/regions/220102000000/").content.decode()
    assert "在册老年人 <strong>3</strong> 人" in body  # P1, P2, P5: alive today
    assert "尚无统计快照，人数为实时统计" in body


def test_region_browse_of_several_roots_reads_the_snapshot(world, make_user):
    w, _, _, _ = world
    both = make_user(Role.TOWNSHIP_OFFICER, w.a[:9])
    from yanglao.accounts.models import Jurisdiction

    Jurisdiction.objects.create(user=both, region_id=w.c[:9] + "000", mode="edit")
    c = Client()
    c.force_login(both)
    body = c.get("/regions/").content.decode()
    assert "人数取自统计快照 2026-11 第1版" in body
    assert body.count('data-label="在册老年人">') == 2
    assert 'data-label="在册老年人">3</td>' in body and 'data-label="在册老年人">1</td>' in body
