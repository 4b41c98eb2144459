"""The only code that reads the ledger for users; every query starts from `scoped()`."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import BooleanField, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_FIGURES, READ_RECORDS, scoped, user_ranges
from yanglao.core import crypto
from yanglao.people import groups, search
from yanglao.people.choices import (
    ADVANCED_AGE,
    AGE_BANDS,
    DEMENTIA_FILTER,
    KEY_GROUP_FILTER,
    Category,
    LifeStatus,
    Sex,
)
from yanglao.people.models import Dementia, Disability, Person, PersonCategory, tail_lookup
from yanglao.people.rules import ADVANCED_AGE as ADVANCED_AGE_YEARS
from yanglao.people.rules import birth_range_for_age
from yanglao.regions import codes
from yanglao.regions.models import Region

PAGE_SIZE = 50


@dataclass
class PersonFilter:
    region: str = ""  # padded code of any node
    category: str = ""  # a Category value or "advanced_age"
    age_band: str = ""
    life_status: str = LifeStatus.ALIVE  # "" for all
    q: str = ""  # the search box (people.search.parse)


def active_tag(category: str, on: date) -> Exists:
    return Exists(
        PersonCategory.objects.filter(
            person=OuterRef("pk"), category=category, start_date__lte=on
        ).filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
    )


def _age_filter(low: int, high: int | None, on: date) -> Q:
    earliest, latest = birth_range_for_age(low, high, on)
    cond = Q(birth_date__lte=latest)
    if earliest is not None:
        cond &= Q(birth_date__gte=earliest)
    return cond


def apply_filter(qs: QuerySet[Person], f: PersonFilter, on: date, user: User) -> QuerySet[Person]:
    if f.region:
        low, high = codes.subtree_range(f.region)
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if f.life_status:
        qs = qs.filter(life_status=f.life_status)
    if f.category == ADVANCED_AGE:
        qs = qs.filter(_age_filter(ADVANCED_AGE_YEARS, None, on))
    elif f.category == KEY_GROUP_FILTER:
        qs = qs.filter(groups.q(on))
    elif f.category == DEMENTIA_FILTER:
        qs = qs.filter(dementia_held(on))
    elif f.category == Category.SEVERE_DISABILITY:  # derived from the disability record
        qs = qs.filter(groups.q(on, [Category.SEVERE_DISABILITY]))
    elif f.category in Category.values:
        qs = qs.filter(active_tag(f.category, on))
    if f.age_band in AGE_BANDS:
        qs = qs.filter(_age_filter(*AGE_BANDS[f.age_band], on))
    return _search(qs, search.parse(f.q), search_narrow_enough(user, f))


def _tokens_held(tokens: list[str]) -> Q | RawSQL:
    """Rows whose search_keys hold every token: on PostgreSQL the expression of the GIN index
    person_search_keys_gin (migration 0006), elsewhere LIKE on the padded column."""
    if connection.vendor == "postgresql":
        table = Person._meta.db_table
        return RawSQL(
            f"string_to_array({table}.search_keys, ' ') @> %s::text[]",
            (tokens,),
            output_field=BooleanField(),
        )
    cond = Q()
    for t in tokens:
        cond &= Q(search_keys__contains=f" {t} ")
    return cond


def _narrow(low: str, high: str) -> bool:
    """The code range lies inside one township (or one village)."""
    return low[: codes.PREFIX_LEN[codes.TOWNSHIP]] == high[: codes.PREFIX_LEN[codes.TOWNSHIP]]


def search_narrow_enough(user: User, f: PersonFilter) -> bool:
    """A search by the last digits runs only inside a township or village: the filter's
    region, or every jurisdiction of the user."""
    if f.region and _narrow(*codes.subtree_range(f.region)):
        return True
    ranges = user_ranges(user, READ_RECORDS)
    return bool(ranges) and all(_narrow(lo, hi) for lo, hi in ranges)


def search_message(user: User, f: PersonFilter) -> str:
    """Why the search box's content finds nothing by construction ("" when it can run)."""
    s = search.parse(f.q)
    if s.kind == search.Kind.INVALID:
        return s.message
    if s.kind == search.Kind.TAIL and not search_narrow_enough(user, f):
        return search.TAIL_NEEDS_TOWNSHIP
    return ""


TAIL_CANDIDATES_MAX = 2000  # a township holds ~10,000 people: ~20 candidates per bucket pair


