"""The only code that reads benefits data for users; every query starts from `scoped()`.
The service list itself is policy, not personal data: any benefits user reads it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from yanglao.accounts.models import Mode, User
from yanglao.accounts.scoping import READ_FIGURES, READ_RECORDS, scoped
from yanglao.benefits import query, rules
from yanglao.benefits.choices import OPEN_STATUSES, AppStatus, RollStatus, TaskStatus
from yanglao.benefits.models import (
    Application,
    Candidate,
    DiscoveryRun,
    Document,
    Entitlement,
    OverlapRule,
    ReviewTask,
    Roll,
    RollLine,
)
from yanglao.core.todo import Todo, counted
from yanglao.people.models import Person
from yanglao.regions import codes
from yanglao.regions.models import Region

PAGE_SIZE = 50


def page(qs: QuerySet[Any], number: str | None, size: int = PAGE_SIZE) -> Page:
    return Paginator(qs, size).get_page(number)


def _uuid(value: UUID | str) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def home_region(user: User) -> str | None:
    """The county (or higher node) whose list a user sees first: their first jurisdiction,
    raised to the county for township and village users."""
    code = user.jurisdictions.order_by("region_id").values_list("region_id", flat=True).first()
    if code is None:
        return None
    return code[:6].ljust(12, "0") if codes.level_of(code) > codes.COUNTY else code


def publish_regions(user: User) -> list[Region]:
    """The levels a user may publish a list for: their own edit jurisdictions at province,
    city or county level."""
    return [
        j.region
        for j in user.jurisdictions.filter(mode=Mode.EDIT).select_related("region")
        if j.region.level <= codes.COUNTY
    ]


@dataclass
class ItemRow:
    item: query.ResolvedItem
    machine: bool
    manual: list[str]


def service_list(region_code: str | None, on: date) -> list[ItemRow]:
    return [
        ItemRow(r, rules.is_machine_evaluable(r.rule), rules.manual_labels(r.rule))
        for r in query.resolve_list(region_code, on)
    ]


def overlap_rules(region_code: str | None, on: date) -> list[OverlapRule]:
    """Rules in force on a date for a region's chain (policy data, not personal)."""
    chain = query.chain_codes(region_code) if region_code else []
    return list(
        OverlapRule.objects.filter(query.in_force(on))
        .filter(Q(region__isnull=True) | Q(region_id__in=chain))
        .order_by("code_a", "code_b", "region_id")
    )


@dataclass
class PersonItem:
    item: query.ResolvedItem
    verdict: rules.Verdict
    amount: str
    band: str
    holding: Entitlement | None
    open_app: Application | None


def person_overview(*, user: User, person: Person, on: date) -> list[PersonItem]:
    """Who is entitled to what (R1.3): every item in force for the person, evaluated, with
    the entitlement or open application if any. `person` came through a scoped selector."""
    facts = query.person_facts(person)
    holding = {e.item_code: e for e in Entitlement.objects.filter(person=person, end__isnull=True)}
    open_apps = {
        a.item_code: a for a in Application.objects.filter(person=person, status__in=OPEN_STATUSES)
    }
    out = []
    for r in query.resolve_list(person.region_id, on):
        v = rules.evaluate(r.rule, facts, on)
        band = rules.band_for(r.standard, facts, on)
        value = rules.parse_money(band.get("value")) if band else None
        out.append(
            PersonItem(
                r,
                v,
                f"{value}" if value is not None else "",
                str(band["band"]) if band else "",
                holding.get(r.code),
                open_apps.get(r.code),
            )
        )
    return out


def entitlements_of(*, user: User, person: Person) -> list[Entitlement]:
    return list(
        scoped(
            Entitlement.objects.filter(person=person), user, READ_RECORDS, "person__region_id"
        ).order_by("-start")
    )


def applications_of(*, user: User, person: Person) -> list[Application]:
    return list(
        scoped(Application.objects.filter(person=person), user, READ_RECORDS)
        .select_related("item")
        .order_by("-created_at")
    )


