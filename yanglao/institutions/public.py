"""What the public sees without logging in (issue 11 part 8): the directory of homes, each
home's public facts, its level and the latest published inspection results, and the 等级评定
in 公示. Institution facts only — never a resident, an operator account or a legal
representative's name (tests/test_public.py asserts it).

Listed: homes that have filed (备案, 养老机构管理办法: the bureau publishes filed homes) and are
operating or suspended; unfiled and closed homes are the county's business (the 无证无照
list), not a directory entry. The directory pages are cached for CACHE_SECONDS so a crawler
or a busy hour costs one query set per minute per filter combination.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet

from yanglao.institutions import rating_rules as rr
from yanglao.institutions.choices import FilingStatus, OperatingStatus, Ownership
from yanglao.institutions.models import Institution, RatingApplication, RatingStatus
from yanglao.regions import codes
from yanglao.regions.models import Region

CACHE_SECONDS = 60
PAGE_SIZE = 20
LISTED_STATUSES = (OperatingStatus.OPERATING, OperatingStatus.SUSPENDED)

# Bed-count bands of the directory filter: key → (label, lowest, highest or None).
BED_BANDS: dict[str, tuple[str, int, int | None]] = {
    "lt50": ("50张以下", 0, 49),
    "50": ("50–99张", 50, 99),
    "100": ("100–199张", 100, 199),
    "200": ("200张及以上", 200, None),
}


@dataclass(frozen=True)
class PublicInspectionResult:
    """One published inspection result of a home (the contract of the inspection module).

    checked_on: the date of the on-site inspection; kind: what it was (e.g. "双随机抽查",
    "专项检查"); conclusion: the published conclusion in Chinese (e.g. "未发现问题",
    "发现问题已责令整改"); findings: number of findings; rectified: all findings closed;
    published_on: when the result was made public (双随机一公开: within 20 working days).
    """

    checked_on: date
    kind: str
    conclusion: str
    findings: int
    rectified: bool
    published_on: date


def public_inspection_results(institution: Institution) -> list[PublicInspectionResult]:
    """The latest PUBLISHED inspection results of `institution`, newest first (at most 5).

    Read from the inspections (supervision_queries.published_results): only results already
    published (抽查结果公告), never a finding's text that could name a resident or staff
    member, never an unpublished inspection. The public page shows them under "检查结果".
    """
    from yanglao.institutions.supervision_queries import published_results

    return [
        PublicInspectionResult(
            checked_on=r.inspected_on,
            kind=f"双随机抽查（{r.plan}）",
            conclusion=r.conclusion,
            findings=len(r.findings),
            rectified=all(f.status == "closed" for f in r.findings),
            published_on=r.published_on,
        )
        for r in published_results(institution)[:5]
    ]


# --- 双随机一公开: the draws, for anyone to re-run (spotcheck.draw) -----------------------------


def draws(today: date) -> list[dict[str, Any]]:
    """Published draws, newest first (at most 50): the plan, its ratio and 文号, the seed, how
    many homes were candidates and the names of those drawn (their results are public too);
    inspectors only as counts and opaque ids (no personal data)."""
    from yanglao.institutions.supervision_queries import public_draws

    found = list(public_draws(today)[:50])
    drawn = {d.pk: [t["home"] for t in d.result.get("tasks", [])] for d in found}
    names = {
        str(k): v
        for k, v in Institution.objects.filter(
            public_id__in=[h for hs in drawn.values() for h in hs]
        ).values_list("public_id", "name")
    }
    return [
        {
            "id": str(d.public_id),
            "plan": d.plan.name,
            "region": d.region.name,
            "year": d.plan.year,
            "ratio": f"{(d.ratio * 100).normalize():f}%",
            "document": d.plan.ratio_document,
            "unconfirmed": d.plan.ratio_unconfirmed,
            "seed": d.seed,
            "drawn_at": d.drawn_at,
            "candidates": len(d.homes),
            "inspectors": len(d.inspectors),
            "tasks": len(d.result.get("tasks", [])),
            "unstaffed": len(d.result.get("unstaffed", [])),
            "drawn": sorted(names.get(h, h) for h in drawn[d.pk]),
        }
        for d in found
    ]


def draw_document(public_id: UUID | str, today: date) -> dict[str, Any] | None:
    """Every input and the result of a published draw (None if not published): what
    `POST /api/v1/inspections/replay` or the steps in docs/institutions.md re-run. Drawn homes
    carry their names (the published results name them too); inspectors are ids only."""
    from yanglao.institutions.supervision_queries import draw_published, public_draws

    d = public_draws(today).filter(public_id=public_id).first()
    if d is None:
        return None
    drawn = [t["home"] for t in d.result.get("tasks", [])]
    names = dict(Institution.objects.filter(public_id__in=drawn).values_list("public_id", "name"))
    return {
        "algorithm": "yanglao.institutions.spotcheck.draw v1",
        "plan": {"name": d.plan.name, "year": d.plan.year, "region": d.region.name},
        "ratio_document": d.plan.ratio_document,
        **draw_published(d),
        "drawn_homes": {str(k): v for k, v in names.items()},
    }


def listed() -> QuerySet[Institution]:
    return Institution.objects.filter(filing_status=FilingStatus.FILED, status__in=LISTED_STATUSES)


@dataclass(frozen=True)
class DirectoryFilters:
    district: str = ""  # county code, 6 digits
    ownership: str = ""
    beds: str = ""  # a BED_BANDS key
    rating: str = ""  # "1".."5", or "none"

    def key(self) -> str:
        return "|".join((self.district, self.ownership, self.beds, self.rating))


def parse_filters(params: Any) -> tuple[DirectoryFilters, list[str]]:
    """Filters from a query string; a bad value is dropped with a Chinese message."""
    errors: list[str] = []

    def pick(name: str, ok: Any, message: str) -> str:
        value = str(params.get(name, "") or "")[:20].strip()
        if value and not ok(value):
            errors.append(message)
            return ""
        return value

    f = DirectoryFilters(
        district=pick(
            "district", lambda v: v.isascii() and v.isdigit() and len(v) == 6, "区县代码应为6位数字"
        ),
        ownership=pick("ownership", lambda v: v in Ownership.values, "请从列表中选择举办性质"),
        beds=pick("beds", lambda v: v in BED_BANDS, "请从列表中选择床位规模"),
        rating=pick(
            "rating", lambda v: v in ("1", "2", "3", "4", "5", "none"), "请从列表中选择等级"
        ),
    )
    return f, errors


def _filtered(f: DirectoryFilters, today: date) -> QuerySet[Institution]:
    qs = listed()
    if f.district:
        low, high = codes.subtree_range(codes.pad(f.district))
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if f.ownership:
        qs = qs.filter(ownership=f.ownership)
    if f.beds:
        _, lo, hi = BED_BANDS[f.beds]
        qs = qs.filter(beds_total__gte=lo)
        if hi is not None:
            qs = qs.filter(beds_total__lte=hi)
    in_force = Q(rating__isnull=False, rating_valid_until__gte=today)
    if f.rating == "none":
        qs = qs.exclude(in_force)
    elif f.rating:
        qs = qs.filter(in_force, rating=int(f.rating))
    return qs.order_by("region_id", "name", "id")


def _places(region_codes: set[str]) -> dict[str, str]:
    """Village code → "县区 街道乡镇" (no village: a small village plus a home's name is
    enough to find the home, but the directory needs only the district)."""
    wanted = set()
    for c in region_codes:
        wanted.add(c[:6].ljust(12, "0"))
        wanted.add(c[:9].ljust(12, "0"))
    names = dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))
    return {
        c: " ".join(
            n for n in (names.get(c[:6].ljust(12, "0")), names.get(c[:9].ljust(12, "0"))) if n
        )
        for c in region_codes
    }


def _fee(low: Any, high: Any) -> str:
    if low is None and high is None:
        return "未公布"
    if low == high or high is None:
        return f"{low:.0f}元/月"
    if low is None:
        return f"最高{high:.0f}元/月"
    return f"{low:.0f}–{high:.0f}元/月"


def _types(i: Institution) -> list[str]:
    out = [i.get_ownership_display(), i.get_profit_display()]
    for flag, label in (
        (i.is_tekun, "特困人员供养服务机构"),
        (i.is_glory, "光荣院"),
        (i.is_regional_center, "区域性养老服务中心"),
    ):
        if flag:
            out.append(label)
    return out


def _card(i: Institution, place: str, today: date) -> dict[str, Any]:
    level = rr.in_force(i.rating, i.rating_valid_until, today)
    return {
        "id": str(i.public_id),
        "name": i.name,
        "types": _types(i),
        "ownership": i.ownership,
        "district": place,
        "address": i.address,
        "status": i.get_status_display(),
        "beds_total": i.beds_total,
        "beds_nursing": i.beds_nursing,
        "beds_dementia": i.beds_dementia,
        "beds_daycare": i.beds_daycare,
        "bed_fee": _fee(i.bed_fee_min, i.bed_fee_max),
        "care_fee": _fee(i.care_fee_min, i.care_fee_max),
        "meal_fee": _fee(i.meal_fee_min, i.meal_fee_max),
        "rating": level,
        "rating_label": rr.LEVEL_LABELS[level] if level else "未评级",
        "rating_valid_until": i.rating_valid_until if level else None,
    }


@dataclass(frozen=True)
class DirectoryPage:
    rows: list[dict[str, Any]]
    count: int
    number: int
    num_pages: int


def directory(f: DirectoryFilters, page: str | int | None, today: date) -> DirectoryPage:
    """One page of the directory (cached CACHE_SECONDS per filters and page)."""
    text = str(page or "")
    number = int(text) if text.isascii() and text.isdigit() else 1
    number = max(1, min(number, 100_000))
    key = "public-dir:" + hashlib.sha256(f"{f.key()}|{number}|{today}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return DirectoryPage(**cached)
    paginator = Paginator(_filtered(f, today), PAGE_SIZE)
    p = paginator.get_page(number)
    homes = list(p.object_list)
    places = _places({i.region_id for i in homes})
    result = DirectoryPage(
        rows=[_card(i, places[i.region_id], today) for i in homes],
        count=paginator.count,
        number=p.number,
        num_pages=paginator.num_pages,
    )
    cache.set(key, asdict(result), CACHE_SECONDS)
    return result


def institution(public_id: UUID | str, today: date) -> dict[str, Any] | None:
    """The public facts of one listed home (None when not listed)."""
    i = listed().filter(public_id=public_id).first()
    if i is None:
        return None
    card = _card(i, _places({i.region_id})[i.region_id], today)
    card["phone"] = i.phone  # the home's own contact number (a business line)
    card["medical"] = i.get_medical_display()
    card["ltc_designated"] = i.ltc_designated
    card["liability_insured"] = i.liability_insured
    card["filed_on"] = i.filed_on
    card["inspections"] = public_inspection_results(i)
    card["rating_history"] = [
        {"on": e.on, "kind": e.get_kind_display(), "level": e.level_after}
        for e in i.rating_events.order_by("-on", "-id")[:10]
    ]
    return card


def districts() -> list[tuple[str, str]]:
    """(county code, name) of the counties that have listed homes (for the filter)."""
    key = "public-dir:districts"
    cached = cache.get(key)
    if cached is None:
        found = {c[:6] for c in listed().values_list("region_id", flat=True).distinct()}
        names = dict(
            Region.objects.filter(code__in=[c.ljust(12, "0") for c in found]).values_list(
                "code", "name"
            )
        )
        cached = sorted((c, names.get(c.ljust(12, "0"), c)) for c in found)
        cache.set(key, cached, CACHE_SECONDS)
    return list(cached)


def in_publicity(today: date) -> list[dict[str, Any]]:
    """等级评定 results in 公示 (published so that anyone may object)."""
    rows = (
        RatingApplication.objects.filter(
            status=RatingStatus.PUBLICITY, publicity_until__gte=today, level__isnull=False
        )
        .select_related("institution")
        .order_by("publicity_until", "id")[:50]
    )
    return [
        {
            "institution": a.institution.name,
            "id": str(a.institution.public_id),
            "level": rr.LEVEL_LABELS[a.level or 1],
            "total": a.expert_total,
            "publicity_from": a.publicity_from,
            "publicity_until": a.publicity_until,
        }
        for a in rows
    ]
