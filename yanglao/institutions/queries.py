"""Indicators of the institution register for the statistics module (issue 11 part 9; issue
13 reads them). Set-based and user-free: each function takes a region code of any level
(2/4/6/9/12 digits) and counts the homes in that subtree with one aggregate query. The caller
(statistics) is responsible for the reader's scope (READ_FIGURES) before calling.

Every indicator is a Ratio (numerator, denominator); `share` is the percentage with one
decimal (None when the denominator is 0). Counted homes: those in operation
(OperatingStatus.OPERATING) — preparing, suspended and closed homes have no beds in service.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from yanglao.institutions import rules
from yanglao.institutions.choices import OperatingStatus, Ownership
from yanglao.institutions.models import Finding, Inspection, Institution
from yanglao.regions import codes


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def share(self) -> Decimal | None:
        return rules.share(self.numerator, self.denominator)


# 长春 plan §19: 护理型床位 ≥ 60 % of the beds of public homes (公办, including 公建民营: the
# premises are public; 待核实 whether Changchun counts 公建民营) by end-2025.
PUBLIC_OWNERSHIPS = (Ownership.PUBLIC, Ownership.PUBLIC_PRIVATE)
NURSING_SHARE_TARGET = rules.NURSING_SHARE_TARGET
# 长春 plan §20: ≥ 500 失智照护 beds by end-2025 (a city target: region code prefix → beds).
DEMENTIA_BED_TARGETS: dict[str, int] = {"2201": 500}


def operating(region_code: str) -> QuerySet[Institution]:
    """Operating homes in the subtree of `region_code` (ValueError on a malformed code)."""
    low, high = codes.subtree_range(codes.pad(region_code))
    return Institution.objects.filter(
        region_id__gte=low, region_id__lte=high, status=OperatingStatus.OPERATING
    )


def _sums(qs: QuerySet[Institution], **exprs: object) -> dict[str, int]:
    row = qs.aggregate(**{k: Coalesce(v, 0) for k, v in exprs.items()})
    return {k: int(v) for k, v in row.items()}


def nursing_bed_share(region_code: str) -> Ratio:
    """护理型床位占比 in public homes: nursing beds / all beds of 公办 and 公建民营 homes."""
    s = _sums(
        operating(region_code).filter(ownership__in=PUBLIC_OWNERSHIPS),
        n=Sum("beds_nursing"),
        d=Sum("beds_total"),
    )
    return Ratio(s["n"], s["d"])


def dementia_beds(region_code: str) -> Ratio:
    """失智照护床位: dementia-care beds / all beds of every operating home (the count itself
    is the numerator; compare it with `dementia_bed_target`)."""
    s = _sums(operating(region_code), n=Sum("beds_dementia"), d=Sum("beds_total"))
    return Ratio(s["n"], s["d"])


def dementia_bed_target(region_code: str) -> int | None:
    """The policy target of dementia-care beds for this region, if one applies to it."""
    return DEMENTIA_BED_TARGETS.get(codes.prefix(codes.pad(region_code)))


def liability_insurance_rate(region_code: str) -> Ratio:
    """责任险投保率: operating homes with 综合责任保险 / operating homes."""
    s = _sums(
        operating(region_code),
        n=Count("id", filter=Q(liability_insured=True)),
        d=Count("id"),
    )
    return Ratio(s["n"], s["d"])


# --- indicators fed by the inspections (issue 11 parts 5–6) ---------------------------------
#
# Read from the inspection tables (Inspection, Finding); statistics.queries groups the same
# querysets by region for the catalogue (ins.inspection_coverage, ins.rectification_on_time).


def inspected_homes(homes: QuerySet[Institution], year: int) -> QuerySet[Institution]:
    """The subset of `homes` with at least one ON-SITE inspection (现场检查, any kind: 双随机,
    专项, 日常) dated in `year`. A subquery on the inspection table, no loop."""
    done = Inspection.objects.filter(institution=OuterRef("pk"), inspected_on__year=year)
    return homes.filter(Exists(done))


# A finding closed by its deadline (the numerator of 整改按期完成率).
CLOSED_ON_TIME = Q(closed_on__isnull=False, closed_on__lte=F("deadline"))


def findings_due(homes: QuerySet[Institution], year: int) -> QuerySet[Finding]:
    """The findings of `homes` whose rectification deadline falls in `year` (the
    denominator of 整改按期完成率; statistics groups it by region)."""
    return Finding.objects.filter(institution__in=homes, deadline__year=year)


def rectifications(homes: QuerySet[Institution], year: int) -> tuple[int, int]:
    """(closed by the deadline, due) over the findings of `homes` whose rectification
    deadline falls in `year`: a finding closed after its deadline, or still open past it,
    counts in `due` only."""
    counts = findings_due(homes, year).aggregate(
        due=Count("id"), on_time=Count("id", filter=CLOSED_ON_TIME)
    )
    return counts["on_time"], counts["due"]


def inspection_coverage(region_code: str, year: int) -> Ratio:
    """Inspection coverage (养老机构管理办法 art. 38 [S]: every home at least one on-site
    inspection a year): operating homes inspected on site in `year` / operating homes."""
    homes = operating(region_code)
    inspected = inspected_homes(homes, year)
    return Ratio(inspected.count(), homes.count())


def rectification_on_time(region_code: str, year: int) -> Ratio:
    """整改按期完成率: rectifications closed by their deadline / rectifications due in `year`,
    over the operating homes of the subtree."""
    on_time, due = rectifications(operating(region_code), year)
    return Ratio(on_time, due)


@dataclass(frozen=True)
class Indicators:
    nursing_bed_share: Ratio
    nursing_share_target: Decimal
    dementia_beds: Ratio
    dementia_bed_target: int | None
    liability_insurance: Ratio
    inspection_coverage: Ratio
    rectification_on_time: Ratio


def indicators(region_code: str, year: int) -> Indicators:
    """All indicators of one region subtree (what the statistics page shows)."""
    return Indicators(
        nursing_bed_share=nursing_bed_share(region_code),
        nursing_share_target=NURSING_SHARE_TARGET,
        dementia_beds=dementia_beds(region_code),
        dementia_bed_target=dementia_bed_target(region_code),
        liability_insurance=liability_insurance_rate(region_code),
        inspection_coverage=inspection_coverage(region_code, year),
        rectification_on_time=rectification_on_time(region_code, year),
    )
