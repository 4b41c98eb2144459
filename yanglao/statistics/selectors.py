"""Reads of the statistics module: snapshots only, never the ledger (issue 13 part 2).

A node is chosen inside the reader's jurisdiction (people.selectors.region_for_browse: 404
outside it); its figures and its children's come from one snapshot version in one or two
indexed lookups, whatever the number of people below it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_FIGURES, user_ranges
from yanglao.assessments import scoring
from yanglao.benefits.choices import StopReason
from yanglao.benefits.models import ServiceItem
from yanglao.community.choices import ServiceCategory
from yanglao.institutions.choices import CareBucket, IncidentKind, Ownership, StaffPost
from yanglao.people import groups
from yanglao.people import selectors as people_selectors
from yanglao.people.choices import AGE_BANDS, Category, Sex
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.statistics import catalogue, rules
from yanglao.statistics.catalogue import Indicator
from yanglao.statistics.models import Snapshot, SnapshotStatus, SnapshotValue
from yanglao.visits.choices import Method

LIVE = (SnapshotStatus.OPEN, SnapshotStatus.FROZEN)
TREND_MONTHS = 12


# --- snapshots ------------------------------------------------------------------------------


def periods() -> list[Snapshot]:
    """The readable version of each period (the highest open or frozen), newest first."""
    tops = (
        Snapshot.objects.filter(status__in=LIVE)
        .values("period")
        .annotate(v=Max("version"))
        .order_by("-period")
    )
    cond = Q()
    for t in tops:
        cond |= Q(period=t["period"], version=t["v"])
    if not tops:
        return []
    return list(Snapshot.objects.filter(cond).order_by("-period"))


def snapshot_for(period: date | None) -> Snapshot | None:
    """The readable version of `period`, or of the newest period when None."""
    qs = Snapshot.objects.filter(status__in=LIVE)
    if period is not None:
        qs = qs.filter(period=period)
    return qs.order_by("-period", "-version").first()


def snapshot_version(period: date, version: int) -> Snapshot | None:
    return Snapshot.objects.filter(period=period, version=version, status__in=LIVE).first()


# --- labels -----------------------------------------------------------------------------------


def breakdown_label(key: str, items: dict[str, str] | None = None) -> str:
    """'sex:F' → '女', 'age:80-89' → '80-89岁', 'item:T1' → the item's name (from `items`,
    read once per page, else looked up) …"""
    if not key:
        return "合计"
    dim, _, value = key.partition(":")
    try:
        if dim == "sex":
            return str(Sex(value).label)
        if dim == "age":
            return f"{value}岁" if value in AGE_BANDS else value
        if dim == "kind":  # GB/T 43153-2023 service category
            return str(ServiceCategory(value).label)
        if dim == "pyr":  # the age pyramid: "75-79/F" → 75-79岁女
            band, _, sex = value.partition("/")
            return f"{band}岁{Sex(sex).label}"
        if dim == "cat":
            if value in groups.LABELS:
                return groups.label(value)
            return str(Category(value).label)
        if dim == "method":
            return str(Method(value).label)
        if dim == "grade":
            return scoring.GRADE_LABELS.get(int(value), f"{value}级")
        if dim == "reason":
            return "其他" if value == "other" else str(StopReason(value).label)
        if dim == "own":
            return str(Ownership(value).label)
        if dim == "care":
            return str(CareBucket(value).label)
        if dim == "post":
            return str(StaffPost(value).label)
        if dim == "incident":
            return str(IncidentKind(value).label)
        if dim == "item":
            return (items if items is not None else _item_names()).get(value, f"清单项目{value}")
    except ValueError:
        pass
    return "其他"


def _item_names() -> dict[str, str]:
    return dict(ServiceItem.objects.order_by("effective_from").values_list("code", "name"))


def format_value(ind: Indicator, numerator: int, denominator: int | None) -> str:
    if ind.is_ratio:
        value = rules.figure(numerator, denominator or 0, ind.factor)
        return "—" if value is None else f"{value}{ind.unit}"
    if ind.money:
        return f"{Decimal(numerator) / 100:,.2f}"
    return f"{numerator:,}"


def numeric_value(ind: Indicator, numerator: int, denominator: int | None) -> float | None:
    if ind.is_ratio:
        value = rules.figure(numerator, denominator or 0, ind.factor)
        return None if value is None else float(value)
    return numerator / 100 if ind.money else float(numerator)


# --- links to the rows behind a figure (each page applies the reader's scope itself) --------


def rows_link(ind: Indicator, region: str, breakdown: str, snap: Snapshot, part: str = "") -> str:
    """The list of people or records behind a figure; "" when no such list exists.
    `part` is "num" for the numerator's own rows where a list can tell them apart."""
    dim, _, value = breakdown.partition(":")
    month = f"{snap.period:%Y-%m}"

    def url(name: str, **params: str) -> str:
        return reverse(name) + "?" + urlencode({k: v for k, v in params.items() if v})

    code = ind.code
    if code == "pop.total":
        return url("people:list", region=region, age_band=value if dim == "age" else "")
    if code == "pop.advanced_share":
        return url("people:list", region=region, category="advanced_age" if part else "")
    if code == "pop.category":
        return url("people:list", region=region, category=value)
    if code == "visit.monthly_rate":
        cat = value if dim == "cat" else "all"
        extra = {"visited": "1"} if part == "num" else {}
        return url("visits:coverage_people", region=region, month=month, category=cat, **extra)
    if code == "visit.records":
        return url("visits:coverage", region=region, month=month)
    if code.startswith("asm."):
        return url("assessments:overview", region=region)
    if code == "ben.gap_closed":
        return url("benefits:applications", region=region, item=value, status="all")
    if code in ("ben.gap_found", "ben.gap_open"):
        new = "1" if code == "ben.gap_found" else ""
        return url("benefits:discovery", region=region, item=value, new=new)
    if code.startswith("ben."):
        return url("benefits:applications", region=region, item=value, status="all")
    if code.startswith("ins."):
        return url(
            "institutions:index",
            region=region,
            ownership=value if dim == "own" else "",
            status="operating",
        )
    return ""


