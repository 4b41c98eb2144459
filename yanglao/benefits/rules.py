"""Pure rules of the service list and subsidies: no ORM.

Eligibility rules are JSON trees (policy is data, R1.1). This module validates a tree,
evaluates it for one person's facts with three-valued logic (yes / no / unknown because a
fact is missing) and says why; `benefits.query` compiles the same tree to SQL for the
nightly set-based run. A tree is one of

    {"all": [tree, ...]}   {"any": [tree, ...]}   {"not": tree}
    {"kind": "age", "min": 80, "max": 89}                 age (周岁) on the date, max optional
    {"kind": "category", "in": ["living_alone", ...]}      any of these tags held on the date
    {"kind": "economic", "in": ["minimum_living", ...]}    特困 / 低保 / 低保边缘 held on the date
    {"kind": "assessment_grade", "in": [2, 3, 4]}          GB/T 42195 grade on the date (0–4)
    {"kind": "disability_grade", "in": ["一级", "二级"]}    grade of the disability record held
    {"kind": "key_group"}                                  in a key group (people.groups), or
    {"kind": "key_group", "in": ["disabled", ...]}         in one of these key groups
    {"kind": "dwelling", "in": ["home"]}                   lives at home (居家) / in an institution
    {"kind": "alive"}                                      on the ledger, not dead or moved out
    {"kind": "residence", "region": "220102"}              lives in this region (code prefix)
    {"kind": "hukou", "region": "220102"}                  户籍 in this region (code prefix)
    {"kind": "manual", "label": "有入住意愿"}               needs a person's judgement: unknown

Also here: band selection, the "never below the level above" check, overlap rules and the
monthly roll arithmetic.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from yanglao.people import groups
from yanglao.people.rules import age_on

Rule = dict[str, Any]

CATEGORY_LABELS = {
    "living_alone": "独居",
    "empty_nest": "空巢",
    "left_behind": "留守",
    "severe_disability": "重残",
    "bereaved_family": "计划生育特殊家庭",
    "extreme_poverty": "特困",
    "minimum_living": "低保",
    "marginal_low_income": "低保边缘",
    "disabled": "失能",
}
ECONOMIC = ("extreme_poverty", "minimum_living", "marginal_low_income")
DISABLED = "disabled"
# The 失能 tag's grade as kept by assessments (scoring.DISABLED_TAG_GRADE) → GB/T grade.
GRADE_OF_TAG = {"轻度": 1, "中度": 2, "重度": 3, "完全": 4}
TAG_OF_GRADE = {v: k for k, v in GRADE_OF_TAG.items()}
GRADE_LABELS = {0: "能力完好", 1: "轻度失能", 2: "中度失能", 3: "重度失能", 4: "完全失能"}
DISABILITY_GRADES = ("一级", "二级", "三级", "四级")
# Stored grade codes (people.choices.DisabilityGrade) ↔ the labels rules name.
GRADE_CODE = {"一级": "1", "二级": "2", "三级": "3", "四级": "4"}
GRADE_LABEL = {v: k for k, v in GRADE_CODE.items()}
SEVERE_UNKNOWN = "1-2"  # converted from the former 重残 tag: 一级 or 二级, not known which
SEVERE_UNKNOWN_LABELS = frozenset({"一级", "二级"})
DWELLINGS = {"home": "居家", "institution": "养老机构"}
REGION_KINDS = {"residence": "居住地", "hukou": "户籍地"}
LEAF_KINDS = (
    "age",
    "category",
    "economic",
    "assessment_grade",
    "disability_grade",
    "key_group",
    "dwelling",
    "alive",
    "residence",
    "hukou",
    "manual",
)
MAX_DEPTH = 6


# --- facts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    category: str
    grade: str
    start: date
    end: date | None  # exclusive

    def held_on(self, on: date) -> bool:
        return self.start <= on and (self.end is None or self.end > on)


@dataclass(frozen=True)
class DisabilityFact:
    grade: str  # "1" … "4", or "1-2" (一级或二级, not known which)
    start: date
    end: date | None  # exclusive

    def held_on(self, on: date) -> bool:
        return self.start <= on and (self.end is None or self.end > on)


@dataclass(frozen=True)
class Held:
    """A fact held from start until end (exclusive), e.g. a 失智 record."""

    start: date
    end: date | None

    def held_on(self, on: date) -> bool:
        return self.start <= on and (self.end is None or self.end > on)


@dataclass(frozen=True)
class Facts:
    """What the engine knows of one person."""

    birth_date: date
    region_code: str
    life_status: str = "alive"
    status_date: date | None = None
    tags: tuple[Tag, ...] = ()
    assessed_on: date | None = None  # first confirmed assessment (grade known from then)
    household_region_code: str = ""  # 户籍地; blank = the residence
    dwelling: str = "home"
    disabilities: tuple[DisabilityFact, ...] = ()
    dementia: tuple[Held, ...] = ()

    def tags_on(self, on: date) -> list[Tag]:
        return [t for t in self.tags if t.held_on(on)]


@dataclass
class Verdict:
    """value: True / False / None (unknown: a fact is missing)."""

    value: bool | None
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    since: date | None = None  # when the person began to satisfy the rule (if known)


# --- validation ------------------------------------------------------------------------


def check_rule(rule: Any, depth: int = 0) -> list[str]:
    """Chinese errors of a rule tree; empty when it is well formed."""
    if depth > MAX_DEPTH:
        return ["条件嵌套层数过多"]
    if not isinstance(rule, dict):
        return ["条件必须是 JSON 对象"]
    if "all" in rule or "any" in rule:
        key = "all" if "all" in rule else "any"
        parts = rule[key]
        if len(rule) != 1 or not isinstance(parts, list) or not parts:
            return [f"“{key}”须是非空的条件列表"]
        return [e for p in parts for e in check_rule(p, depth + 1)]
    if "not" in rule:
        if len(rule) != 1:
            return ["“not”只能包含一个条件"]
        return check_rule(rule["not"], depth + 1)
    kind = rule.get("kind")
    if kind not in LEAF_KINDS:
        return [f"未知的条件类型：{kind!r}"]
    if kind == "age":
        lo, hi = rule.get("min"), rule.get("max")
        if not isinstance(lo, int) or not 0 <= lo <= 150:
            return ["年龄条件须有 0–150 之间的整数下限 min"]
        if hi is not None and (not isinstance(hi, int) or hi < lo):
            return ["年龄上限 max 须是不小于下限的整数"]
    elif kind in ("category", "economic"):
        allowed = ECONOMIC if kind == "economic" else tuple(CATEGORY_LABELS)
        values = rule.get("in")
        if not isinstance(values, list) or not values or any(v not in allowed for v in values):
            return [f"“{kind}”条件的取值须是以下之一：{'、'.join(allowed)}"]
    elif kind == "assessment_grade":
        values = rule.get("in")
        if not isinstance(values, list) or not values or any(v not in GRADE_LABELS for v in values):
            return ["能力评估等级须是 0–4 的整数列表"]
    elif kind == "disability_grade":
        values = rule.get("in")
        if (
            not isinstance(values, list)
            or not values
            or any(v not in DISABILITY_GRADES for v in values)
        ):
            return ["残疾等级须是 一级、二级、三级、四级 中的若干项"]
    elif kind == "key_group":
        values = rule.get("in", list(groups.KEY_GROUPS))
        if (
            not isinstance(values, list)
            or not values
            or any(v not in groups.KEY_GROUPS for v in values)
        ):
            return [f"重点对象条件的取值须是以下之一：{'、'.join(groups.KEY_GROUPS)}"]
    elif kind == "dwelling":
        values = rule.get("in")
        if not isinstance(values, list) or not values or any(v not in DWELLINGS for v in values):
            return ["居住方式条件的取值须是 home（居家）或 institution（养老机构）"]
    elif kind in REGION_KINDS:
        region = rule.get("region")
        if not isinstance(region, str) or not region.isdigit() or len(region) not in (2, 4, 6, 9):
            return [f"{REGION_KINDS[kind]}条件须给出 2/4/6/9 位区划代码"]
    elif kind == "manual" and not str(rule.get("label", "")).strip():
        return ["人工核定条件须写明核定内容"]
    return []


def is_machine_evaluable(rule: Rule) -> bool:
    """False if any leaf needs a person's judgement (those items never enter discovery)."""
    return not manual_labels(rule)


