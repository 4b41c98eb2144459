"""Performance evaluation (综合绩效评估, issue 13 part 6): a scorecard per county from
weighted indicators, and a ranking with each score's reasons.

The weights are policy data: WEIGHTS below, with the document they come from. Until a
province issues its own evaluation scheme the weights follow the priorities the Jilin
replies and the national guidance name (探访关爱 first, then institutions' care capacity,
assessments and inspections); a scheme with a 文号 replaces the tuple, and each scorecard
shows the scheme it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.statistics import catalogue, rules
from yanglao.statistics.models import Snapshot, SnapshotValue


@dataclass(frozen=True)
class Weight:
    indicator: str
    weight: Decimal


SCHEME = "基本养老服务综合绩效评估（试行权重，待省级文件确定）"
WEIGHTS: tuple[Weight, ...] = (
    Weight("visit.monthly_rate", Decimal(40)),
    Weight("ins.nursing_share", Decimal(20)),
    Weight("ins.inspection_coverage", Decimal(20)),
    Weight("asm.overdue", Decimal(20)),
)


@dataclass
class Card:
    region: Region
    scores: list[rules.Score]
    rank: int = 0

    @property
    def total(self) -> Decimal:
        return sum((s.points for s in self.scores), Decimal(0))

    @property
    def full(self) -> Decimal:
        return sum((s.weight for s in self.scores), Decimal(0))


def counties_under(node: Region) -> list[Region]:
    if node.level >= codes.COUNTY:
        county = node if node.level == codes.COUNTY else None
        if county is None:
            county = Region.objects.filter(code=node.code[:6].ljust(12, "0")).first()
        return [county] if county else []
    low, high = node.subtree
    return list(
        Region.objects.filter(
            level=codes.COUNTY, code__gte=low, code__lte=high, valid_to__isnull=True
        ).order_by("code")
    )


def cards(node: Region, snap: Snapshot) -> list[Card]:
    """Every county under `node` scored and ranked (ties share a rank)."""
    counties = counties_under(node)
    rows = SnapshotValue.objects.filter(
        snapshot=snap,
        indicator__in=[w.indicator for w in WEIGHTS],
        region_code__in=[c.code for c in counties],
        breakdown="",
    ).values_list("indicator", "region_code", "numerator", "denominator")
    cells = {(i, r): (n, d) for i, r, n, d in rows}
    out = []
    for county in counties:
        scores = []
        for w in WEIGHTS:
            ind = catalogue.BY_CODE[w.indicator]
            assert ind.target is not None
            n, d = cells.get((w.indicator, county.code), (0, 0))
            value = rules.figure(n, d or 0, ind.factor)
            scores.append(
                rules.score(
                    indicator=ind.code,
                    name=ind.name,
                    weight=w.weight,
                    value=value,
                    target=ind.target.value,
                    at_least=ind.target.at_least,
                    unit=ind.unit,
                )
            )
        out.append(Card(county, scores))
    out.sort(key=lambda c: (-c.total, c.region.code))
    rank, last = 0, None
    for i, card in enumerate(out, 1):
        if card.total != last:
            rank, last = i, card.total
        card.rank = rank
    return out
