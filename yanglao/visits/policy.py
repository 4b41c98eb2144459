"""Visit policy in force: rows from the database resolved with the pure rules.

Policy rows are few (a handful per region level that sets any), so they are read whole and
resolved in Python. A *zone* is a region node that has rows of its own; the people of a
zone's code range, minus deeper zones, share one resolved policy, which lets the set-based
task generation and coverage queries run one statement per zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yanglao.regions import codes
from yanglao.visits import rules
from yanglao.visits.models import CountingRule, FrequencyRule

NATIONAL_FROM = date(2022, 10, 1)


def ensure_national_defaults() -> int:
    """The shipped national floor as rows (migration 0002 writes the same); idempotent.

    For databases emptied after migrating (test flushes, a restored dump without them)."""
    created = 0
    for target, period in rules.DEFAULT_FREQUENCY.items():
        _, new = FrequencyRule.objects.get_or_create(
            region=None,
            target=target,
            effective_from=NATIONAL_FROM,
            defaults={"period": period, "document_no": rules.DEFAULT_DOCUMENT},
        )
        created += new
    _, new = CountingRule.objects.get_or_create(
        region=None,
        effective_from=NATIONAL_FROM,
        defaults={"methods": sorted(rules.DEFAULT_COUNTING), "document_no": rules.DEFAULT_DOCUMENT},
    )
    return created + new


def frequency_rows() -> list[rules.FrequencyRow]:
    return [
        rules.FrequencyRow(r, t, p, e)
        for r, t, p, e in FrequencyRule.objects.values_list(
            "region_id", "target", "period", "effective_from"
        )
    ]


def counting_rows() -> list[rules.CountingRow]:
    return [
        rules.CountingRow(r, frozenset(m), e)
        for r, m, e in CountingRule.objects.values_list("region_id", "methods", "effective_from")
    ]


def chain(code12: str | None, *, include_self: bool = True) -> list[str | None]:
    """None (national), then each ancestor, then (optionally) the node itself."""
    if code12 is None:
        return [None]
    return [None, *codes.ancestor_codes(code12), *([code12] if include_self else [])]


def periods_for(code12: str | None, on: date, *, include_self: bool = True) -> dict[str, str]:
    return rules.effective_periods(frequency_rows(), chain(code12, include_self=include_self), on)


def methods_for(code12: str | None, on: date, *, include_self: bool = True) -> frozenset[str]:
    return rules.effective_methods(counting_rows(), chain(code12, include_self=include_self), on)


@dataclass(frozen=True)
class Zone:
    code: str | None  # None = everything not under a deeper zone
    low: str
    high: str
    excluded: tuple[tuple[str, str], ...]  # ranges of deeper zones inside this one
    periods: dict[str, str]
    methods: frozenset[str]

    def sql(self, column: str) -> tuple[str, list[str]]:
        """WHERE fragment selecting this zone's rows by region code, with its parameters."""
        parts = [f"{column} BETWEEN %s AND %s"]
        params = [self.low, self.high]
        for lo, hi in self.excluded:
            parts.append(f"NOT ({column} BETWEEN %s AND %s)")
            params += [lo, hi]
        return " AND ".join(parts), params


def zones(on: date, within: tuple[str, str] = ("000000000000", "999999999999")) -> list[Zone]:
    """Zones overlapping the code range `within`, each with its resolved policy on `on`."""
    f_rows, c_rows = frequency_rows(), counting_rows()
    nodes = sorted({r.region for r in f_rows if r.region} | {r.region for r in c_rows if r.region})
    ranges = {n: codes.subtree_range(n) for n in nodes}
    out: list[Zone] = []
    for node in [None, *nodes]:
        low, high = ranges[node] if node else ("000000000000", "999999999999")
        if high < within[0] or low > within[1]:
            continue
        deeper = tuple(
            ranges[n] for n in nodes if n != node and low <= ranges[n][0] and ranges[n][1] <= high
        )
        # Only the outermost deeper zones need excluding; nested ones lie inside them.
        outer = tuple(
            r for r in deeper if not any(o != r and o[0] <= r[0] and r[1] <= o[1] for o in deeper)
        )
        out.append(
            Zone(
                node,
                max(low, within[0]),
                min(high, within[1]),
                outer,
                rules.effective_periods(f_rows, chain(node), on),
                rules.effective_methods(c_rows, chain(node), on),
            )
        )
    return out