def manual_labels(rule: Rule) -> list[str]:
    if "all" in rule or "any" in rule:
        parts = rule["all"] if "all" in rule else rule["any"]
        return [m for p in parts for m in manual_labels(p)]
    if "not" in rule:
        return manual_labels(rule["not"])
    return [str(rule["label"])] if rule.get("kind") == "manual" else []


# --- evaluation for one person -----------------------------------------------------------


def _labels(values: Iterable[str]) -> str:
    return "、".join(CATEGORY_LABELS.get(v, v) for v in values)


def _latest(dates: Iterable[date | None]) -> date | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def grade_on(facts: Facts, on: date) -> int | None:
    """GB/T 42195 grade on a date from the 失能 tag; 0 if assessed and no tag; None unknown."""
    for t in facts.tags_on(on):
        if t.category == DISABLED and t.grade in GRADE_OF_TAG:
            return GRADE_OF_TAG[t.grade]
    if facts.assessed_on is not None and facts.assessed_on <= on:
        return 0
    return None


def evaluate(rule: Rule, facts: Facts, on: date) -> Verdict:
    """Kleene three-valued evaluation with the reasons a case worker reads."""
    if "all" in rule or "any" in rule:
        is_all = "all" in rule
        parts = [evaluate(p, facts, on) for p in rule["all" if is_all else "any"]]
        values = [p.value for p in parts]
        if is_all:
            value = False if False in values else (True if all(values) else None)
        else:
            value = True if True in values else (False if all(v is False for v in values) else None)
        keep = [p for p in parts if p.value is value] if value is not None else parts
        return Verdict(
            value,
            [r for p in keep for r in p.reasons],
            sorted({m for p in parts for m in p.missing}) if value is None else [],
            _latest(p.since for p in keep) if value else None,
        )
    if "not" in rule:
        inner = evaluate(rule["not"], facts, on)
        value = None if inner.value is None else not inner.value
        return Verdict(value, [f"非（{'；'.join(inner.reasons)}）"], inner.missing)
    return _leaf(rule, facts, on)


