"""Each indicator's numerator and denominator against the hand-computed world of
statistics.testing, at every level of the tree; freezing and versioning."""

from __future__ import annotations

from datetime import date

import pytest

from yanglao.accounts.roles import Role
from yanglao.people.models import Person
from yanglao.statistics import snapshot, testing
from yanglao.statistics.models import Snapshot, SnapshotChange, SnapshotStatus, SnapshotValue

NANGUAN, CHUANYING, CHANGCHUN, PROVINCE = (
    "220102000000",
    "220204000000",
    "220100000000",
    "220000000000",
)


@pytest.fixture
def world(regions, make_user):
    officer = make_user(Role.PROVINCE_OFFICER, "22")
    return testing.build(officer)


def values(snap: Snapshot) -> dict[tuple[str, str, str], tuple[int, int | None]]:
    return {
        (v.indicator, v.region_code, v.breakdown): (v.numerator, v.denominator)
        for v in SnapshotValue.objects.filter(snapshot=snap)
    }


def test_every_indicator_matches_the_hand_computed_world(world):
    snap = snapshot.compute(testing.PERIOD, today=testing.TODAY)
    v = values(snap)
    a, b, c = world.a, world.b, world.c
    town_a = a[:9] + "000"
    # population: P1 P2 P4 in A (P3 died before the month's end), P5 in B, P6 in C
    assert v[("pop.total", a, "")] == (3, None)
    assert v[("pop.total", town_a, "")] == (3, None)
    assert v[("pop.total", NANGUAN, "")] == (4, None)
    assert v[("pop.total", CHANGCHUN, "")] == (4, None)
    assert v[("pop.total", CHUANYING, "")] == (1, None)
    assert v[("pop.total", PROVINCE, "")] == (5, None)
    assert v[("pop.total", PROVINCE, "sex:F")] == (2, None)
    assert v[("pop.total", PROVINCE, "sex:M")] == (3, None)
    assert v[("pop.total", PROVINCE, "age:60-69")] == (1, None)
    assert v[("pop.total", PROVINCE, "age:70-79")] == (2, None)
    assert v[("pop.total", PROVINCE, "age:80-89")] == (2, None)
    assert ("pop.total", PROVINCE, "age:90+") not in v
    assert v[("pop.advanced_share", PROVINCE, "")] == (2, 5)
    assert v[("pop.advanced_share", b, "")] == (1, 1)
    assert v[("pop.category", PROVINCE, "cat:extreme_poverty")] == (1, None)
    assert v[("pop.category", b, "cat:minimum_living")] == (1, None)
    assert ("pop.category", PROVINCE, "cat:living_alone") not in v
    # visits: roster P1 (A) and P5 (B); only P1's door visit counts
    assert v[("visit.monthly_rate", a, "")] == (1, 1)
    assert v[("visit.monthly_rate", b, "")] == (0, 1)
    assert v[("visit.monthly_rate", NANGUAN, "")] == (1, 2)
    assert v[("visit.monthly_rate", PROVINCE, "cat:extreme_poverty")] == (1, 1)
    assert v[("visit.monthly_rate", PROVINCE, "cat:advanced_age")] == (1, 2)
    assert v[("visit.records", PROVINCE, "")] == (2, None)
    assert v[("visit.records", a, "method:door")] == (1, None)
    assert v[("visit.records", a, "method:phone")] == (1, None)
    # assessments
    assert v[("asm.done", PROVINCE, "")] == (1, None)
    assert v[("asm.done", a, "grade:2")] == (1, None)
    assert v[("asm.overdue", PROVINCE, "")] == (1, 2)
    assert v[("asm.overdue", c, "")] == (1, 1)
    assert v[("asm.overdue", a, "")] == (0, 1)
    # benefits: P1 receives T1; P5's T1 stopped in November (death); P2 found for T2
    assert v[("ben.recipients", a, "item:T1")] == (1, None)
    assert v[("ben.recipients", PROVINCE, "")] == (1, None)
    assert v[("ben.stops", b, "reason:death")] == (1, None)
    assert v[("ben.stops", PROVINCE, "")] == (1, None)
    assert v[("ben.gap_found", a, "item:T2")] == (1, None)
    assert v[("ben.gap_open", PROVINCE, "")] == (1, None)
    assert v[("ben.gap_closed", PROVINCE, "")] == (1, None)  # P1 applied; P3 lapsed
    assert v[("ben.gap_closed", a, "item:T2")] == (1, None)
    assert ("ben.new_recipients", PROVINCE, "") not in v
    assert ("ben.amount", PROVINCE, "") not in v
    # institutions
    assert v[("ins.homes", PROVINCE, "")] == (2, None)
    assert v[("ins.homes", PROVINCE, "own:public")] == (1, None)
    assert v[("ins.beds", PROVINCE, "")] == (150, None)
    assert v[("ins.beds", c, "own:private")] == (50, None)
    assert v[("ins.nursing_share", PROVINCE, "")] == (70, 100)
    assert ("ins.nursing_share", CHUANYING, "") not in v  # no public home there
    assert v[("ins.inspection_coverage", PROVINCE, "")] == (0, 2)
    assert v[("ins.dementia_beds", PROVINCE, "")] == (25, None)
    assert v[("ins.dementia_beds", CHUANYING, "")] == (5, None)
    assert v[("ins.liability_rate", PROVINCE, "")] == (1, 2)
    assert v[("ins.liability_rate", NANGUAN, "")] == (1, 1)
    assert v[("ins.liability_rate", CHUANYING, "")] == (0, 1)
    # institutions' monthly reports: November shows October's (the September one is not shown)
    assert v[("ins.report_homes", PROVINCE, "")] == (1, None)
    assert ("ins.report_homes", CHUANYING, "") not in v
    assert v[("ins.report_residents", PROVINCE, "")] == (40, None)
    assert v[("ins.report_residents", a, "care:moderate")] == (30, None)
    assert v[("ins.report_residents", NANGUAN, "care:severe")] == (10, None)
    assert ("ins.report_residents", PROVINCE, "care:intact") not in v
    assert v[("ins.report_staff", PROVINCE, "")] == (14, None)
    assert v[("ins.report_staff", PROVINCE, "post:carer")] == (12, None)
    assert v[("ins.report_incidents", PROVINCE, "")] == (3, None)
    assert v[("ins.report_incidents", CHANGCHUN, "incident:fall")] == (2, None)
    # levels are stored with each node
    row = SnapshotValue.objects.get(
        snapshot=snap, indicator="pop.total", region_code=a, breakdown=""
    )
    assert row.level == 5
    assert snap.status == SnapshotStatus.FROZEN and snap.version == 1