def _search(qs: QuerySet[Person], s: search.Search, narrow: bool) -> QuerySet[Person]:
    if s.kind == search.Kind.NONE:
        return qs
    if s.kind == search.Kind.NAME:
        qs = qs.filter(_tokens_held(search.query_tokens(s)))
        # Two characters are one pair token, exact; longer needs the order checked.
        return qs.filter(name__contains=s.value) if len(s.value) > 2 else qs
    if s.kind == search.Kind.INITIALS:
        return qs.filter(_tokens_held(search.query_tokens(s)))
    if s.kind == search.Kind.ID_FULL:
        return qs.filter(id_number_hash__in=crypto.lookup_hashes(s.value))
    if s.kind == search.Kind.PHONE_FULL:
        return qs.filter(phone_hash__in=crypto.lookup_hashes(s.value))
    if s.kind == search.Kind.TAIL:
        # Only inside a township or village (search_message tells the user): the blind index
        # gives the candidates, the decrypted numbers confirm them.
        if not narrow:
            return qs.none()
        buckets = tail_lookup(search.tail_of(s.value))
        cond = Q(id_tail__in=buckets)
        if s.value[-1].isdigit():
            cond |= Q(phone_tail__in=buckets)
        candidates = qs.filter(cond).values_list(
            "pk", "id_number_cipher", "phone_cipher", "id_tail", "phone_tail"
        )[:TAIL_CANDIDATES_MAX]
        found = [
            pk
            for pk, id_cipher, phone_cipher, id_tail, phone_tail in candidates
            if (id_tail in buckets and crypto.decrypt(id_cipher).endswith(s.value))
            or (phone_tail in buckets and crypto.decrypt(phone_cipher).endswith(s.value))
        ]
        return qs.filter(pk__in=found)
    return qs.none()  # INVALID


def encode_cursor(region_id: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{region_id}:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        region_id, pk = raw.split(":")
        return region_id, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def person_list(
    *,
    user: User,
    f: PersonFilter,
    cursor: str = "",
    limit: int = PAGE_SIZE,
    on: date | None = None,
) -> tuple[list[Person], str]:
    """One page in (region, id) order and the cursor of the next page ("" at the end).

    Keyset pagination: the (region, id) index serves any subtree range and any page depth at
    the same cost, where OFFSET grows with the page number.
    """
    on = on or timezone.localdate()
    qs = apply_filter(scoped(Person.objects.all(), user, READ_RECORDS), f, on, user)
    if cursor and (pos := decode_cursor(cursor)) is not None:
        region_id, pk = pos
        # The leading `region >= X` is what the (region, id) index can seek on; the OR alone
        # made PostgreSQL scan and discard every row before the cursor (page 201: 15 ms).
        qs = qs.filter(region_id__gte=region_id).filter(
            Q(region_id__gt=region_id) | Q(region_id=region_id, pk__gt=pk)
        )
    rows = list(qs.select_related("region").order_by("region_id", "id")[: limit + 1])
    next_cursor = ""
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].region_id, rows[-1].pk)
    return rows, next_cursor


def person_queryset(*, user: User, f: PersonFilter, on: date | None = None) -> QuerySet[Person]:
    """The whole filtered, scoped list (exports), in (region, id) order."""
    on = on or timezone.localdate()
    return apply_filter(scoped(Person.objects.all(), user, READ_RECORDS), f, on, user).order_by(
        "region_id", "id"
    )


def person_get(
    *, user: User, public_id: UUID | str, modes: tuple[str, ...] = READ_RECORDS
) -> Person:
    """A person in the user's scope, or 404 (never 403: existence is not disclosed)."""
    try:
        uid = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    person = (
        scoped(Person.objects.all(), user, modes)
        .select_related("region", "region__parent", "region__parent__parent", "household")
        .filter(public_id=uid)
        .first()
    )
    if person is None:
        raise Http404
    return person


def dementia_held(on: date) -> Exists:
    return Exists(
        Dementia.objects.filter(person=OuterRef("pk"), diagnosed_on__lte=on).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=on)
        )
    )


def dementia_count(*, user: User, region: Region, on: date | None = None) -> int:
    """People on the ledger under `region` with 失智 on `on` (for the 失智照护床位 target and
    statistics), within the user's figures scope."""
    on = on or timezone.localdate()
    low, high = region.subtree
    return (
        scoped(
            Person.objects.filter(
                life_status=LifeStatus.ALIVE, region_id__gte=low, region_id__lte=high
            ),
            user,
            READ_FIGURES,
        )
        .filter(dementia_held(on))
        .count()
    )


def person_disabilities(person: Person) -> list[Disability]:
    return list(person.disabilities.order_by("end_date", "-start_date"))


def person_dementia(person: Person) -> list[Dementia]:
    return list(person.dementia.order_by("end_date", "-diagnosed_on"))