# --- nodes and jurisdiction -------------------------------------------------------------------


def default_node(user: User) -> Region | None:
    roots = people_selectors.browsable_roots(user)
    return roots[0] if roots else None


def node_for(user: User, code: str) -> Region:
    """A node inside the reader's jurisdiction; 404 outside it or when unknown."""
    return people_selectors.region_for_browse(user, code)


def children_of(node: Region) -> list[Region]:
    if node.level >= codes.VILLAGE:
        return []
    return list(node.children.filter(valid_to__isnull=True).order_by("code"))


def ancestors_in_scope(user: User, node: Region) -> list[Region]:
    ranges = user_ranges(user, READ_FIGURES)
    chain = Region.objects.filter(code__in=codes.ancestor_codes(node.code, node.level))
    return [r for r in chain.order_by("level") if any(lo <= r.code <= hi for lo, hi in ranges)]


# --- dashboard data ---------------------------------------------------------------------------


@dataclass
class Cell:
    numerator: int = 0
    denominator: int | None = None


@dataclass
class Figure:
    label: str
    region: str
    breakdown: str
    cell: Cell
    text: str
    value: float | None
    link: str
    num_link: str = ""
    code: str = ""  # the child's region code when the row is a region


@dataclass
class Panel:
    indicator: Indicator
    total: Figure | None
    children: list[Figure] = field(default_factory=list)
    breakdown: list[Figure] = field(default_factory=list)
    trend: list[tuple[str, float | None, str]] = field(default_factory=list)
    target_met: bool | None = None

    @property
    def chart(self) -> dict[str, Any]:
        """What the chart draws (the table behind it shows the same rows)."""
        rows = self.children or self.breakdown
        target = self.indicator.target
        return {
            "title": self.indicator.name,
            "unit": self.indicator.unit,
            "labels": [f.label for f in rows],
            "values": [f.value for f in rows],
            "target": float(target.value) if target else None,
            "trend": {
                "labels": [t[0] for t in self.trend],
                "values": [t[1] for t in self.trend],
            },
        }


def _values(
    snap: Snapshot, indicators: list[str], regions: list[str]
) -> dict[tuple[str, str, str], Cell]:
    rows = SnapshotValue.objects.filter(
        snapshot=snap, indicator__in=indicators, region_code__in=regions
    ).values_list("indicator", "region_code", "breakdown", "numerator", "denominator")
    return {(i, r, b): Cell(n, d) for i, r, b, n, d in rows}


def _figure(
    ind: Indicator, label: str, region: str, key: str, cell: Cell, snap: Snapshot
) -> Figure:
    return Figure(
        label=label,
        region=region,
        breakdown=key,
        cell=cell,
        text=format_value(ind, cell.numerator, cell.denominator),
        value=numeric_value(ind, cell.numerator, cell.denominator),
        link=rows_link(ind, region, key, snap),
        num_link=rows_link(ind, region, key, snap, "num") if ind.is_ratio else "",
    )