def test_open_period_is_replaced_then_frozen_then_versioned(world):
    # While November runs: one open version, replaced by each run.
    first = snapshot.compute(testing.PERIOD, today=date(2026, 11, 20))
    assert first.status == SnapshotStatus.OPEN and first.version == 1
    again = snapshot.compute(testing.PERIOD, today=date(2026, 11, 21))
    assert again.version == 1 and not Snapshot.objects.filter(pk=first.pk).exists()
    # The first run after the month closes freezes it (still version 1, nothing to compare).
    frozen = snapshot.compute(testing.PERIOD, today=testing.TODAY)
    assert frozen.status == SnapshotStatus.FROZEN and frozen.version == 1
    assert Snapshot.objects.filter(period=testing.PERIOD).count() == 1
    # A late correction, then a recomputation: version 2 says what changed; version 1 stays.
    Person.objects.filter(pk=world.people["P6"].pk).update(sex="F")
    v2 = snapshot.compute(testing.PERIOD, today=date(2026, 12, 28))
    assert v2.version == 2 and v2.status == SnapshotStatus.FROZEN
    assert snapshot.latest(testing.PERIOD) == v2
    changes = {
        (c.indicator, c.region_code, c.breakdown): (c.old_numerator, c.new_numerator)
        for c in SnapshotChange.objects.filter(snapshot=v2)
    }
    assert changes[("pop.total", PROVINCE, "sex:F")] == (2, 3)
    assert changes[("pop.total", PROVINCE, "sex:M")] == (3, 2)
    assert changes[("pop.total", world.c, "sex:M")] == (1, None)  # removed
    assert ("pop.total", PROVINCE, "") not in changes
    assert v2.changed == len(changes)
    old = values(frozen)
    assert old[("pop.total", PROVINCE, "sex:F")] == (2, None)  # frozen figures unchanged


def test_nightly_freezes_a_closed_month_once(world):
    snapshot.compute(testing.PERIOD, today=date(2026, 11, 30))
    done = snapshot.nightly(today=date(2026, 12, 7))
    assert [(s.period, s.status) for s in done] == [
        (date(2026, 11, 1), SnapshotStatus.FROZEN),
        (date(2026, 12, 1), SnapshotStatus.OPEN),
    ]
    done = snapshot.nightly(today=date(2026, 12, 8))
    assert [s.period for s in done] == [date(2026, 12, 1)]
    assert Snapshot.objects.filter(period=testing.PERIOD).count() == 1
