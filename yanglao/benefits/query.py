"""The database side of the engine: the same rule trees as `rules.evaluate`, compiled to a
Django Q over `people.Person` for set-based runs, the facts of persons for the Python
side, and the list in force for a region (inheritance through the region chain).

Compilation keeps Kleene logic exact: each node compiles to the set where it is *true*
and the set where it is *false*; `not` swaps them, so "unknown" (a missing fact) is in
neither, exactly as in the Python form. The property test checks the two forms agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from yanglao.assessments.choices import Status as AssessmentStatus
from yanglao.assessments.models import Assessment
from yanglao.benefits import rules
from yanglao.benefits.models import Entitlement, OverlapRule, Roll, ServiceItem
from yanglao.people import groups
from yanglao.people.choices import LifeStatus
from yanglao.people.models import Dementia, Disability, Person, PersonCategory
from yanglao.people.rules import birth_range_for_age
from yanglao.regions import codes

NEVER = Q(pk__isnull=True)  # a person's pk is never NULL
ALWAYS = Q(pk__isnull=False)


def _held(on: date, **filters: Any) -> Exists:
    return Exists(
        PersonCategory.objects.filter(person=OuterRef("pk"), start_date__lte=on, **filters).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=on)
        )
    )


def _disability(on: date, **filters: Any) -> Exists:
    return Exists(
        Disability.objects.filter(person=OuterRef("pk"), start_date__lte=on, **filters).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=on)
        )
    )


def _assessed(on: date) -> Exists:
    return Exists(
        Assessment.objects.filter(
            person=OuterRef("pk"), status=AssessmentStatus.FINAL, assessment_date__lte=on
        )
    )


def compile_rule(rule: rules.Rule, on: date) -> tuple[Q, Q]:
    """(true set, false set) of a rule on a date, as conditions on Person."""
    if "all" in rule or "any" in rule:
        is_all = "all" in rule
        parts = [compile_rule(p, on) for p in rule["all" if is_all else "any"]]
        t, f = parts[0]
        for pt, pf in parts[1:]:
            t, f = (t & pt, f | pf) if is_all else (t | pt, f & pf)
        return t, f
    if "not" in rule:
        t, f = compile_rule(rule["not"], on)
        return f, t
    kind = rule["kind"]
    if kind == "age":
        earliest, latest = birth_range_for_age(rule["min"], rule.get("max"), on)
        cond = Q(birth_date__lte=latest)
        if earliest is not None:
            cond &= Q(birth_date__gte=earliest)
        return cond, ~cond
    if kind in ("category", "economic"):
        held = _held(on, category__in=rule["in"])
        return Q(held), ~Q(held)
    if kind == "assessment_grade":
        grades = set(rule["in"])
        labels = [rules.TAG_OF_GRADE[g] for g in grades if g in rules.TAG_OF_GRADE]
        tagged_any = _held(on, category=rules.DISABLED, grade__in=list(rules.GRADE_OF_TAG))
        in_tag = Q(_held(on, category=rules.DISABLED, grade__in=labels)) if labels else NEVER
        out_labels = [lab for g, lab in rules.TAG_OF_GRADE.items() if g not in grades]
        out_tag = (
            Q(_held(on, category=rules.DISABLED, grade__in=out_labels)) if out_labels else NEVER
        )
        zero = Q(_assessed(on)) & ~Q(tagged_any)
        return (in_tag | zero if 0 in grades else in_tag), (
            out_tag if 0 in grades else out_tag | zero
        )
    if kind == "disability_grade":
        wanted = set(rule["in"])
        codes_in = [rules.GRADE_CODE[g] for g in wanted]
        both = wanted >= rules.SEVERE_UNKNOWN_LABELS
        some = bool(rules.SEVERE_UNKNOWN_LABELS & wanted)
        yes = _disability(on, grade__in=codes_in + ([rules.SEVERE_UNKNOWN] if both else []))
        unknown = Q(_disability(on, grade=rules.SEVERE_UNKNOWN)) if some and not both else NEVER
        return Q(yes), ~Q(yes) & ~unknown
    if kind == "key_group":
        cond = groups.q(on, rule.get("in", list(groups.KEY_GROUPS)))
        return cond, ~cond
    if kind == "dwelling":
        cond = Q(dwelling__in=rule["in"])
        return cond, ~cond
    if kind == "hukou":
        low, high = codes.subtree_range(rule["region"].ljust(12, "0"))
        cond = Q(household_region_id__gte=low, household_region_id__lte=high)
        return cond, ~cond
    if kind == "alive":
        cond = Q(life_status=LifeStatus.ALIVE) | Q(status_date__gt=on)
        return cond, ~cond
    if kind == "residence":
        low, high = codes.subtree_range(rule["region"].ljust(12, "0"))
        cond = Q(region_id__gte=low, region_id__lte=high)
        return cond, ~cond
    return NEVER, NEVER  # manual: neither true nor false without a person's judgement


def eligible_q(rule: rules.Rule, on: date) -> Q:
    return compile_rule(rule, on)[0]


# --- facts for the Python side ------------------------------------------------------------


def facts_for(person_ids: Iterable[int]) -> dict[int, rules.Facts]:
    """Facts of many persons in five queries per 5,000."""
    ids = list(person_ids)
    tags: dict[int, list[rules.Tag]] = defaultdict(list)
    disabilities: dict[int, list[rules.DisabilityFact]] = defaultdict(list)
    dementia: dict[int, list[rules.Held]] = defaultdict(list)
    assessed: dict[int, date] = {}
    out: dict[int, rules.Facts] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for t in PersonCategory.objects.filter(person_id__in=chunk).values_list(
            "person_id", "category", "grade", "start_date", "end_date"
        ):
            tags[t[0]].append(rules.Tag(t[1], t[2], t[3], t[4]))
        for r in Disability.objects.filter(person_id__in=chunk).values_list(
            "person_id", "grade", "start_date", "end_date"
        ):
            disabilities[r[0]].append(rules.DisabilityFact(r[1], r[2], r[3]))
        for m in Dementia.objects.filter(person_id__in=chunk).values_list(
            "person_id", "diagnosed_on", "end_date"
        ):
            dementia[m[0]].append(rules.Held(m[1], m[2]))
        for pid, d in (
            Assessment.objects.filter(person_id__in=chunk, status=AssessmentStatus.FINAL)
            .order_by("person_id", "assessment_date")
            .values_list("person_id", "assessment_date")
        ):
            assessed.setdefault(pid, d)
        for pid, birth, region, status, status_date, hukou, dwelling in Person.objects.filter(
            pk__in=chunk
        ).values_list(
            "pk",
            "birth_date",
            "region_id",
            "life_status",
            "status_date",
            "household_region_id",
            "dwelling",
        ):
            out[pid] = rules.Facts(
                birth,
                region,
                status,
                status_date,
                tuple(tags.get(pid, ())),
                assessed.get(pid),
                household_region_code=hukou,
                dwelling=dwelling,
                disabilities=tuple(disabilities.get(pid, ())),
                dementia=tuple(dementia.get(pid, ())),
            )
    return out


def person_facts(person: Person) -> rules.Facts:
    return facts_for([person.pk])[person.pk]


# --- the list in force ------------------------------------------------------------------


@dataclass
class ResolvedItem:
    """An item as it applies in a region: the most specific version, with the levels that
    contributed (shown as its source) and the standard never below any level above."""

    item: ServiceItem  # the most specific version in force
    chain: list[ServiceItem]  # top (national) first

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def standard(self) -> list[dict[str, Any]]:
        """Per band the highest value of the chain (a raise at the level above after a local
        raise must not leave the local one below it)."""
        out: list[dict[str, Any]] = []
        for band in self.item.standard:
            best = rules.parse_money(band.get("value"))
            for upper in self.chain:
                for ub in upper.standard:
                    if ub.get("band") == band.get("band"):
                        v = rules.parse_money(ub.get("value"))
                        if v is not None and (best is None or v > best):
                            best = v
            out.append({**band, "value": str(best) if best is not None else None})
        return out

    @property
    def rule(self) -> rules.Rule:
        return self.item.rule

    @property
    def sources(self) -> str:
        return " → ".join(
            level_label(i) + (f" {i.document_no}" if i.document_no else "") for i in self.chain
        )

    @property
    def policy_start(self) -> date:
        return min(i.effective_from for i in self.chain)


def level_label(item: ServiceItem) -> str:
    if item.region_id is None:
        return "国家"
    return {1: "省", 2: "市", 3: "县（区）"}.get(codes.level_of(item.region_id), "")


def chain_codes(region_code: str) -> list[str]:
    """Padded codes of the province, city and county of a region (those that set lists)."""
    code = region_code.ljust(12, "0")
    lvl = codes.level_of(code)
    out = [c for c in codes.ancestor_codes(code, lvl) if codes.level_of(c) <= codes.COUNTY]
    if lvl <= codes.COUNTY:
        out.append(code)
    return out


def in_force(on: date) -> Q:
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gt=on))


def resolve_list(region_code: str | None, on: date) -> list[ResolvedItem]:
    """The list in force on `on` for a region (None: the national list)."""
    chain = chain_codes(region_code) if region_code else []
    rows = list(
        ServiceItem.objects.filter(in_force(on))
        .filter(Q(region__isnull=True) | Q(region_id__in=chain))
        .order_by("code")
    )
    by_code: dict[str, list[ServiceItem]] = defaultdict(list)
    for r in rows:
        by_code[r.code].append(r)
    out = []
    for _code, versions in sorted(by_code.items()):
        versions.sort(key=lambda i: len(codes.prefix(i.region_id)) if i.region_id else 0)
        out.append(ResolvedItem(versions[-1], versions))
    return out


def resolve_item(region_code: str, code: str, on: date) -> ResolvedItem | None:
    return next((r for r in resolve_list(region_code, on) if r.code == code), None)


@dataclass
class ItemVerdict:
    item: ResolvedItem
    facts: rules.Facts
    verdict: rules.Verdict


def item_verdict(person: Person, code: str, on: date) -> ItemVerdict | None:
    """The engine's verdict on one person and one item of the person's list (None: the
    list has no such item)."""
    item = resolve_item(person.region_id, code, on)
    if item is None:
        return None
    facts = person_facts(person)
    return ItemVerdict(item, facts, rules.evaluate(item.rule, facts, on))


def missing_accounts(roll: Roll) -> QuerySet[Entitlement]:
    """Entitlements with a line to pay (amount > 0) in the roll and no payment account:
    the bank cannot pay them. Zero lines (stops) and recoveries need no account."""
    return (
        Entitlement.objects.filter(account_cipher="")
        .filter(Exists(roll.lines.filter(entitlement=OuterRef("pk"), amount__gt=0)))
        .select_related("person", "person__region")
        .order_by("person__region_id", "person_id", "item_code")
    )


def overlap_rules(region_code: str, on: date) -> list[rules.OverlapRuleView]:
    chain = chain_codes(region_code)
    out = []
    for r in OverlapRule.objects.filter(in_force(on)).filter(
        Q(region__isnull=True) | Q(region_id__in=chain)
    ):
        level = "国家" if r.region_id is None else r.region_id
        source = f"{level} {r.document_no}".strip() + ("（待核实）" if r.provisional else "")
        spec = len(codes.prefix(r.region_id)) if r.region_id else 0
        out.append(rules.OverlapRuleView(r.code_a, r.code_b, r.kind, source, spec))
    return out