def _leaf(rule: Rule, facts: Facts, on: date) -> Verdict:
    kind = rule["kind"]
    if kind == "age":
        age, lo, hi = age_on(facts.birth_date, on), rule["min"], rule.get("max")
        ok = age >= lo and (hi is None or age <= hi)
        want = f"{lo}周岁及以上" if hi is None else f"{lo}–{hi}周岁"
        since = years_before_birth(facts.birth_date, lo) if ok else None
        return Verdict(ok, [f"年龄{age}周岁（条件：{want}）"], since=since)
    if kind in ("category", "economic"):
        held = [t for t in facts.tags_on(on) if t.category in rule["in"]]
        if held:
            t = min(held, key=lambda t: t.start)
            return Verdict(
                True, [f"{_labels([t.category])}（自{t.start:%Y-%m-%d}）"], since=t.start
            )
        return Verdict(False, [f"未持有{_labels(rule['in'])}"])
    if kind == "assessment_grade":
        grade = grade_on(facts, on)
        want = "、".join(GRADE_LABELS[g] for g in rule["in"])
        if grade is None:
            return Verdict(None, [f"尚无能力评估结果（条件：{want}）"], ["能力评估等级"])
        since = next(
            (t.start for t in facts.tags_on(on) if t.category == DISABLED), facts.assessed_on
        )
        ok = grade in rule["in"]
        return Verdict(ok, [f"能力评估：{GRADE_LABELS[grade]}（条件：{want}）"], since=since)
    if kind == "disability_grade":
        records = [d for d in facts.disabilities if d.held_on(on)]
        want = "、".join(rule["in"])
        if not records:
            return Verdict(False, [f"未登记残疾（条件：残疾等级{want}）"])
        d = records[0]  # one disability record at a time (people.models.Disability)
        if d.grade == SEVERE_UNKNOWN:
            wanted = SEVERE_UNKNOWN_LABELS & set(rule["in"])
            if wanted == SEVERE_UNKNOWN_LABELS:
                return Verdict(True, [f"残疾等级一级或二级（条件：{want}）"], since=d.start)
            if not wanted:
                return Verdict(False, [f"残疾等级一级或二级（条件：{want}）"])
            return Verdict(
                None, [f"残疾等级为一级或二级，待核实具体等级（条件：{want}）"], ["残疾等级"]
            )
        label = GRADE_LABEL.get(d.grade, d.grade)
        ok = label in rule["in"]
        return Verdict(ok, [f"残疾等级{label}（条件：{want}）"], since=d.start if ok else None)
    if kind == "key_group":
        wanted = rule.get("in", list(groups.KEY_GROUPS))
        held_groups = key_groups_on(facts, on)
        hit = [g for g in groups.KEY_GROUPS if g in held_groups and g in wanted]
        if hit:
            return Verdict(True, [f"重点对象：{'、'.join(groups.label(g) for g in hit)}"])
        return Verdict(False, [f"不属于重点对象（{'、'.join(groups.label(g) for g in wanted)}）"])
    if kind == "dwelling":
        ok = facts.dwelling in rule["in"]
        return Verdict(ok, [f"居住方式：{DWELLINGS.get(facts.dwelling, facts.dwelling)}"])
    if kind == "hukou":
        code = facts.household_region_code or facts.region_code
        ok = code.startswith(rule["region"])
        return Verdict(ok, [f"户籍地{'在' if ok else '不在'}{rule['region']}辖区"])
    if kind == "alive":
        ok = alive_on(facts, on)
        return Verdict(ok, ["在册" if ok else "已死亡或迁出"])
    if kind == "residence":
        ok = facts.region_code.startswith(rule["region"])
        return Verdict(ok, [f"居住地{'在' if ok else '不在'}{rule['region']}辖区"])
    # manual: a person decides; the engine never guesses (§1.5 R1.3 "missing data").
    return Verdict(None, [f"需人工核定：{rule['label']}"], [f"人工核定：{rule['label']}"])