def applications(
    *, user: User, status: str = "", item: str = "", region: str = "", q: str = ""
) -> QuerySet[Application]:
    qs = scoped(Application.objects.all(), user, READ_RECORDS).select_related(
        "person", "region", "item"
    )
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in AppStatus.values:
        qs = qs.filter(status=status)
    if item:
        qs = qs.filter(item_code=item)
    if region:
        low, high = codes.subtree_range(codes.pad(region))
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if q.strip():
        qs = qs.filter(person__name__startswith=q.strip())
    return qs.order_by("-created_at", "-pk")


def application_get(*, user: User, public_id: UUID | str) -> Application:
    app = (
        scoped(Application.objects.all(), user, READ_RECORDS)
        .select_related("person", "region", "item")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if app is None:
        raise Http404
    return app


def document_get(*, application: Application, document_id: int) -> Document:
    doc = Document.objects.filter(application=application, pk=document_id).first()
    if doc is None:
        raise Http404
    return doc


def entitlement_get(*, user: User, public_id: UUID | str) -> Entitlement:
    ent = (
        scoped(Entitlement.objects.all(), user, READ_RECORDS, "person__region_id")
        .select_related("person")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if ent is None:
        raise Http404
    return ent


def application_verdict(app: Application, on: date) -> rules.Verdict | None:
    """The engine's finding today on an open application (`app` came through a scoped
    selector): what the reviewer and the approver decide on. None once it is closed (its
    finding at acceptance is kept in its warnings)."""
    if app.status not in OPEN_STATUSES:
        return None
    found = query.item_verdict(app.person, app.item_code, on)
    return found.verdict if found else rules.Verdict(False, ["本地清单中已没有该项目"])


MISSING_LISTED = 100  # lines of the roll page's "no account" panel


def roll_missing_accounts(*, roll: Roll) -> QuerySet[Entitlement]:
    """Entitlements of a roll fetched through `roll_get` with a line to pay and no account."""
    return query.missing_accounts(roll)


def candidates(
    *, user: User, item: str = "", region: str = "", since: date | None = None, q: str = ""
) -> QuerySet[Candidate]:
    qs = scoped(Candidate.objects.all(), user, READ_RECORDS).select_related("person", "region")
    if item:
        qs = qs.filter(item_code=item)
    if region:
        low, high = codes.subtree_range(codes.pad(region))
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    if since is not None:
        qs = qs.filter(first_found__gte=since)
    if q.strip():
        qs = qs.filter(person__name__startswith=q.strip())
    return qs.order_by("region_id", "item_code", "person_id")


def latest_run() -> date | None:
    """Date of the latest discovery run (one row of a short table, by its unique index)."""
    return DiscoveryRun.objects.order_by("-on").values_list("on", flat=True).first()


def tasks(*, user: User, status: str = TaskStatus.OPEN, kind: str = "") -> QuerySet[ReviewTask]:
    qs = scoped(ReviewTask.objects.all(), user, READ_RECORDS).select_related(
        "person", "region", "entitlement"
    )
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("due", "pk")


def task_get(*, user: User, task_id: int) -> ReviewTask:
    t = scoped(ReviewTask.objects.all(), user, READ_RECORDS).filter(pk=task_id).first()
    if t is None:
        raise Http404
    return t


def rolls(*, user: User) -> QuerySet[Roll]:
    return (
        scoped(Roll.objects.all(), user, READ_RECORDS, "county_id")
        .select_related("county")
        .order_by("-month", "county_id")
    )


def roll_get(*, user: User, public_id: UUID | str) -> Roll:
    r = rolls(user=user).filter(public_id=_uuid(public_id)).first()
    if r is None:
        raise Http404
    return r


def roll_lines(*, roll: Roll, kind: str = "", item: str = "") -> QuerySet[RollLine]:
    """Lines of a roll already fetched through `roll_get` (so within the user's scope)."""
    qs = RollLine.objects.filter(roll=roll).select_related("person", "region")
    if kind:
        qs = qs.filter(kind=kind)
    if item:
        qs = qs.filter(item_code=item)
    return qs.order_by("region_id", "person_id", "item_code", "period")


def counties_of(user: User) -> list[Region]:
    """Counties in the user's edit jurisdictions (where a roll may be generated)."""
    out: list[Region] = []
    for j in user.jurisdictions.filter(mode=Mode.EDIT).select_related("region"):
        if j.region.level == codes.COUNTY:
            out.append(j.region)
        elif j.region.level < codes.COUNTY:
            low, high = codes.subtree_range(j.region_id, j.region.level)
            out.extend(
                Region.objects.filter(level=codes.COUNTY, code__gte=low, code__lte=high).order_by(
                    "code"
                )
            )
    return out


CANDIDATE_HEADER = (
    "姓名",
    "公民身份号码（脱敏）",
    "村（社区）",
    "区划代码",
    "项目编码",
    "项目名称",
    "符合的理由",
    "首次发现",
)


def candidate_rows(qs: QuerySet[Candidate], on: date, chunk: int = 2000) -> Iterator[list[str]]:
    """Rows of the discovery list for export, reasons from the Python form of the engine;
    facts are loaded per chunk so a province-wide export stays in constant memory."""
    lists: dict[str, dict[str, query.ResolvedItem]] = {}
    batch: list[Candidate] = []

    def flush() -> Iterator[list[str]]:
        facts = query.facts_for([c.person_id for c in batch])
        for c in batch:
            county = c.region_id[:6]
            if county not in lists:
                lists[county] = {r.code: r for r in query.resolve_list(county, on)}
            item = lists[county].get(c.item_code)
            reasons = rules.evaluate(item.rule, facts[c.person_id], on).reasons if item else []
            yield [
                c.person.name,
                c.person.id_number_masked,
                codes.short_name(c.region.name),
                c.region_id,
                c.item_code,
                item.item.name if item else "",
                "；".join(reasons),
                f"{c.first_found:%Y-%m-%d}",
            ]

    for c in qs.iterator(chunk_size=chunk):
        batch.append(c)
        if len(batch) >= chunk:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


# --- to-do counts of the workbench (yanglao.site) ------------------------------------------


def todo_counts(*, user: User, today: date) -> dict[str, Todo]:
    """What waits for the user in benefits, each a count in their jurisdiction: candidates to
    accept (the discovery list), applications at each step, open review tasks (应退尽退) with
    those past their deadline, rolls still in draft. One aggregate per table."""
    apps = scoped(Application.objects.all(), user, READ_RECORDS).aggregate(
        accepted=Count("id", filter=Q(status=AppStatus.ACCEPTED)),
        reviewed=Count("id", filter=Q(status=AppStatus.REVIEWED)),
        appealed=Count("id", filter=Q(status=AppStatus.APPEALED)),
    )
    tasks = (
        scoped(ReviewTask.objects.all(), user, READ_RECORDS)
        .filter(status=TaskStatus.OPEN)
        .aggregate(
            n=Count("id"),
            late=Count("id", filter=Q(due__lt=today)),
            oldest=Min("due", filter=Q(due__lt=today)),
        )
    )
    drafts = rolls(user=user).filter(status=RollStatus.DRAFT).count()
    return {
        "candidates": Todo(candidates(user=user).count()),
        "to_review": Todo(apps["accepted"]),
        "to_approve": Todo(apps["reviewed"]),
        "appeals": Todo(apps["appealed"]),
        "review_tasks": counted(tasks["n"], tasks["late"], tasks["oldest"], today=today),
        "draft_rolls": Todo(drafts),
    }


@dataclass
class RuleMatches:
    """How many people in the user's jurisdiction a rule finds today: `yes` satisfy it,
    `maybe` more may once a person decides (需人工核定) or a missing fact is known."""

    yes: int
    maybe: int


def rule_matches(*, user: User, rule: rules.Rule, on: date) -> RuleMatches:
    """The engine's own SQL form of the rule (query.compile_rule), over the people in the
    user's jurisdiction (figures only: a count, no names)."""
    true_q, false_q = query.compile_rule(rule, on)
    people = scoped(Person.objects.all(), user, READ_FIGURES)
    yes = people.filter(true_q).count()
    not_false = people.exclude(false_q).count()
    return RuleMatches(yes, max(not_false - yes, 0))


def region_names(prefixes: set[str]) -> dict[str, str]:
    """Region code prefix (as rules store them) → name, for rule_text.describe."""
    padded = {p.ljust(12, "0"): p for p in prefixes if p.isdigit() and len(p) <= 12}
    return {
        padded[code]: name
        for code, name in Region.objects.filter(code__in=padded).values_list("code", "name")
    }