def person_groups(person: Person, on: date) -> list[str]:
    """Labels of the key groups the person is in on `on` (the one definition)."""
    return [groups.label(g) for g in groups.groups_of(person, on)]


def person_tags(person: Person) -> list[PersonCategory]:
    return list(person.categories.order_by("end_date", "-start_date"))


def active_categories(person: Person, on: date) -> list[str]:
    """Labels of the person's active tags, with 高龄 derived from the birth date."""
    labels = [
        t.get_category_display() + (f"（{t.grade}）" if t.grade else "")
        for t in person.categories.all()
        if t.start_date <= on and (t.end_date is None or t.end_date > on)
    ]
    from yanglao.people.rules import age_on

    if age_on(person.birth_date, on) >= ADVANCED_AGE_YEARS:
        labels.append("高龄")
    return labels


def household_members(person: Person) -> list[Person]:
    if not person.household_id:
        return []
    return list(
        Person.objects.filter(household_id=person.household_id)
        .exclude(pk=person.pk)
        .only("public_id", "name", "sex", "birth_date", "life_status")
    )


def jurisdiction_counts(*, user: User, on: date | None = None) -> dict[str, Any]:
    """Home-page figures over the user's whole jurisdiction: total, age bands, categories."""
    on = on or timezone.localdate()
    base = scoped(Person.objects.filter(life_status=LifeStatus.ALIVE), user, READ_FIGURES)
    bands = {
        name: Count("id", filter=_age_filter(low, high, on))
        for name, (low, high) in AGE_BANDS.items()
    }
    pyramid = {
        f"m{i}": Count("id", filter=_age_filter(low, high, on) & Q(sex=Sex.MALE))
        for i, (_, low, high) in enumerate(PYRAMID_BANDS)
    } | {
        f"f{i}": Count("id", filter=_age_filter(low, high, on) & Q(sex=Sex.FEMALE))
        for i, (_, low, high) in enumerate(PYRAMID_BANDS)
    }
    agg = base.aggregate(total=Count("id"), **bands, **pyramid)
    tag_rows = (
        # A join on the scoped person rows, not an IN (subquery); and no DISTINCT: at most one
        # tag per person and category is open (tag_one_open_per_category), and a closed tag
        # ends on or before the date the next one starts.
        scoped(
            PersonCategory.objects.filter(person__life_status=LifeStatus.ALIVE),
            user,
            READ_FIGURES,
            field="person__region_id",
        )
        .filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
        .values("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_category = {c.label: 0 for c in Category}
    for row in tag_rows:
        by_category[Category(row["category"]).label] = row["n"]
    advanced = (agg.get("80-89") or 0) + (agg.get("90+") or 0)
    return {
        "total": agg["total"],
        "age_bands": {name: agg[name] for name in AGE_BANDS},
        "categories": by_category,
        "advanced_age": advanced,
        # 5-year bands by sex (男, 女), youngest first: the age pyramid of the home page.
        "pyramid": [
            (label, agg[f"m{i}"], agg[f"f{i}"]) for i, (label, _, _) in enumerate(PYRAMID_BANDS)
        ],
    }


# The age pyramid's bands (label, lowest age, highest age or None).
PYRAMID_BANDS: tuple[tuple[str, int, int | None], ...] = (
    *((f"{a}-{a + 4}", a, a + 4) for a in range(60, 95, 5)),
    ("95+", 95, None),
)


def duplicate_group_count(*, user: User) -> int:
    """How many same-name, same-birth-date groups in one county wait to be checked (the
    groups `duplicate_candidates` lists), in the user's records jurisdiction."""
    qs = scoped(Person.objects.filter(life_status=LifeStatus.ALIVE), user, READ_RECORDS)
    return (
        qs.annotate(county=Substr("region_id", 1, 6))
        .values("name", "birth_date", "county")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by()
        .count()
    )


def browsable_roots(user: User) -> list[Region]:
    """The user's jurisdiction nodes, top-most first, without nodes nested in another."""
    ranges = user_ranges(user, READ_FIGURES)
    region_codes = [low for low, _ in ranges]
    roots = Region.objects.filter(code__in=region_codes)
    return [
        r for r in roots if not any(lo != r.subtree[0] and lo <= r.code <= hi for lo, hi in ranges)
    ]


def region_for_browse(user: User, code: str) -> Region:
    """A node inside the user's jurisdiction (any mode), or 404."""
    try:
        code12 = codes.pad(code) if len(code) != 12 else code
    except ValueError as exc:
        raise Http404 from exc
    if not any(low <= code12 <= high for low, high in user_ranges(user, READ_FIGURES)):
        raise Http404
    region = Region.objects.select_related("parent").filter(code=code12).first()
    if region is None:
        raise Http404
    return region


def region_child_counts(*, user: User, region: Region) -> list[tuple[Region, int]]:
    """Each child of `region` with the number of living registered people under it."""
    children = list(region.children.order_by("code"))
    if not children:
        return []
    child_len = codes.PREFIX_LEN[region.level + 1]
    low, high = region.subtree
    qs = scoped(
        Person.objects.filter(
            life_status=LifeStatus.ALIVE, region_id__gte=low, region_id__lte=high
        ),
        user,
        READ_FIGURES,
    )
    counts = {
        row["p"]: row["n"]
        for row in qs.annotate(p=Substr("region_id", 1, child_len))
        .values("p")
        .annotate(n=Count("id"))
        .order_by()
    }
    return [(c, counts.get(c.code[:child_len], 0)) for c in children]


@dataclass(frozen=True)
class RegionFigures:
    """A region node's living registered people and each child's (the 区划 page and API)."""

    total: int
    rows: list[tuple[Region, int]]
    # The statistics snapshot the counts come from (its as_of is the data date); None when
    # they were counted live from the ledger (a new installation before its first nightly run).
    snapshot: Any = None


# The statistics module (above people) registers its snapshot reader here in its
# AppConfig.ready(), as for the home page: given region nodes, the snapshot's pop.total of each
# (0 when absent) and the snapshot, or None when there is no snapshot yet. Counting 5,550,000
# people live under the province took 3.45 s (issue 16); the snapshot lookup is an index read.
RegionCounts = Callable[[list[Region]], "tuple[dict[str, int], Any] | None"]
_region_counts: list[RegionCounts] = []


def register_region_counts(fn: RegionCounts) -> None:
    _region_counts[:] = [fn]


def _snapshot_counts(nodes: list[Region]) -> tuple[dict[str, int], Any] | None:
    for fn in _region_counts:
        got = fn(nodes)
        if got is not None:
            return got
    return None


def region_figures(*, user: User, region: Region) -> RegionFigures:
    """`region` (already checked by region_for_browse) with its children and their people.
    A node inside the user's jurisdiction has its whole subtree inside it, so a snapshot's
    figure of the node is exactly what the user may see."""
    children = list(region.children.order_by("code"))
    got = _snapshot_counts([region, *children])
    if got is None:
        return RegionFigures(
            region_total(user=user, region=region),
            region_child_counts(user=user, region=region),
        )
    counts, snap = got
    rows = [(c, counts.get(c.code, 0)) for c in children]
    return RegionFigures(counts.get(region.code, 0), rows, snap)


def root_figures(*, user: User, roots: list[Region]) -> RegionFigures:
    """The user's jurisdiction roots with their people (the 区划 page of a user with several)."""
    got = _snapshot_counts(roots)
    if got is None:
        rows = [(r, region_total(user=user, region=r)) for r in roots]
        return RegionFigures(sum(n for _, n in rows), rows)
    counts, snap = got
    rows = [(r, counts.get(r.code, 0)) for r in roots]
    return RegionFigures(sum(n for _, n in rows), rows, snap)


def region_total(*, user: User, region: Region) -> int:
    low, high = region.subtree
    return scoped(
        Person.objects.filter(
            life_status=LifeStatus.ALIVE, region_id__gte=low, region_id__lte=high
        ),
        user,
        READ_FIGURES,
    ).count()


def duplicate_candidates(*, user: User, limit: int = 200) -> list[dict[str, Any]]:
    """Same name and birth date in one county: listed for review, never merged."""
    qs = scoped(Person.objects.filter(life_status=LifeStatus.ALIVE), user, READ_RECORDS)
    groups = list(
        qs.annotate(county=Substr("region_id", 1, 6))
        .values("name", "birth_date", "county")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("county", "name")[:limit]
    )
    if not groups:
        return []
    # One query for every group's members (using the (name, birth_date) index), then grouped
    # here, instead of one query per group.
    members: dict[tuple[str, Any, str], list[Person]] = {}
    candidates = qs.filter(
        name__in={g["name"] for g in groups}, birth_date__in={g["birth_date"] for g in groups}
    ).select_related("region")
    for p in candidates.order_by("region_id", "id"):
        members.setdefault((p.name, p.birth_date, p.region_id[:6]), []).append(p)
    return [
        {**g, "members": members.get((g["name"], g["birth_date"], g["county"]), [])} for g in groups
    ]


def village_choices(user: User, limit: int = 2000) -> list[Region]:
    """Current villages the user may register people in (edit jurisdictions)."""
    from yanglao.accounts.scoping import WRITE_RECORDS

    return list(
        scoped(
            Region.objects.filter(level=codes.VILLAGE, valid_to__isnull=True),
            user,
            WRITE_RECORDS,
            field="code",
        )
        .select_related("parent")
        .order_by("code")[:limit]
    )


def scoped_regions(user: User, *, level: int) -> QuerySet[Region]:
    """Current regions of one level inside the user's edit jurisdictions."""
    from yanglao.accounts.scoping import WRITE_RECORDS

    return scoped(
        Region.objects.filter(level=level, valid_to__isnull=True), user, WRITE_RECORDS, field="code"
    ).order_by("code")


# The statistics module (above people) registers its snapshot reader here in its
# AppConfig.ready(): the home page then reads the nightly snapshot, not the ledger.
HomeFigures = Callable[[User], "dict[str, Any] | None"]
_home_figures: list[HomeFigures] = []


def register_home_figures(fn: HomeFigures) -> None:
    _home_figures[:] = [fn]


def home_counts(*, user: User) -> dict[str, Any]:
    """The home page's figures: from the statistics snapshot when there is one, else live
    (cached for a minute) — a new installation before its first nightly run."""
    for fn in _home_figures:
        figures = fn(user)
        if figures is not None:
            return figures
    return jurisdiction_counts_cached(user=user)


def jurisdiction_counts_cached(*, user: User, seconds: int = 60) -> dict[str, Any]:
    """jurisdiction_counts shared by every user with the same ranges, for a minute."""
    from django.core.cache import cache

    ranges = "|".join(f"{lo}-{hi}" for lo, hi in user_ranges(user, READ_FIGURES))
    key = f"counts:{timezone.localdate().isoformat()}:{ranges}"
    counts: dict[str, Any] | None = cache.get(key)
    if counts is None:
        counts = jurisdiction_counts(user=user)
        cache.set(key, counts, seconds)
    return counts


MAX_VILLAGE_SELECT = 1500  # more than this in one drop-down: ask for the county first


def village_picker(user: User, county: str) -> tuple[list[Region], list[Region], str]:
    """(villages, counties, county) for a form's village drop-down: all the user's villages,
    or, in a large jurisdiction, the counties to choose from and the chosen county's villages."""
    villages = village_choices(user, limit=MAX_VILLAGE_SELECT + 1)
    counties: list[Region] = []
    if len(villages) > MAX_VILLAGE_SELECT:
        counties = list(scoped_regions(user, level=codes.COUNTY))
        villages = []
        if county.isdigit() and len(county) == 6:
            villages = [
                v for v in village_choices(user, limit=100_000) if v.code.startswith(county)
            ]
    return villages, counties, county


COUNT_EXACT_LIMIT = 5_000  # counted exactly up to here; above, the planner's estimate (约)
COUNT_SKIP_FACTOR = 5  # an estimate above limit × this is shown without counting at all


@dataclass(frozen=True)
class ListCount:
    n: int
    approximate: bool  # shown as 约 n

    @property
    def shown(self) -> str:
        """5,551,338 → 约 5,550,000; exact figures as they are."""
        if not self.approximate:
            return f"{self.n:,}"
        digits = max(len(str(self.n)) - 3, 0)  # three significant figures
        return f"约 {round(self.n, -digits):,}"


def _estimate(qs: QuerySet[Person]) -> int | None:
    """PostgreSQL's planner estimate of the rows of `qs` (None elsewhere)."""
    if connection.vendor != "postgresql":
        return None
    import json

    from django.core.exceptions import EmptyResultSet

    try:
        sql, params = qs.order_by().query.sql_with_params()
    except EmptyResultSet:  # qs.none(): a search that cannot run
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        row = cursor.fetchone()
    plan = row[0] if row else [{"Plan": {"Plan Rows": 0}}]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def person_count(*, user: User, f: PersonFilter, on: date | None = None) -> ListCount:
    """How many people the list holds: exact up to COUNT_EXACT_LIMIT, else the planner's
    estimate marked approximate, so a province-wide list never counts 5.55 million rows."""
    qs = person_queryset(user=user, f=f, on=on).order_by()
    estimate = _estimate(qs)
    if estimate is not None and estimate > COUNT_EXACT_LIMIT * COUNT_SKIP_FACTOR:
        return ListCount(estimate, True)
    capped = qs.values("pk")[: COUNT_EXACT_LIMIT + 1].count()
    if capped <= COUNT_EXACT_LIMIT:
        return ListCount(capped, False)
    if estimate is None:  # SQLite: small databases, count them
        return ListCount(qs.count(), False)
    return ListCount(max(estimate, capped), True)