def key_groups_on(facts: Facts, on: date) -> frozenset[str]:
    """The key groups of the person on a date: the one definition (people.groups)."""
    return groups.groups_on(
        birth_date=facts.birth_date,
        tags=facts.tags,
        disabilities=facts.disabilities,
        dementia=facts.dementia,
        on=on,
    )


def alive_on(facts: Facts, on: date) -> bool:
    return facts.life_status == "alive" or (
        facts.status_date is not None and facts.status_date > on
    )


def years_before_birth(birth: date, years: int) -> date:
    """The date a person born on `birth` turns `years` (29 Feb → 28 Feb)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return birth.replace(year=birth.year + years, day=28)


# --- what the officers are told -----------------------------------------------------------

INELIGIBLE_PREFIX = "经系统核对，不符合该项目条件："


def ineligible_notice(value: bool | None, reasons: Iterable[str]) -> str:
    """The sentence every step of an application shows when the engine says "no" (empty
    when the person qualifies or a fact is missing: that is a warning, not a "no")."""
    if value is not False:
        return ""
    return INELIGIBLE_PREFIX + ("；".join(r for r in reasons if r) or "未说明原因")


# --- payment accounts ----------------------------------------------------------------------

ACCOUNT_RULE = "请填写10–30位数字的发放账号（社保卡或“一卡通”账号）"


def clean_account(raw: str) -> str | None:
    """A bank account as typed (spaces, dashes, full-width digits from a Chinese input
    method) → its ASCII digits, or None when it is not 10–30 digits."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = re.sub(r"[\s\-－—]", "", text)
    return text if re.fullmatch(r"[0-9]{10,30}", text) else None


def mask_account(account: str) -> str:
    return f"{account[:4]}****{account[-4:]}" if len(account) > 8 else "****"


MISSING_SHOWN = 20


def missing_accounts_message(entries: list[str], persons: int) -> str:
    """Why a roll cannot be approved: the first `MISSING_SHOWN` entries (姓名（身份证号，
    项目）) and "等N人" when there are more."""
    shown = "；".join(entries[:MISSING_SHOWN])
    more = f"等{persons}人" if len(entries) > MISSING_SHOWN else ""
    return (
        f"有{persons}人的应发款项没有发放账号，银行无法发放，不能审定：{shown}{more}。"
        "请在该老人的“服务与补贴”页录入发放账号后再审定。"
    )


