"""Table tests of the 双随机 draw and the deadlines (spotcheck.py: pure, no database)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from yanglao.institutions import checklists, spotcheck
from yanglao.institutions.spotcheck import DrawError, DrawInput, draw, homes_to_draw

HOMES = tuple(f"h{n:03d}" for n in range(40))
INSPECTORS = tuple(f"i{n:02d}" for n in range(9))


def inp(**kw: object) -> DrawInput:
    base: dict[str, object] = {
        "homes": HOMES,
        "inspectors": INSPECTORS,
        "ratio": Decimal("0.25"),
        "seed": "2026-南关区-1",
    }
    base.update(kw)
    return DrawInput(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("candidates", "ratio", "expected"),
    [
        (0, "0.05", 0),  # nothing to draw
        (1, "0.05", 1),  # at least one
        (19, "0.05", 1),  # 0.95 rounds up
        (20, "0.05", 1),  # exactly 1
        (21, "0.05", 2),  # 1.05 rounds up
        (40, "0.25", 10),
        (41, "0.25", 11),
        (750, "0.05", 38),  # a province: 37.5 → 38
        (10, "1", 10),  # all
        (3, "0.9999", 3),  # never more than all
    ],
)
def test_homes_to_draw_rounds_up_at_boundaries(candidates: int, ratio: str, expected: int) -> None:
    assert homes_to_draw(candidates, Decimal(ratio)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.05", Decimal("0.05")),
        ("5%", Decimal("0.05")),
        ("５％", Decimal("0.05")),
        ("1", Decimal(1)),
        ("100%", Decimal(1)),
    ],
)
def test_parse_ratio(raw: str, expected: Decimal) -> None:
    assert spotcheck.parse_ratio(raw) == expected


@pytest.mark.parametrize(
    "raw", ["0", "-0.1", "1.01", "101%", "abc", "NaN", "Infinity", "", "5\x00"]
)
def test_parse_ratio_refuses(raw: str) -> None:
    with pytest.raises(DrawError):
        spotcheck.parse_ratio(raw)


def test_same_seed_same_result_whatever_the_input_order() -> None:
    a = draw(inp())
    b = draw(inp(homes=tuple(reversed(HOMES)) + HOMES[:3], inspectors=INSPECTORS[::-1]))
    assert a == b
    assert a.count == 10 and len(a.tasks) == 10


def test_different_seed_differs() -> None:
    results = {draw(inp(seed=f"s{n}")).tasks for n in range(5)}
    assert len(results) == 5


def test_result_follows_the_published_algorithm() -> None:
    """An outsider's re-implementation from docs/institutions.md gives the same result."""
    data = inp(conflicts=frozenset({("i00", "h001")}))
    rng = random.Random(data.seed)
    homes = sorted(set(data.homes))
    drawn = rng.sample(homes, 10)
    load = dict.fromkeys(sorted(data.inspectors), 0)
    expected = []
    for h in drawn:
        eligible = [i for i in sorted(data.inspectors) if (i, h) not in data.conflicts]
        rng.shuffle(eligible)
        eligible.sort(key=lambda i: load[i])
        team = tuple(sorted(eligible[:2]))
        for i in team:
            load[i] += 1
        expected.append((h, team))
    assert [(t.home, t.inspectors) for t in draw(data).tasks] == expected


def test_every_task_has_two_distinct_inspectors_and_load_is_even() -> None:
    r = draw(inp(ratio=Decimal(1)))
    assert all(len(set(t.inspectors)) == 2 for t in r.tasks)
    counts: dict[str, int] = {}
    for t in r.tasks:
        for i in t.inspectors:
            counts[i] = counts.get(i, 0) + 1
    assert max(counts.values()) - min(counts.values()) <= 1  # 80 places over 9 inspectors


@pytest.mark.parametrize("per_task", [2, 3, 5])
def test_team_size(per_task: int) -> None:
    assert all(len(t.inspectors) == per_task for t in draw(inp(per_task=per_task)).tasks)


@pytest.mark.parametrize("per_task", [0, 1, 6])
def test_team_size_out_of_range_refused(per_task: int) -> None:
    with pytest.raises(DrawError):
        draw(inp(per_task=per_task))


def test_conflicts_of_interest_are_honoured() -> None:
    # Every inspector but i07 and i08 is linked to every home: only they may go anywhere.
    conflicts = frozenset((i, h) for i in INSPECTORS[:7] for h in HOMES)
    r = draw(inp(conflicts=conflicts))
    assert all(t.inspectors == ("i07", "i08") for t in r.tasks)
    assert not any((i, t.home) in conflicts for t in r.tasks for i in t.inspectors)


def test_home_without_enough_free_inspectors_is_unstaffed_not_forced() -> None:
    conflicts = frozenset((i, h) for i in INSPECTORS[:8] for h in HOMES)  # only i08 is free
    r = draw(inp(conflicts=conflicts))
    assert r.tasks == () and len(r.unstaffed) == r.count == 10


def test_too_few_inspectors_refused() -> None:
    with pytest.raises(DrawError):
        draw(inp(inspectors=("i00",)))


def test_no_homes_draws_nothing() -> None:
    r = draw(inp(homes=()))
    assert r.count == 0 and r.tasks == ()


@pytest.mark.parametrize(
    ("inspected", "due"),
    [
        (date(2026, 11, 2), date(2026, 11, 30)),  # Monday → 4 weeks later
        (date(2026, 11, 6), date(2026, 12, 4)),  # Friday
        (date(2026, 11, 7), date(2026, 12, 4)),  # Saturday counts from Monday
    ],
)
def test_publication_due_is_20_working_days(inspected: date, due: date) -> None:
    assert spotcheck.publish_due(inspected) == due


def test_publication_due_skips_holidays() -> None:
    assert spotcheck.publish_due(date(2026, 11, 2), exceptions={date(2026, 11, 3): False}) == date(
        2026, 12, 1
    )


@pytest.mark.parametrize(
    ("published", "today", "late"),
    [
        (None, date(2026, 11, 30), False),  # due day itself: still in time
        (None, date(2026, 12, 1), True),
        (date(2026, 11, 30), date(2027, 1, 1), False),
        (date(2026, 12, 1), date(2026, 12, 1), True),
    ],
)
def test_publication_late(published: date | None, today: date, late: bool) -> None:
    assert spotcheck.publication_late(date(2026, 11, 2), published, today) is late


@pytest.mark.parametrize(
    ("today", "closed", "overdue"),
    [
        (date(2026, 12, 1), False, False),
        (date(2026, 12, 2), False, True),
        (date(2026, 12, 2), True, False),
    ],
)
def test_rectification_overdue(today: date, closed: bool, overdue: bool) -> None:
    assert spotcheck.rectification_overdue(date(2026, 12, 1), closed, today) is overdue


def test_checklists_have_the_nine_protections_and_unique_codes() -> None:
    nine = [c for c in checklists.GB38600.clauses if c.section.startswith("服务防护")]
    names = "".join(c.text for c in nine)
    for risk in ("噎食", "误食", "压疮", "烫伤", "坠床", "跌倒", "走失", "他伤和自伤", "文体活动"):
        assert risk in names
    assert len(nine) == 9
    all_codes = [cl.code for c in checklists.CHECKLISTS.values() for cl in c.clauses]
    assert len(all_codes) == len(set(all_codes)) == len(checklists.CLAUSES)