def _trend(snap: Snapshot, indicators: list[str], region: str) -> dict[str, list[tuple[str, Cell]]]:
    recent = [s for s in periods() if s.period <= snap.period][:TREND_MONTHS]
    recent.reverse()
    rows = SnapshotValue.objects.filter(
        snapshot__in=recent, indicator__in=indicators, region_code=region, breakdown=""
    ).values_list("snapshot_id", "indicator", "numerator", "denominator")
    found = {(s, i): Cell(n, d) for s, i, n, d in rows}
    out: dict[str, list[tuple[str, Cell]]] = defaultdict(list)
    for s in recent:
        for i in indicators:
            out[i].append((f"{s.period:%Y-%m}", found.get((s.pk, i), Cell())))
    return out


def theme_panels(*, node: Region, snap: Snapshot, theme: str) -> list[Panel]:
    """One panel per indicator of the theme: the node's figure, each child's, the
    disaggregation at the node and the trend over the last months."""
    inds = catalogue.of_theme(theme)
    kids = children_of(node)
    codes_ = [i.code for i in inds]
    cells = _values(snap, codes_, [node.code, *(k.code for k in kids)])
    by_key: dict[tuple[str, str], list[tuple[str, Cell]]] = defaultdict(list)
    for (i, r, b), cell in cells.items():
        if r == node.code and b:
            by_key[(i, r)].append((b, cell))
    trend = _trend(snap, codes_, node.code)
    items = _item_names() if any("item" in i.breakdowns for i in inds) else {}
    panels = []
    for ind in inds:
        if not ind.available:
            panels.append(Panel(ind, None))
            continue
        empty = Cell(0, 0 if ind.is_ratio else None)
        total = _figure(
            ind,
            node.short_name or node.name,
            node.code,
            "",
            cells.get((ind.code, node.code, ""), empty),
            snap,
        )
        children = []
        for k in kids:
            f = _figure(
                ind,
                k.short_name or k.name,
                k.code,
                "",
                cells.get((ind.code, k.code, ""), empty),
                snap,
            )
            f.code = k.code
            children.append(f)
        parts = sorted(by_key.get((ind.code, node.code), []))
        breakdown = [
            _figure(ind, breakdown_label(b, items), node.code, b, cell, snap) for b, cell in parts
        ]
        series = [
            (label, numeric_value(ind, c.numerator, c.denominator)) for label, c in trend[ind.code]
        ]
        met = None
        if ind.target is not None and total.value is not None and total.cell.denominator:
            met = ind.target.met(Decimal(str(total.value)))
        panels.append(
            Panel(
                ind,
                total,
                children,
                breakdown,
                [(lbl, v, "") for lbl, v in series],
                met,
            )
        )
    return panels


# --- the home page -----------------------------------------------------------------------------


def home_figures(user: User) -> dict[str, Any] | None:
    """The home page's figures over the user's jurisdiction from the newest snapshot: total,
    高龄, age bands and categories (the keys of people.selectors.jurisdiction_counts) and the
    snapshot they come from. None when no snapshot exists yet (a new installation)."""
    snap = snapshot_for(None)
    if snap is None:
        return None
    roots = [r.code for r in people_selectors.browsable_roots(user)]
    if not roots:
        return None
    rows = SnapshotValue.objects.filter(
        snapshot=snap,
        region_code__in=roots,
        indicator__in=("pop.total", "pop.advanced_share", "pop.category"),
    ).values_list("indicator", "breakdown", "numerator")
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for ind, key, n in rows:
        sums[(ind, key)] += n
    return {
        "total": sums[("pop.total", "")],
        "advanced_age": sums[("pop.advanced_share", "")],
        "age_bands": {b: sums[("pop.total", f"age:{b}")] for b in AGE_BANDS},
        "categories": {c.label: sums[("pop.category", f"cat:{c.value}")] for c in Category},
        "pyramid": [
            (label, sums[("pop.total", f"pyr:{label}/M")], sums[("pop.total", f"pyr:{label}/F")])
            for label, _, _ in people_selectors.PYRAMID_BANDS
        ],
        "snapshot": snap,
    }


def region_people(regions: list[Region]) -> tuple[dict[str, int], Snapshot] | None:
    """pop.total of each node in the newest snapshot (people.selectors.region_figures), or
    None when no snapshot exists yet. One read of snapvalue_lookup_idx."""
    snap = snapshot_for(None)
    if snap is None:
        return None
    rows = SnapshotValue.objects.filter(
        snapshot=snap,
        indicator="pop.total",
        region_code__in=[r.code for r in regions],
        breakdown="",
    ).values_list("region_code", "numerator")
    return dict(rows), snap


def is_stale(snap: Snapshot, today: date | None = None) -> bool:
    """True when the snapshot is older than a day (the nightly job did not run)."""
    today = today or timezone.localdate()
    return snap.status == SnapshotStatus.OPEN and (today - snap.as_of).days > 1