# --- bands and the "not below the level above" rule --------------------------------------


def parse_money(raw: Any) -> Decimal | None:
    """A non-negative amount with at most two decimals, or None when blank/invalid."""
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    if value < 0 or value != value.quantize(Decimal("0.01")) or value >= Decimal("100000"):
        return None
    return value.quantize(Decimal("0.01"))


def check_standard(bands: Any) -> list[str]:
    """Errors of a standard: a list of {"band": label, "when": rule|None, "value": str|None}."""
    if not isinstance(bands, list) or not bands:
        return ["标准至少要有一档"]
    errors: list[str] = []
    seen: set[str] = set()
    for i, b in enumerate(bands, start=1):
        if not isinstance(b, dict) or not str(b.get("band", "")).strip():
            errors.append(f"第{i}档缺少档次名称")
            continue
        label = str(b["band"]).strip()
        if label in seen:
            errors.append(f"档次“{label}”重复")
        seen.add(label)
        if b.get("value") not in (None, "") and parse_money(b["value"]) is None:
            errors.append(f"档次“{label}”的标准须是不小于0、最多两位小数的数")
        if b.get("when") is not None:
            errors.extend(f"档次“{label}”：{e}" for e in check_rule(b["when"]))
    return errors


def band_for(bands: list[dict[str, Any]], facts: Facts, on: date) -> dict[str, Any] | None:
    """The first band whose condition holds (no condition: always)."""
    for b in bands:
        when = b.get("when")
        if when is None or evaluate(when, facts, on).value is True:
            return b
    return None


def not_below(
    parent_bands: list[dict[str, Any]], child_bands: list[dict[str, Any]], parent_level: str
) -> list[str]:
    """A lower level's standard may raise, never lower, the level above (中办发〔2022〕42号:
    地方清单覆盖范围和实现程度不低于上级清单)."""
    errors: list[str] = []
    child = {str(b["band"]).strip(): b for b in child_bands}
    for pb in parent_bands:
        label = str(pb["band"]).strip()
        cb = child.get(label)
        if cb is None:
            errors.append(f"不能删除{parent_level}清单规定的档次“{label}”")
            continue
        pv, cv = parse_money(pb.get("value")), parse_money(cb.get("value"))
        if pv is not None and (cv is None or cv < pv):
            errors.append(
                f"档次“{label}”的标准{cv if cv is not None else '（空）'}"
                f"低于{parent_level}标准{pv}，下级清单只能提高、不能降低"
            )
        if pb.get("when") != cb.get("when"):
            errors.append(f"档次“{label}”的适用条件须与{parent_level}清单一致")
    return errors


def rule_widens(parent: Rule, child: Rule) -> bool:
    """A lower level may widen who is covered, never narrow it: the child's rule is the
    parent's, or "parent OR something more"."""
    return child == parent or ("any" in child and parent in child["any"])


# --- overlap ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OverlapRuleView:
    code_a: str
    code_b: str
    kind: str  # allowed / exclusive / choose_higher
    source: str  # document number and level, shown to the officer
    specificity: int = 0  # longer region prefix wins


@dataclass(frozen=True)
class Conflict:
    other_code: str
    kind: str
    source: str
    keep_new: bool  # choose_higher: the new benefit is the higher one


# From the most to the least generous to the person: a lower level may move a pair only
# towards the generous end (as it may raise a standard, never lower it).
GENEROSITY = {"allowed": 2, "choose_higher": 1, "exclusive": 0}


def overlap_not_stricter(upper_kind: str | None, kind: str) -> bool:
    return upper_kind is None or GENEROSITY[kind] >= GENEROSITY[upper_kind]


def overlaps(
    new_code: str,
    new_amount: Decimal | None,
    held: Mapping[str, Decimal | None],
    rules: Iterable[OverlapRuleView],
) -> list[Conflict]:
    """Conflicts of a new benefit with the ones held; pairs without a rule are allowed."""
    best: dict[str, OverlapRuleView] = {}
    for r in rules:
        if new_code in (r.code_a, r.code_b):
            other = r.code_b if r.code_a == new_code else r.code_a
            if other in held and (other not in best or r.specificity > best[other].specificity):
                best[other] = r
    out: list[Conflict] = []
    for other, r in sorted(best.items()):
        if r.kind == "exclusive":
            out.append(Conflict(other, r.kind, r.source, keep_new=False))
        elif r.kind == "choose_higher":
            mine, theirs = new_amount or Decimal(0), held[other] or Decimal(0)
            out.append(Conflict(other, r.kind, r.source, keep_new=mine > theirs))
    return out


# --- months and the monthly roll ---------------------------------------------------------


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def next_month(d: date) -> date:
    return add_months(month_start(d), 1)


def months(start: date, stop: date) -> list[date]:
    """First days of the months from start's month up to and including stop's month."""
    out, cur = [], month_start(start)
    while cur <= stop:
        out.append(cur)
        cur = next_month(cur)
    return out


def stop_month(event: date) -> date:
    """Death or move-out on any day stops payment from the next month (§4.4: paid for the
    month of the event, stopped from the month after)."""
    return next_month(event)


def turned(birth: date, age: int, since: date, until: date) -> bool:
    """Did the person reach `age` in (since, until]?"""
    day = years_before_birth(birth, age)
    return since < day <= until


@dataclass(frozen=True)
class EntView:
    id: int
    code: str
    start: date  # first month paid
    end: date | None  # first month not paid (exclusive)
    policy_start: date  # no back-pay before the policy took effect (§4.4)
    stop_reason: str = ""


@dataclass(frozen=True)
class Line:
    entitlement_id: int
    period: date
    kind: str  # LineKind values
    amount: Decimal
    band: str
    note: str


def roll_lines(
    month: date,
    ents: Iterable[EntView],
    due: Callable[[EntView, date], tuple[Decimal, str]],
    paid: Mapping[int, Mapping[date, Decimal]],
) -> list[Line]:
    """The lines of the roll for `month`.

    `due(e, period)` is what the entitlement owes for a month it is active in (amount, band);
    `paid[e.id][period]` is the net already paid in approved rolls. Every month from the
    entitlement's start up to `month`, and every month already paid, is settled:
    the current month is paid (new / regular / changed), an earlier unpaid or underpaid
    month is back-paid, an overpaid one (e.g. paid after a death recorded late) is listed
    for recovery; a payment that stops this month is listed with amount 0.
    """
    out: list[Line] = []
    zero = Decimal("0.00")
    for e in ents:
        done = paid.get(e.id, {})
        first = max(month_start(e.start), month_start(e.policy_start))
        periods = set(months(first, month)) | {p for p in done if p <= month}

        def owed(period: date, e: EntView = e, first: date = first) -> tuple[Decimal, str]:
            if period < first or (e.end is not None and period >= e.end):
                return zero, ""
            return due(e, period)

        for period in sorted(periods):
            amount, band = owed(period)
            settled = done.get(period, zero)
            if period == month:
                if amount <= 0:
                    continue
                prev_amount, _ = owed(add_months(month, -1))
                if not any(v > 0 for v in done.values()):
                    kind, note = "new", "新纳入"
                elif prev_amount and prev_amount != amount:
                    kind, note = "changed", f"标准由{prev_amount}调整为{amount}（{band}）"
                else:
                    kind, note = "regular", ""
                out.append(Line(e.id, period, kind, amount - settled, band, note))
            elif amount > settled:
                out.append(
                    Line(e.id, period, "back_pay", amount - settled, band, f"补发{period:%Y年%m月}")
                )
            elif amount < settled:
                out.append(
                    Line(
                        e.id,
                        period,
                        "recovery",
                        amount - settled,
                        band,
                        f"追回{period:%Y年%m月}多发金额",
                    )
                )
        last = add_months(month, -1)
        if done.get(last, zero) > 0 and owed(month)[0] <= 0:
            out.append(Line(e.id, month, "stopped", zero, "", e.stop_reason or "停发"))
    return out
