"""The only code that writes the service list, applications, entitlements, review tasks,
discovery results and rolls. Each function: keyword arguments, an explicit actor, one
transaction, a scope check (404 outside the jurisdiction), one audit event."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import Mode, User
from yanglao.accounts.roles import Cap, Role
from yanglao.accounts.scoping import WRITE_RECORDS, require_in_scope
from yanglao.benefits import query, rules
from yanglao.benefits.choices import (
    OPEN_STATUSES,
    AppStatus,
    ItemCategory,
    LineKind,
    RefusalReason,
    RollStatus,
    Step,
    StopReason,
    TaskKind,
    TaskOutcome,
    TaskStatus,
)
from yanglao.benefits.models import (
    Application,
    Candidate,
    CandidateClosure,
    ClosureOutcome,
    Decision,
    DiscoveryRun,
    Document,
    Entitlement,
    OverlapRule,
    ReviewTask,
    Roll,
    RollLine,
    ServiceItem,
)
from yanglao.core import bulk, crypto
from yanglao.core.audit import audit
from yanglao.people.choices import LifeStatus
from yanglao.people.models import Person, PersonCategory
from yanglao.people.rules import birth_range_for_age
from yanglao.regions import codes
from yanglao.regions.models import Region


class Action:
    """Audit action names of this capability (labels in core.audit.ACTION_LABELS)."""

    ITEM_PUBLISH = "benefit_item.publish"
    OVERLAP_PUBLISH = "benefit_overlap.publish"
    APPLY = "benefit.apply"
    DECIDE = "benefit.decide"
    APPEAL = "benefit.appeal"
    STOP = "benefit.stop"
    AUTO_STOP = "benefit.auto_stop"
    TASK_CLOSE = "benefit.task_close"
    NIGHTLY = "benefit.nightly"
    IMPORT = "benefit.import"
    CANDIDATES_EXPORT = "benefit.candidates_export"
    ROLL_GENERATE = "roll.generate"
    ROLL_APPROVE = "roll.approve"
    ROLL_EXPORT = "roll.export"
    ACCOUNT_SET = "benefit.account_set"


class BenefitInvalid(Exception):
    """Field errors in Chinese, keyed by field name; '__all__' for the whole request."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class NotPermitted(Exception):
    pass


def _fail(field_name: str, message: str) -> BenefitInvalid:
    return BenefitInvalid({field_name: [message]})


def _require(actor: User, cap: str) -> None:
    if not actor.can(cap):
        raise NotPermitted(cap)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def county_of(region_code: str) -> str:
    return region_code[:6].ljust(12, "0")


# --- the service list --------------------------------------------------------------------


@dataclass
class ItemInput:
    code: str
    name: str
    category: str
    target: str
    rule: Any
    standard: Any
    effective_from: date
    document_no: str
    content: str = ""
    unit: str = ""
    payable: bool = False
    discover: bool = True
    funding: str = ""
    department: str = ""
    article: str = ""
    provisional: bool = False
    note: str = ""


def _level_name(code: str | None) -> str:
    if code is None:
        return "国家"
    return {codes.PROVINCE: "省级", codes.CITY: "市级", codes.COUNTY: "县级"}[codes.level_of(code)]


def _check_publisher(actor: User, region_code: str | None) -> None:
    _require(actor, Cap.BENEFIT_LIST_MANAGE)
    if region_code is None:
        # The national list is data kept by the platform's system administrator.
        if actor.role != Role.SYSTEM_ADMIN:
            raise NotPermitted(Cap.BENEFIT_LIST_MANAGE)
        return
    if not actor.jurisdictions.filter(region_id=region_code, mode=Mode.EDIT).exists():
        raise Http404  # a list is published by the level itself, for its own region


def item_publish(
    *, actor: User, region_code: str | None, data: ItemInput, today: date | None = None
) -> ServiceItem:
    """Publish a new version of an item at a level (national, province, city or county).

    A lower level inherits every item above; publishing the same code there may raise the
    standard or widen who is covered, never lower or narrow it (中办发〔2022〕42号).
    """
    _check_publisher(actor, region_code)
    errors: dict[str, list[str]] = {}
    code = data.code.strip().upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{0,15}", code):
        errors["code"] = ["项目编码须是1–16位字母、数字或连字符"]
    for name, label in (("name", "项目名称"), ("target", "服务对象"), ("document_no", "依据文号")):
        if not str(getattr(data, name)).strip():
            errors[name] = [f"请填写{label}"]
    if data.category not in ItemCategory.values:
        errors["category"] = ["类别须是物质帮助、照护服务或关爱服务"]
    if rule_errors := rules.check_rule(data.rule):
        errors["rule"] = rule_errors
    if std_errors := rules.check_standard(data.standard):
        errors["standard"] = std_errors
    if region_code is not None and "rule" not in errors:
        # Items of a region apply to its residents only (户籍 = the ledger's residence).
        pass
    if errors:
        raise BenefitInvalid(errors)
    parent_code = None
    if region_code is not None:
        chain = query.chain_codes(region_code)
        parent_code = chain[-2] if len(chain) > 1 else None
    upper = (
        query.resolve_item(parent_code, code, data.effective_from)
        if parent_code
        else (
            next((r for r in query.resolve_list(None, data.effective_from) if r.code == code), None)
            if region_code is not None
            else None
        )
    )
    if upper is not None:
        level = query.level_label(upper.item) + "级"
        problems = rules.not_below(upper.standard, data.standard, level)
        if not rules.rule_widens(upper.rule, data.rule):
            problems.append(
                f"服务对象条件不能比{level}清单窄：须与上级一致，或在上级条件之外用“any”扩大"
            )
        if upper.item.payable and not data.payable:
            problems.append(f"{level}清单规定按月发放资金，下级不能取消")
        if problems:
            raise BenefitInvalid({"standard": problems})
    with transaction.atomic():
        current = (
            ServiceItem.objects.select_for_update()
            .filter(code=code, region_id=region_code)
            .order_by("-version")
            .first()
        )
        version = 1
        if current is not None:
            version = current.version + 1
            if current.effective_from >= data.effective_from:
                raise _fail(
                    "effective_from",
                    f"生效日期须晚于现行版本（第{current.version}版，"
                    f"{current.effective_from:%Y-%m-%d}起）",
                )
            if current.effective_to is None or current.effective_to > data.effective_from:
                current.effective_to = data.effective_from
                current.save(update_fields=["effective_to"])
        item = ServiceItem.objects.create(
            code=code,
            name=data.name.strip(),
            category=data.category,
            target=data.target.strip(),
            rule=data.rule,
            content=data.content.strip(),
            standard=[
                {
                    "band": str(b["band"]).strip(),
                    "when": b.get("when"),
                    "value": str(rules.parse_money(b.get("value")))
                    if rules.parse_money(b.get("value")) is not None
                    else None,
                }
                for b in data.standard
            ],
            unit=data.unit.strip(),
            payable=data.payable,
            discover=data.discover,
            funding=data.funding.strip(),
            department=data.department.strip(),
            document_no=data.document_no.strip(),
            article=data.article.strip(),
            region_id=region_code,
            effective_from=data.effective_from,
            version=version,
            provisional=data.provisional,
            note=data.note.strip()[:200],
            created_by=actor,
        )
        audit(
            actor=actor,
            action=Action.ITEM_PUBLISH,
            object_type="service_item",
            object_id=f"{code}@{region_code or 'national'}#{version}",
            object_label=item.name,
            region_code=region_code or "",
            changes={
                "level": _level_name(region_code),
                "standard": item.standard,
                "rule": item.rule,
                "effective_from": str(item.effective_from),
                "document_no": item.document_no,
                "previous_version": current.version if current else None,
            },
        )
    return item


def overlap_publish(
    *,
    actor: User,
    region_code: str | None,
    code_a: str,
    code_b: str,
    kind: str,
    document_no: str,
    effective_from: date,
    note: str = "",
) -> OverlapRule:
    """Set the overlap rule of a pair at a level; it replaces the level's earlier rule of the
    pair from its date. A lower level may be more generous than the level above (allowed >
    choose the higher > exclusive), never stricter."""
    from yanglao.benefits.choices import OverlapKind

    _check_publisher(actor, region_code)
    a, b = code_a.strip().upper(), code_b.strip().upper()
    errors: dict[str, list[str]] = {}
    if kind not in OverlapKind.values:
        errors["kind"] = ["请选择衔接规则"]
    if not document_no.strip():
        errors["document_no"] = ["请填写依据文号"]
    known = {r.code for r in query.resolve_list(region_code, effective_from)}
    for name, code in (("code_a", a), ("code_b", b)):
        if code not in known:
            errors[name] = [f"清单中没有项目“{code}”"]
    if a == b:
        errors["code_b"] = ["两个项目不能相同"]
    if errors:
        raise BenefitInvalid(errors)
    if region_code is not None:
        chain = query.chain_codes(region_code)[:-1]
        upper = [
            r
            for r in OverlapRule.objects.filter(query.in_force(effective_from)).filter(
                Q(region__isnull=True) | Q(region_id__in=chain)
            )
            if {r.code_a, r.code_b} == {a, b}
        ]
        upper.sort(key=lambda r: len(codes.prefix(r.region_id)) if r.region_id else 0)
        if upper and not rules.overlap_not_stricter(upper[-1].kind, kind):
            raise _fail(
                "kind",
                f"上级规定“{upper[-1].get_kind_display()}”（{upper[-1].document_no or '无文号'}），"
                "下级只能更宽松、不能更严格",
            )
    with transaction.atomic():
        previous = [
            r
            for r in OverlapRule.objects.select_for_update().filter(
                region_id=region_code, effective_to__isnull=True
            )
            if {r.code_a, r.code_b} == {a, b}
        ]
        for r in previous:
            if r.effective_from >= effective_from:
                raise _fail("effective_from", "生效日期须晚于现行规则")
            r.effective_to = effective_from
            r.save(update_fields=["effective_to"])
        rule = OverlapRule.objects.create(
            code_a=a,
            code_b=b,
            kind=kind,
            region_id=region_code,
            document_no=document_no.strip(),
            note=note.strip()[:200],
            effective_from=effective_from,
        )
        audit(
            actor=actor,
            action=Action.OVERLAP_PUBLISH,
            object_type="overlap_rule",
            object_id=str(rule.pk),
            object_label=f"{a}×{b}",
            region_code=region_code or "",
            changes={"kind": kind, "document_no": rule.document_no, "from": str(effective_from)},
        )
    return rule


# --- applications ------------------------------------------------------------------------

MAX_DOCUMENTS = 5
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# Declared type → the file's first bytes: a file is accepted only if both agree.
DOCUMENT_TYPES = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG",
}


@dataclass
class Upload:
    name: str
    content_type: str
    data: bytes


@dataclass
class Check:
    """What the engine and the overlap rules say about one person and one item."""

    item: query.ResolvedItem
    verdict: rules.Verdict
    amount: Decimal | None
    band: str
    conflicts: list[rules.Conflict] = field(default_factory=list)
    held: dict[str, Decimal | None] = field(default_factory=dict)


def _amount(item: query.ResolvedItem, facts: rules.Facts, on: date) -> tuple[Decimal | None, str]:
    band = rules.band_for(item.standard, facts, on)
    if band is None:
        return None, ""
    return rules.parse_money(band.get("value")), str(band["band"])


def check_person_item(person: Person, code: str, on: date) -> Check | None:
    """Eligibility, amount and overlaps of one item for one person (None: no such item)."""
    found = query.item_verdict(person, code, on)
    if found is None:
        return None
    item, facts, verdict = found.item, found.facts, found.verdict
    amount, band = _amount(item, facts, on)
    held: dict[str, Decimal | None] = {}
    for e in Entitlement.objects.filter(person=person, end__isnull=True).exclude(item_code=code):
        other = query.resolve_item(person.region_id, e.item_code, on)
        held[e.item_code] = _amount(other, facts, on)[0] if other else None
    conflicts = rules.overlaps(code, amount, held, query.overlap_rules(person.region_id, on))
    return Check(item, verdict, amount, band, conflicts, held)


def _check_documents(docs: list[Upload], errors: dict[str, list[str]]) -> None:
    if len(docs) > MAX_DOCUMENTS:
        errors.setdefault("documents", []).append(f"证明材料最多{MAX_DOCUMENTS}个")
    for d in docs:
        magic = DOCUMENT_TYPES.get(d.content_type)
        if magic is None or not d.data.startswith(magic):
            errors.setdefault("documents", []).append(f"“{d.name}”不是 PDF、JPG 或 PNG 文件")
        if len(d.data) > MAX_DOCUMENT_BYTES:
            errors.setdefault("documents", []).append(f"“{d.name}”超过 5 MB")


def _decide_event(
    actor: User | None, action: str, app: Application, changes: dict[str, Any]
) -> None:
    audit(
        actor=actor,
        action=action,
        object_type="benefit_application",
        object_id=str(app.public_id),
        object_label=f"{app.person.name} {app.item.name}",
        region_code=app.region_id,
        changes={"item": app.item_code, **changes},
    )


def application_create(
    *,
    actor: User,
    person: Person,
    item_code: str,
    account: str = "",
    note: str = "",
    documents: list[Upload] | None = None,
    acknowledge_ineligible: bool = False,
    today: date | None = None,
) -> Application:
    """受理: a village worker (or a township/county window) accepts an application after
    checking it; the first step of 村 受理 → 乡镇 审核 → 县 审批.

    An application the engine calls not eligible is still accepted once the officer
    confirms (`acknowledge_ineligible`) that the applicant was told the system's finding
    and insists. 应保尽保 obliges the bureau to find the eligible; it does not let a window
    turn an applicant away: the applicant has the right to apply (申请人有权申请) and to a
    decision with reasons from the township and the county (《社会救助暂行办法》 and the
    civil-affairs review procedures require a written decision stating the reasons for a
    refusal, and the ledger the engine reads may be out of date). The finding travels with
    the application: stored in its warnings, shown at review and approval, in the API, and
    approval itself re-checks and refuses while the engine still says no."""
    _require(actor, Cap.BENEFIT_APPLY)
    require_in_scope(actor, person.region_id, WRITE_RECORDS)
    on = _today(today)
    docs = documents or []
    errors: dict[str, list[str]] = {}
    if person.life_status != LifeStatus.ALIVE:
        raise _fail("__all__", "该老人已死亡或迁出，不能受理")
    check = check_person_item(person, item_code, on)
    if check is None:
        raise _fail("item_code", "请选择申请项目" if not item_code else "本地清单中没有该项目")
    notice = rules.ineligible_notice(check.verdict.value, check.verdict.reasons)
    if notice and not acknowledge_ineligible:
        errors["acknowledge_ineligible"] = [
            notice,
            "申请人坚持申请的，请勾选“已告知申请人系统核对结果，申请人坚持申请”后再受理",
        ]
    if Entitlement.objects.filter(person=person, item_code=item_code, end__isnull=True).exists():
        errors.setdefault("item_code", []).append("该老人正在享受此项待遇")
    for c in check.conflicts:
        if c.kind == "exclusive":
            errors.setdefault("item_code", []).append(
                f"与正在享受的{c.other_code}不能同时享受（依据：{c.source}）"
            )
    acct = rules.clean_account(account) or ""
    if (check.item.item.payable or account.strip()) and not acct:
        errors["account"] = [rules.ACCOUNT_RULE]
    _check_documents(docs, errors)
    if errors:
        raise BenefitInvalid(errors)
    warnings = [notice] if notice else []
    warnings += [f"缺少信息：{m}，由审核人员核实" for m in check.verdict.missing]
    warnings += [
        f"与正在享受的{c.other_code}择高享受（依据：{c.source}）："
        + ("本项较高，批准后停发原待遇" if c.keep_new else "原待遇较高，本项可能不予批准")
        for c in check.conflicts
        if c.kind == "choose_higher"
    ]
    with transaction.atomic():
        app = Application(
            person=person,
            region_id=person.region_id,
            item_code=item_code,
            item=check.item.item,
            accepted_on=on,
            account_cipher=crypto.encrypt(acct) if acct else "",
            account_masked=rules.mask_account(acct) if acct else "",
            note=note.strip()[:500],
            eligibility={
                "value": check.verdict.value,
                "reasons": check.verdict.reasons,
                "missing": check.verdict.missing,
                "amount": str(check.amount) if check.amount is not None else None,
                "band": check.band,
            },
            warnings=warnings,
            created_by=actor,
        )
        try:
            with transaction.atomic():
                app.save()
        except IntegrityError as exc:
            raise _fail("item_code", "该老人已有同一项目的申请在办理中") from exc
        Decision.objects.create(
            application=app,
            step=Step.ACCEPT,
            approved=True,
            reason=note.strip()[:500] or "材料齐全，予以受理",
            actor=actor,
            actor_name=actor.full_name or actor.username,
        )
        Document.objects.bulk_create(
            Document(
                application=app,
                name=d.name[:200],
                content_type=d.content_type,
                size=len(d.data),
                data=d.data,
                uploaded_by=actor,
            )
            for d in docs
        )
        _decide_event(
            actor,
            Action.APPLY,
            app,
            {
                "step": Step.ACCEPT,
                "documents": len(docs),
                "warnings": warnings,
                "ineligible_acknowledged": bool(notice),
            },
        )
    return app


def _lock_app(app: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("person", "item")
        .get(pk=app.pk)
    )


def application_decide(
    *,
    actor: User,
    application: Application,
    approve: bool,
    reason: str,
    reason_code: str = "",
    today: date | None = None,
) -> Application:
    """乡镇（街道）审核 of an accepted application, 县（区）审批 of a reviewed one, or
    县（区）复核 of an appealed one. A refusal carries a reason code."""
    require_in_scope(actor, application.region_id, WRITE_RECORDS)
    on = _today(today)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = ["请填写审核意见"]
    if not approve and reason_code not in RefusalReason.values:
        errors["reason_code"] = ["请选择不予批准的原因"]
    if errors:
        raise BenefitInvalid(errors)
    with transaction.atomic():
        app = _lock_app(application)
        if app.status == AppStatus.ACCEPTED:
            _require(actor, Cap.BENEFIT_REVIEW)
            step = Step.REVIEW
            new_status = AppStatus.REVIEWED if approve else AppStatus.REFUSED
        elif app.status in (AppStatus.REVIEWED, AppStatus.APPEALED):
            _require(actor, Cap.BENEFIT_APPROVE)
            step = Step.APPROVE if app.status == AppStatus.REVIEWED else Step.RECHECK
            new_status = AppStatus.APPROVED if approve else AppStatus.REFUSED
        else:
            raise _fail("__all__", f"申请已办结（{app.get_status_display()}）")
        changes: dict[str, Any] = {"step": step, "approved": approve}
        # What the officer saw on the page: the engine's finding at this step, on record.
        found = query.item_verdict(app.person, app.item_code, on)
        changes["system_check"] = (
            {"eligible": found.verdict.value, "reasons": found.verdict.reasons}
            if found
            else {"eligible": False, "reasons": ["本地清单中已没有该项目"]}
        )
        if new_status == AppStatus.APPROVED:
            changes["entitlement"] = _grant(actor, app, on)
        app.status = new_status
        app.save(update_fields=["status", "updated_at"])
        Decision.objects.create(
            application=app,
            step=step,
            approved=approve,
            reason_code="" if approve else reason_code,
            reason=reason.strip()[:500],
            actor=actor,
            actor_name=actor.full_name or actor.username,
        )
        changes["reason_code"] = "" if approve else reason_code
        changes["reason"] = reason.strip()[:500]
        _decide_event(actor, Action.DECIDE, app, changes)
    return app


NOT_APPROVABLE = (
    "系统核对不符合条件的申请不能批准：台账信息有误的，请先更正台账再审批；"
    "否则请选择“不予批准”（原因：不符合条件）并说明理由"
)


def _grant(actor: User, app: Application, on: date) -> dict[str, Any]:
    """Approval: re-check eligibility and overlaps now, then open the entitlement from the
    month of acceptance (so a slow approval is back-paid in the next roll, §4.4)."""
    person = Person.objects.get(pk=app.person_id)
    if person.life_status != LifeStatus.ALIVE:
        raise _fail("__all__", "该老人已死亡或迁出，不能批准")
    check = check_person_item(person, app.item_code, on)
    if check is None:
        raise _fail("__all__", "本地清单中已没有该项目")
    if notice := rules.ineligible_notice(check.verdict.value, check.verdict.reasons):
        raise _fail("__all__", notice + "。" + NOT_APPROVABLE)
    start = rules.month_start(app.accepted_on)
    replaced: list[str] = []
    for c in check.conflicts:
        if c.kind == "exclusive":
            raise _fail("__all__", f"与正在享受的{c.other_code}不能同时享受（依据：{c.source}）")
        if c.kind == "choose_higher" and not c.keep_new:
            raise _fail(
                "__all__",
                f"正在享受的{c.other_code}标准不低于本项，按择高规则不予重复发放（依据：{c.source}）",
            )
        if c.kind == "choose_higher":
            other = Entitlement.objects.select_for_update().get(
                person=person, item_code=c.other_code, end__isnull=True
            )
            other.end = max(rules.next_month(on), other.start)
            other.stop_reason, other.stop_note = StopReason.REPLACED, f"择高改发{app.item_code}"
            other.save(update_fields=["end", "stop_reason", "stop_note"])
            replaced.append(c.other_code)
            start = max(start, other.end)
    try:
        with transaction.atomic():
            ent = Entitlement.objects.create(
                person=person,
                item_code=app.item_code,
                county_id=county_of(person.region_id),
                application=app,
                start=start,
                account_cipher=app.account_cipher,
                account_masked=app.account_masked,
            )
    except IntegrityError as exc:
        raise _fail("__all__", "该老人正在享受此项待遇") from exc
    return {"start": str(ent.start), "replaced": replaced, "amount": str(check.amount)}


def application_appeal(*, actor: User, application: Application, reason: str) -> Application:
    """One appeal after a refusal; the county rechecks it."""
    _require(actor, Cap.BENEFIT_APPLY)
    require_in_scope(actor, application.region_id, WRITE_RECORDS)
    if not reason.strip():
        raise _fail("reason", "请填写申诉理由")
    with transaction.atomic():
        app = _lock_app(application)
        if app.status != AppStatus.REFUSED:
            raise _fail("__all__", "只有未批准的申请可以申诉")
        if app.appealed:
            raise _fail("__all__", "每项申请只能申诉一次")
        app.status, app.appealed = AppStatus.APPEALED, True
        app.save(update_fields=["status", "appealed", "updated_at"])
        Decision.objects.create(
            application=app,
            step=Step.APPEAL,
            approved=True,
            reason=reason.strip()[:500],
            actor=actor,
            actor_name=actor.full_name or actor.username,
        )
        _decide_event(actor, Action.APPEAL, app, {"reason": reason.strip()[:500]})
    return app


# --- entitlements and reviews ------------------------------------------------------------


def entitlement_stop(
    *, actor: User, entitlement: Entitlement, reason_code: str, note: str, end: date
) -> Entitlement:
    """Stop a payment from the first day of `end`'s month."""
    _require(actor, Cap.BENEFIT_APPROVE)
    person = Person.objects.get(pk=entitlement.person_id)
    require_in_scope(actor, person.region_id, WRITE_RECORDS)
    errors: dict[str, list[str]] = {}
    if reason_code not in StopReason.values:
        errors["reason_code"] = ["请选择停发原因"]
    if reason_code == StopReason.OTHER and not note.strip():
        errors["note"] = ["“其他”须说明原因"]
    month = rules.month_start(end)
    if month < entitlement.start:
        errors["end"] = ["停发月份不能早于起始月份"]
    if errors:
        raise BenefitInvalid(errors)
    with transaction.atomic():
        ent = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
        if ent.end is not None:
            raise _fail("__all__", "该待遇已停发")
        ent.end, ent.stop_reason, ent.stop_note = month, reason_code, note.strip()[:200]
        ent.save(update_fields=["end", "stop_reason", "stop_note"])
        _entitlement_event(
            actor,
            Action.STOP,
            ent,
            person,
            {"end": str(month), "reason": reason_code, "note": ent.stop_note},
        )
    return ent


def _entitlement_event(
    actor: User, action: str, ent: Entitlement, person: Person, changes: dict[str, Any]
) -> None:
    audit(
        actor=actor,
        action=action,
        object_type="benefit_entitlement",
        object_id=str(ent.public_id),
        object_label=f"{person.name} {ent.item_code}",
        region_code=person.region_id,
        changes=changes,
    )


def entitlement_account_set(
    *, actor: User, entitlement: Entitlement, account: str, note: str
) -> Entitlement:
    """Enter or correct the payment account (发放账号) of an entitlement: the bank pays to
    it, so a county officer does it on evidence named in `note` (本人社保卡、存折 …). The
    audit keeps the masked old and new numbers, never the full ones. Taken at export time,
    so a roll already generated needs no re-generation."""
    _require(actor, Cap.BENEFIT_APPROVE)
    person = Person.objects.get(pk=entitlement.person_id)
    require_in_scope(actor, person.region_id, WRITE_RECORDS)
    errors: dict[str, list[str]] = {}
    acct = rules.clean_account(account)
    if acct is None:
        errors["account"] = [rules.ACCOUNT_RULE]
    basis = note.strip()
    if "\x00" in basis:
        errors["note"] = ["依据说明中含有无法识别的字符"]
    elif not basis:
        errors["note"] = ["请填写依据（如：本人提供的社保卡、银行存折）"]
    if errors or acct is None:
        raise BenefitInvalid(errors)
    with transaction.atomic():
        ent = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
        if ent.account_cipher and crypto.decrypt(ent.account_cipher) == acct:
            raise _fail("account", "与现有发放账号相同，无需更正")
        old = ent.account_masked if ent.account_cipher else ""
        ent.account_cipher, ent.account_masked = crypto.encrypt(acct), rules.mask_account(acct)
        ent.save(update_fields=["account_cipher", "account_masked"])
        _entitlement_event(
            actor,
            Action.ACCOUNT_SET,
            ent,
            person,
            {"account": {"old": old, "new": ent.account_masked}, "note": basis[:200]},
        )
    return ent


def _task(
    person_id: int,
    region: str,
    kind: str,
    key: str,
    due: date,
    detail: str,
    entitlement_id: int | None = None,
    status: str = TaskStatus.OPEN,
    outcome: str = "",
) -> bool:
    _, created = ReviewTask.objects.get_or_create(
        person_id=person_id,
        kind=kind,
        key=key,
        defaults={
            "region_id": region,
            "due": due,
            "detail": detail[:300],
            "entitlement_id": entitlement_id,
            "status": status,
            "outcome": outcome,
        },
    )
    return created


REVIEW_DAYS = 15  # due date of a review task: 15 days (local rules vary; a setting here)


def person_closed(
    *, actor: User | None, person: Person, status: str, on: date, today: date | None = None
) -> int:
    """Called through people.hooks (benefits.hooks.on_closed) in the same transaction as a death or move-out: stop every
    payment from the next month (mechanical, §4.4), refuse open applications, and open a
    review task per entitlement so an officer checks for over-payment. Returns the number
    of entitlements stopped."""
    end = rules.stop_month(on)
    reason = StopReason.DEATH if status == LifeStatus.DECEASED else StopReason.MOVED_OUT
    kind = TaskKind.DEATH if status == LifeStatus.DECEASED else TaskKind.MOVED_OUT
    label = "死亡" if status == LifeStatus.DECEASED else "迁出"
    due = date.fromordinal(_today(today).toordinal() + REVIEW_DAYS)
    ents = list(Entitlement.objects.select_for_update().filter(person=person, end__isnull=True))
    for e in ents:
        e.end = max(end, e.start)
        e.stop_reason, e.stop_note = reason, f"{on:%Y-%m-%d}{label}，自{e.end:%Y年%m月}起停发"
        e.save(update_fields=["end", "stop_reason", "stop_note"])
        _task(
            person.pk,
            person.region_id,
            kind,
            f"{e.pk}",
            due,
            f"{on:%Y-%m-%d}{label}：{e.item_code}已自{e.end:%Y年%m月}起停发，请核对是否多发并追回",
            e.pk,
        )
    apps = list(Application.objects.filter(person=person, status__in=OPEN_STATUSES))
    for app in apps:
        app.status = AppStatus.REFUSED
        app.save(update_fields=["status", "updated_at"])
        Decision.objects.create(
            application=app,
            step=Step.APPROVE,
            approved=False,
            reason_code=RefusalReason.NOT_ELIGIBLE,
            reason=f"老人于{on:%Y-%m-%d}{label}，申请终止",
            actor=actor,
            actor_name="系统",
        )
    if ents or apps:
        audit(
            actor=actor,
            action=Action.AUTO_STOP,
            object_type="person",
            object_id=str(person.public_id),
            object_label=person.name,
            region_code=person.region_id,
            changes={
                "event": status,
                "date": str(on),
                "stopped": [e.item_code for e in ents],
                "from": str(end),
                "applications_closed": len(apps),
            },
        )
    return len(ents)


def task_close(*, actor: User, task: ReviewTask, outcome: str, note: str) -> ReviewTask:
    if not (actor.can(Cap.BENEFIT_APPROVE) or actor.can(Cap.BENEFIT_REVIEW)):
        raise NotPermitted(Cap.BENEFIT_REVIEW)
    require_in_scope(actor, task.region_id, WRITE_RECORDS)
    if outcome not in TaskOutcome.values or outcome == TaskOutcome.AUTO:
        raise _fail("outcome", "请选择处理结果")
    if not note.strip():
        raise _fail("note", "请填写处理说明")
    with transaction.atomic():
        t = ReviewTask.objects.select_for_update().get(pk=task.pk)
        if t.status == TaskStatus.DONE:
            raise _fail("__all__", "该任务已处理")
        t.status, t.outcome, t.outcome_note = TaskStatus.DONE, outcome, note.strip()[:300]
        t.closed_by, t.closed_at = actor, timezone.now()
        t.save()
        audit(
            actor=actor,
            action=Action.TASK_CLOSE,
            object_type="benefit_task",
            object_id=str(t.pk),
            object_label=t.get_kind_display(),
            region_code=t.region_id,
            changes={"outcome": outcome, "note": t.outcome_note},
        )
    return t


# --- the nightly run (应保尽保 discovery and 应退尽退 review tasks) ------------------------


def _counties() -> list[str]:
    return list(
        Region.objects.filter(level=codes.COUNTY, valid_to__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
    )


def _groups(counties: list[str], on: date) -> dict[str, list[tuple[query.ResolvedItem, list[str]]]]:
    """Per item code, each distinct version in force and the counties it applies to."""
    out: dict[str, dict[int, tuple[query.ResolvedItem, list[str]]]] = {}
    for county in counties:
        for r in query.resolve_list(county, on):
            key = r.item.pk
            slot = out.setdefault(r.code, {})
            if key not in slot:
                slot[key] = (r, [])
            slot[key][1].append(county)
    return {code: list(v.values()) for code, v in out.items()}


def _county_runs(counties: list[str]) -> list[tuple[str, str]]:
    """The code ranges of these counties' subtrees, one per run of consecutive counties
    (codes.subtree_runs over every county ever recorded, so an abolished one still ends a
    run). An item version usually applies to all counties but the few with their own: one
    or two ranges instead of 68 — tested for every person of the province, 68 pairs of
    text comparisons were most of the nightly run's time."""
    universe = list(Region.objects.filter(level=codes.COUNTY).values_list("code", flat=True))
    return codes.subtree_runs(counties, universe, codes.COUNTY)


def _ranges_q(counties: list[str], field_name: str = "region_id") -> Q:
    cond = Q(pk__isnull=True)
    for low, high in _county_runs(counties):
        cond |= Q(**{f"{field_name}__gte": low, f"{field_name}__lte": high})
    return cond


def discovery_run(*, on: date, counties: list[str] | None = None) -> dict[str, int]:
    """Set-based: for every discoverable, machine-evaluable item, the people the compiled rule
    finds who neither hold the item nor have an open application; then write only what
    changed: insert the newly found, move the ones whose village changed, delete the ones no
    longer found. Idempotent for a date; the run itself is one DiscoveryRun row.

    (Rewriting every candidate each night left millions of dead rows behind and made the run
    grow faster than the people: 64.6–68 s at 5,550,000.)"""
    with transaction.atomic():
        bulk.job_memory()
        if connection.vendor == "postgresql":
            # Each item's eligible set starts from a few hundred thousand tagged people: probing
            # them by primary key beats reading all 5,550,000 rows, but only the default
            # random_page_cost (4, spinning disks) hides it — a seq scan of the people per item
            # (N04: 8.4 s → 4.6 s; whole run 34 s → 22 s at 5,550,000). SSD value, this job only.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL random_page_cost = 1.1")
        return _discovery(on, counties if counties is not None else _counties())


def _discovery(on: date, counties: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for code, groups in sorted(_groups(counties, on).items()):
        for item, group in groups:
            if not item.item.discover or not rules.is_machine_evaluable(item.rule):
                continue
            qs = (
                Person.objects.filter(query.eligible_q(item.rule, on))
                .filter(_ranges_q(group))
                .exclude(
                    Exists(
                        Entitlement.objects.filter(
                            person=OuterRef("pk"), item_code=code, end__isnull=True
                        )
                    )
                )
                .exclude(
                    Exists(
                        Application.objects.filter(
                            person=OuterRef("pk"), item_code=code, status__in=OPEN_STATUSES
                        )
                    )
                )
                .annotate(c_pid=F("pk"), c_rid=F("region_id"))
                .values_list("c_pid", "c_rid")
            )
            found = _discover_write(qs, code, group, on)
            counts[code] = counts.get(code, 0) + found
    # Items no longer discoverable anywhere leave no stale candidates behind.
    Candidate.objects.exclude(item_code__in=list(counts)).delete()
    DiscoveryRun.objects.update_or_create(
        on=on, defaults={"finished_at": timezone.now(), "found": counts}
    )
    return counts


def _discover_write(qs: Any, code: str, group: list[str], on: date) -> int:
    """Bring the candidates of `code` in the counties of `group` to the set `qs` (person id,
    region code) writes only the rows that change; returns the size of the set."""
    table = Candidate._meta.db_table
    closures = CandidateClosure._meta.db_table
    entitlements = Entitlement._meta.db_table
    applications = Application._meta.db_table
    if connection.vendor != "postgresql":
        # SQLite (tests, a village's laptop): the same three steps through the ORM.
        now = dict(qs)
        have = dict(
            Candidate.objects.filter(item_code=code)
            .filter(_ranges_q(group) | Q(person_id__in=list(now)))
            .values_list("person_id", "region_id")
        )
        Candidate.objects.bulk_create(
            [
                Candidate(person_id=p, item_code=code, region_id=r, first_found=on, last_seen=on)
                for p, r in now.items()
                if p not in have
            ],
            ignore_conflicts=True,
        )
        for p, r in now.items():
            if p in have and have[p] != r:
                Candidate.objects.filter(person_id=p, item_code=code).update(
                    region_id=r, last_seen=on
                )
        gone = Candidate.objects.filter(
            item_code=code, person_id__in=[p for p in have if p not in now]
        ).filter(_ranges_q(group))
        taken = set(
            Entitlement.objects.filter(
                item_code=code, end__isnull=True, person_id__in=gone.values("person_id")
            ).values_list("person_id", flat=True)
        ) | set(
            Application.objects.filter(
                item_code=code, status__in=OPEN_STATUSES, person_id__in=gone.values("person_id")
            ).values_list("person_id", flat=True)
        )
        CandidateClosure.objects.bulk_create(
            CandidateClosure(
                person_id=c.person_id,
                item_code=code,
                region_id=c.region_id,
                first_found=c.first_found,
                closed_on=on,
                outcome=ClosureOutcome.APPLIED
                if c.person_id in taken
                else ClosureOutcome.INELIGIBLE,
            )
            for c in gone
        )
        gone.delete()
        return len(now)
    inner, params = qs.query.sql_with_params()
    ranges, range_params = [], []
    for low, high in _county_runs(group):
        ranges.append("c.region_id BETWEEN %s AND %s")
        range_params += [low, high]
    with connection.cursor() as cur:
        # The set once, into a temporary table the planner has statistics for; then delete,
        # move and insert against it, each its own statement, in that order. (One statement
        # with the set as a CTE let the planner, which saw an empty candidate table on a first
        # run, re-scan the candidates once per person found while the same statement's
        # INSERT kept growing them: 10+ minutes per item at 5,550,000.) The INSERT relies on
        # the unique index alone (ON CONFLICT), never on a join the planner could misjudge.
        cur.execute("DROP TABLE IF EXISTS pg_temp.discovery_found")
        cur.execute(f"CREATE TEMPORARY TABLE discovery_found ON COMMIT DROP AS {inner}", params)
        cur.execute("CREATE INDEX ON discovery_found (c_pid)")
        cur.execute("ANALYZE discovery_found")
        cur.execute(
            f"WITH del AS (DELETE FROM {table} c WHERE c.item_code = %s"
            f" AND ({' OR '.join(ranges)})"
            " AND NOT EXISTS (SELECT 1 FROM discovery_found s WHERE s.c_pid = c.person_id)"
            " RETURNING c.person_id, c.region_id, c.first_found)"
            # Each name leaving the list is kept with why: applied (or holds the item) or
            # no longer eligible — the 应保未保 closed figure of the statistics module.
            f" INSERT INTO {closures} (person_id, item_code, region_id, first_found,"
            " closed_on, outcome) SELECT d.person_id, %s, d.region_id, d.first_found, %s,"
            " CASE WHEN EXISTS (SELECT 1 FROM "
            f"{entitlements} e WHERE e.person_id = d.person_id AND e.item_code = %s"
            ' AND e."end" IS NULL) OR EXISTS (SELECT 1 FROM '
            f"{applications} a WHERE a.person_id = d.person_id AND a.item_code = %s"
            " AND a.status = ANY(%s)) THEN %s ELSE %s END FROM del d",
            [
                code,
                *range_params,
                *(code, on, code, code, [str(x) for x in OPEN_STATUSES]),
                *(ClosureOutcome.APPLIED.value, ClosureOutcome.INELIGIBLE.value),
            ],
        )
        cur.execute(
            f"UPDATE {table} c SET region_id = s.c_rid, last_seen = %s FROM discovery_found s"
            " WHERE c.person_id = s.c_pid AND c.item_code = %s AND c.region_id <> s.c_rid",
            [on, code],
        )
        cur.execute(
            f"INSERT INTO {table} (person_id, item_code, region_id, first_found, last_seen)"
            " SELECT s.c_pid, %s, s.c_rid, %s, %s FROM discovery_found s"
            " ON CONFLICT (person_id, item_code) DO NOTHING",
            [code, on, on],
        )
        cur.execute("SELECT count(*) FROM discovery_found")
        row = cur.fetchone()
        cur.execute("DROP TABLE discovery_found")
    return int(row[0]) if row else 0


def review_run(*, on: date, since: date, counties: list[str] | None = None) -> dict[str, int]:
    """Review tasks for holders of active entitlements (set-based per item version):
    turned 90 or 100 in (since, on]; no longer satisfying the item's rule (e.g. lost
    低保/特困); a 失能 grade confirmed after the entitlement started."""
    counties = counties if counties is not None else _counties()
    due = date.fromordinal(on.toordinal() + REVIEW_DAYS)
    made = {"turned_90": 0, "turned_100": 0, "status_lost": 0, "new_grade": 0}
    active = Entitlement.objects.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gt=on))
    for age, kind in ((90, TaskKind.TURNED_90), (100, TaskKind.TURNED_100)):
        earliest, latest = _birth_window(age, since, on)
        for e in active.filter(
            person__birth_date__gt=earliest, person__birth_date__lte=latest
        ).values_list("pk", "person_id", "person__region_id", "item_code"):
            made[kind] += _task(
                e[1], e[2], kind, f"{e[0]}", due, f"年满{age}周岁：核对{e[3]}的档次", e[0]
            )
    for code, groups in _groups(counties, on).items():
        for item, group in groups:
            if not rules.is_machine_evaluable(item.rule):
                continue
            _, false_q = query.compile_rule(item.rule, on)
            lost = Person.objects.filter(false_q).filter(_ranges_q(group))
            for ent_id, pid, region in active.filter(item_code=code, person__in=lost).values_list(
                "pk", "person_id", "person__region_id"
            ):
                made["status_lost"] += _task(
                    pid,
                    region,
                    TaskKind.STATUS_LOST,
                    f"{ent_id}:{on:%Y%m}",
                    due,
                    f"{code}：已不符合条件，请核实后停发或说明",
                    ent_id,
                )
    regraded = active.filter(
        Exists(
            PersonCategory.objects.filter(
                person=OuterRef("person_id"),
                category=rules.DISABLED,
                start_date__gte=OuterRef("start"),
                start_date__lte=on,
            )
        )
    )
    for e in regraded.values_list("pk", "person_id", "person__region_id", "item_code"):
        made["new_grade"] += _task(
            e[1], e[2], TaskKind.NEW_GRADE, f"{e[0]}", due, f"能力评估等级有变化：核对{e[3]}", e[0]
        )
    return made


def _birth_window(age: int, since: date, on: date) -> tuple[date, date]:
    """Birth dates of people whose `age`-th birthday falls in (since, on]."""
    _, latest = birth_range_for_age(age, None, on)
    _, before = birth_range_for_age(age, None, since)
    return before, latest


def nightly(*, on: date | None = None, since: date | None = None) -> dict[str, Any]:
    """The nightly job (`yanglao benefits_nightly`): discovery, then review tasks."""
    on = _today(on)
    # Birthdays since the last run, so a missed night is caught up (idempotent by task key).
    last = DiscoveryRun.objects.filter(on__lt=on).order_by("-on").first()
    since = since or (last.on if last else date.fromordinal(on.toordinal() - 1))
    with transaction.atomic():
        found = discovery_run(on=on)
        tasks = review_run(on=on, since=since)
        result = {"date": str(on), "candidates": found, "tasks": tasks}
        audit(actor=None, action=Action.NIGHTLY, object_type="benefits", changes=result)
    return result


# --- monthly rolls -----------------------------------------------------------------------


def _roll_inputs(
    county: str, month: date
) -> tuple[dict[int, Entitlement], dict[int, dict[date, Decimal]]]:
    lookback = rules.add_months(month, -12)
    ents = list(
        Entitlement.objects.filter(county_id=county, start__lte=month)
        .filter(Q(end__isnull=True) | Q(end__gte=lookback))
        .only("pk", "person_id", "item_code", "start", "end", "stop_reason")
    )
    by_id = {e.pk: e for e in ents}
    paid: dict[int, dict[date, Decimal]] = {}
    for ent_id, period, total in (
        RollLine.objects.filter(
            roll__status=RollStatus.APPROVED, roll__county_id=county, entitlement_id__in=list(by_id)
        )
        .values_list("entitlement_id", "period")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        paid.setdefault(ent_id, {})[period] = total
    return by_id, paid


def roll_generate(*, actor: User, county_code: str, month: date) -> Roll:
    """Generate (or re-generate a draft of) the roll of a county for a month. An approved
    month is frozen: later changes are settled as adjustments in the next month's roll."""
    _require(actor, Cap.ROLL_MANAGE)
    county = county_code.ljust(12, "0")
    require_in_scope(actor, county, WRITE_RECORDS)
    if codes.level_of(county) != codes.COUNTY:
        raise _fail("county", "名册按县（区）生成")
    month = rules.month_start(month)
    with transaction.atomic():
        existing = Roll.objects.select_for_update().filter(county_id=county, month=month).first()
        if existing is not None and existing.status == RollStatus.APPROVED:
            raise _fail("month", f"{month:%Y年%m月}名册已审定，不能重新生成；变更将计入下月名册")
        if Roll.objects.filter(
            county_id=county, month__gt=month, status=RollStatus.APPROVED
        ).exists():
            raise _fail("month", "以后月份的名册已审定，不能生成更早月份的名册")
        roll = existing or Roll(county_id=county, month=month)
        roll.generated_by, roll.generated_at = actor, timezone.now()
        try:
            with transaction.atomic():
                roll.save()
        except IntegrityError as exc:  # another officer is generating the same month
            raise _fail("month", "该月名册正在由他人生成，请稍后刷新") from exc
        RollLine.objects.filter(roll=roll).delete()
        lines = compute_roll(county, month)
        RollLine.objects.bulk_create(
            [
                RollLine(
                    roll=roll,
                    entitlement_id=ln.entitlement_id,
                    person_id=pid,
                    region_id=region,
                    item_code=code,
                    period=ln.period,
                    kind=ln.kind,
                    band=ln.band[:50],
                    amount=ln.amount,
                    note=ln.note[:200],
                )
                for ln, pid, region, code in lines
            ],
            batch_size=2000,
        )
        roll.totals = roll_totals(roll)
        roll.save(update_fields=["totals"])
        audit(
            actor=actor,
            action=Action.ROLL_GENERATE,
            object_type="roll",
            object_id=str(roll.public_id),
            object_label=f"{month:%Y年%m月}",
            region_code=county,
            changes={"month": str(month), "totals": roll.totals},
        )
    return roll


def compute_roll(county: str, month: date) -> list[tuple[rules.Line, int, str, str]]:
    """Lines of a county's roll: the entitlements, what was already paid, facts per person
    (one query each), then the pure arithmetic of rules.roll_lines."""
    ents, paid = _roll_inputs(county, month)
    persons = dict(
        Person.objects.filter(pk__in={e.person_id for e in ents.values()}).values_list(
            "pk", "region_id"
        )
    )
    facts = query.facts_for(persons)
    items: dict[tuple[str, str], query.ResolvedItem | None] = {}

    def resolved(code: str, period: date) -> query.ResolvedItem | None:
        key = (code, str(period))
        if key not in items:
            items[key] = query.resolve_item(county, code, period)
        return items[key]

    views = []
    for e in ents.values():
        first = resolved(e.item_code, month)
        if first is None or not first.item.payable:
            continue
        views.append(
            rules.EntView(
                e.pk,
                e.item_code,
                e.start,
                e.end,
                first.policy_start,
                e.get_stop_reason_display() if e.stop_reason else "",
            )
        )

    def due(v: rules.EntView, period: date) -> tuple[Decimal, str]:
        item = resolved(v.code, period)
        person = ents[v.id].person_id
        f = facts.get(person)
        if item is None or f is None or not rules.alive_on(f, period):
            return Decimal("0.00"), ""
        amount, band = _amount(item, f, period)
        return (amount or Decimal("0.00")), band

    out = []
    for ln in rules.roll_lines(month, views, due, paid):
        e = ents[ln.entitlement_id]
        out.append((ln, e.person_id, persons[e.person_id], e.item_code))
    return out


def money(value: Decimal | int | None) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def roll_totals(roll: Roll) -> dict[str, Any]:
    """Per item: amount and, per kind, lines and amount; persons paid (strings: JSON-safe)."""
    items: dict[str, dict[str, Any]] = {}
    grand = Decimal(0)
    for code, kind, n, total in (
        RollLine.objects.filter(roll=roll)
        .values_list("item_code", "kind")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("item_code", "kind")
    ):
        slot = items.setdefault(code, {"amount": Decimal(0), "kinds": {}})
        slot["amount"] += total or 0
        grand += total or 0
        slot["kinds"][kind] = {"n": n, "amount": money(total)}
    persons = (
        RollLine.objects.filter(roll=roll, amount__gt=0).values("person_id").distinct().count()
    )
    return {
        "items": {k: {**v, "amount": money(v["amount"])} for k, v in items.items()},
        "amount": money(grand),
        "persons": persons,
        "lines": RollLine.objects.filter(roll=roll).count(),
    }


def item_names(county: str, on: date) -> dict[str, str]:
    return {r.code: r.item.name for r in query.resolve_list(county, on)}


def missing_account_entries(roll: Roll, names: dict[str, str], limit: int) -> list[str]:
    """ "姓名（身份证号脱敏，项目）" of the first entitlements with a line to pay and no
    account."""
    return [
        f"{e.person.name}（{e.person.id_number_masked}，{e.item_code} {names.get(e.item_code, '')}）"
        for e in query.missing_accounts(roll)[:limit]
    ]


def roll_approve(*, actor: User, roll: Roll) -> Roll:
    """审定: freeze the roll. Refused while a line to pay has no account (the bank sheet
    would go out with blank account cells), listing who needs one."""
    _require(actor, Cap.ROLL_MANAGE)
    require_in_scope(actor, roll.county_id, WRITE_RECORDS)
    with transaction.atomic():
        r = Roll.objects.select_for_update().get(pk=roll.pk)
        if r.status == RollStatus.APPROVED:
            raise _fail("__all__", "名册已审定")
        missing = query.missing_accounts(r)
        if missing.exists():
            persons = missing.order_by().values("person_id").distinct().count()
            names = item_names(r.county_id, r.month)
            entries = missing_account_entries(r, names, rules.MISSING_SHOWN + 1)
            raise _fail("__all__", rules.missing_accounts_message(entries, persons))
        r.status, r.approved_by, r.approved_at = RollStatus.APPROVED, actor, timezone.now()
        r.save(update_fields=["status", "approved_by", "approved_at"])
        audit(
            actor=actor,
            action=Action.ROLL_APPROVE,
            object_type="roll",
            object_id=str(r.public_id),
            object_label=f"{r.month:%Y年%m月}",
            region_code=r.county_id,
            changes={"totals": r.totals},
        )
    return r


LINE_LABELS = dict(LineKind.choices)


ROLL_HEADER = (
    "序号",
    "姓名",
    "公民身份号码",
    "发放账号",
    "村（社区）",
    "项目编码",
    "项目名称",
    "所属月份",
    "类型",
    "档次",
    "金额（元）",
    "说明",
)


ROLL_AMOUNT_COLUMN = ROLL_HEADER.index("金额（元）")
ROLL_NUMBER_FORMATS = {ROLL_AMOUNT_COLUMN: "0.00"}  # numeric cells, two decimals


@dataclass
class RollSheet:
    """The bank's rows (amounts as Decimal: numeric cells) and the 合计 row under them."""

    rows: list[list[Any]]
    total: Decimal

    @property
    def footer(self) -> list[Any]:
        row: list[Any] = [""] * len(ROLL_HEADER)
        row[0], row[1], row[ROLL_AMOUNT_COLUMN] = "合计", f"{len(self.rows)}笔", self.total
        return row


def roll_export_rows(*, actor: User, roll: Roll) -> RollSheet:
    """The bank's sheet of an approved roll: full ID and account numbers (the bank pays by
    them), so the export is audited as a bulk read of personal data. Lines with amount 0
    (stop notices) are left out: the bank pays, it does not file stops."""
    _require(actor, Cap.ROLL_MANAGE)
    require_in_scope(actor, roll.county_id, WRITE_RECORDS)
    if roll.status != RollStatus.APPROVED:
        raise _fail("__all__", "名册审定后才能导出给银行")
    names = dict(ServiceItem.objects.values_list("code", "name").order_by("version"))
    rows: list[list[Any]] = []
    total = Decimal("0.00")
    lines = (
        RollLine.objects.filter(roll=roll)
        .exclude(amount=0)
        .select_related("person", "region", "entitlement")
        .order_by("region_id", "person_id", "item_code", "period")
    )
    for n, ln in enumerate(lines, start=1):
        account = ln.entitlement.account_cipher
        rows.append(
            [
                str(n),
                ln.person.name,
                ln.person.id_number,
                crypto.decrypt(account) if account else "",
                codes.short_name(ln.region.name),
                ln.item_code,
                names.get(ln.item_code, ""),
                f"{ln.period:%Y-%m}",
                LINE_LABELS.get(ln.kind, ln.kind),
                ln.band,
                ln.amount,
                ln.note,
            ]
        )
        total += ln.amount
    with transaction.atomic():
        audit(
            actor=actor,
            action=Action.ROLL_EXPORT,
            object_type="roll",
            object_id=str(roll.public_id),
            object_label=f"{roll.month:%Y年%m月}",
            region_code=roll.county_id,
            changes={"rows": len(rows), "amount": money(total)},
        )
    return RollSheet(rows, total)


# --- external lists (death records, household moves, 低保 roster, paid elsewhere) ----------

ID_HEADERS = ("公民身份号码", "身份证号码", "身份证号", "证件号码")
NAME_HEADERS = ("姓名",)
DATE_HEADERS = ("日期", "死亡日期", "迁出日期", "认定日期", "发放月份")
NOTE_HEADERS = ("原因", "去向", "备注", "说明", "发放地区")


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    matched: int = 0
    applied: int = 0
    unmatched: list[tuple[int, str, str]] = field(default_factory=list)  # row, masked id, why

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "matched": self.matched,
            "applied": self.applied,
            "unmatched": len(self.unmatched),
        }


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    cleaned = [h.strip().replace(" ", "") for h in header]
    return next((i for i, h in enumerate(cleaned) if h in names), None)


def _parse_date(raw: str) -> date | None:
    raw = raw.strip().replace("/", "-").replace(".", "-")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", raw) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})?", raw
    )
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None


def external_import(
    *, actor: User, kind: str, rows: list[list[str]], today: date | None = None
) -> ImportReport:
    """Apply an external list matched by ID number only. Names are compared but never used
    to match; a row that does not match exactly one person in the actor's jurisdiction is
    reported, never guessed. Deaths and moves go through the ledger's own services (which
    stop payments); the 低保 roster and the paid-elsewhere list open review tasks."""
    from yanglao.benefits.choices import ImportKind
    from yanglao.core import idnumber
    from yanglao.people import services as people_services

    _require(actor, Cap.BENEFIT_APPROVE)
    on = _today(today)
    if kind not in ImportKind.values:
        raise _fail("kind", "请选择名单类型")
    if not rows:
        raise _fail("file", "文件是空的")
    header, body = rows[0], rows[1:]
    id_col, name_col = _column(header, ID_HEADERS), _column(header, NAME_HEADERS)
    date_col, note_col = _column(header, DATE_HEADERS), _column(header, NOTE_HEADERS)
    if id_col is None:
        raise _fail("file", f"表头中没有身份证号码列（可用列名：{'、'.join(ID_HEADERS)}）")
    if kind in (ImportKind.DEATHS, ImportKind.MOVES) and date_col is None:
        raise _fail("file", f"表头中没有日期列（可用列名：{'、'.join(DATE_HEADERS)}）")
    report = ImportReport(kind=kind)
    due = date.fromordinal(on.toordinal() + REVIEW_DAYS)

    def cell(row: list[str], col: int | None) -> str:
        return row[col].strip() if col is not None and col < len(row) else ""

    on_roster: set[int] = set()
    # One query per 2,000 lines, not one per line: rosters run to tens of thousands.
    hashes = [
        h for row in body for h in crypto.lookup_hashes(idnumber.normalise(cell(row, id_col)))
    ]
    people: dict[str, Person] = {}
    for i in range(0, len(hashes), 2000):
        for found in Person.objects.filter(id_number_hash__in=hashes[i : i + 2000]):
            people[found.id_number_hash] = found
    holding_low_income = (
        set(
            PersonCategory.objects.filter(
                person_id__in=[x.pk for x in people.values()],
                category="minimum_living",
                end_date__isnull=True,
            ).values_list("person_id", flat=True)
        )
        if kind == ImportKind.MINIMUM_LIVING
        else set()
    )
    with transaction.atomic():
        for n, row in enumerate(body, start=2):
            if not any(c.strip() for c in row):
                continue
            report.rows += 1
            raw = idnumber.normalise(cell(row, id_col))
            masked = idnumber.mask(raw) if len(raw) == 18 else raw[:6] + "…"
            person = next((people[h] for h in crypto.lookup_hashes(raw) if h in people), None)
            if person is None or not in_scope_write(actor, person.region_id):
                # Outside the jurisdiction reads the same as unknown: nothing is disclosed.
                report.unmatched.append((n, masked, "台账中无此身份证号码（或不在本辖区）"))
                continue
            name = cell(row, name_col)
            if name and name != person.name:
                report.unmatched.append((n, masked, f"姓名不一致（名单：{name}），未处理"))
                continue
            report.matched += 1
            when = _parse_date(cell(row, date_col)) if date_col is not None else None
            note = cell(row, note_col)
            if kind in (ImportKind.DEATHS, ImportKind.MOVES):
                if when is None or when > on:
                    report.unmatched.append((n, masked, "日期无法识别或晚于今天"))
                    continue
                if person.life_status != LifeStatus.ALIVE:
                    continue  # already recorded: importing twice changes nothing
                record = (
                    people_services.person_record_death
                    if kind == ImportKind.DEATHS
                    else people_services.person_record_move_out
                )
                try:
                    people[person.id_number_hash] = record(
                        actor=actor,
                        person=person,
                        on=when,
                        reason=note
                        or ("死亡名单导入" if kind == ImportKind.DEATHS else "迁出名单导入"),
                        expected_version=person.version,
                        today=on,
                        via="external_list",
                    )
                except people_services.PersonInvalid as exc:
                    why = "；".join(m for ms in exc.errors.values() for m in ms)
                    report.unmatched.append((n, masked, why))
                    continue
                report.applied += 1
            elif kind == ImportKind.MINIMUM_LIVING:
                on_roster.add(person.pk)
                if person.pk not in holding_low_income:
                    report.applied += _task(
                        person.pk,
                        person.region_id,
                        TaskKind.ROSTER,
                        f"roster:{on:%Y%m}:in",
                        due,
                        "低保名单中有此人，台账未登记“低保”类别：请核实后登记",
                    )
            else:  # paid elsewhere: the same ID number paid in another county
                for e in Entitlement.objects.filter(person=person, end__isnull=True):
                    report.applied += _task(
                        person.pk,
                        person.region_id,
                        TaskKind.DUPLICATE,
                        f"{e.pk}:{on:%Y%m}",
                        due,
                        f"外地发放名单有此人（{note or '地区未注明'}）：核实{e.item_code}是否重复享受",
                        e.pk,
                    )
        if kind == ImportKind.MINIMUM_LIVING:
            # Tagged 低保 in the actor's counties but absent from the roster: review.
            from yanglao.accounts.scoping import scoped

            missing = (
                scoped(Person.objects.all(), actor, WRITE_RECORDS)
                .filter(categories__category="minimum_living", categories__end_date__isnull=True)
                .exclude(pk__in=on_roster)
                .values_list("pk", "region_id")
            )
            for pid, region in missing:
                report.applied += _task(
                    pid,
                    region,
                    TaskKind.ROSTER,
                    f"roster:{on:%Y%m}:out",
                    due,
                    "本期低保名单中没有此人：核实低保资格，必要时停发相关待遇",
                )
        audit(
            actor=actor,
            action=Action.IMPORT,
            object_type="benefits_list",
            object_label=dict(ImportKind.choices)[kind],
            changes={**report.as_dict(), "unmatched_rows": [r[0] for r in report.unmatched][:200]},
        )
    return report


def in_scope_write(actor: User, region_code: str) -> bool:
    from yanglao.accounts.scoping import in_scope

    return in_scope(actor, region_code, WRITE_RECORDS)


def candidates_exported(*, actor: User, count: int, filters: dict[str, str]) -> None:
    """Audit a bulk read of the discovery list (names and masked ID numbers)."""
    _require(actor, Cap.BENEFIT_VIEW)
    with transaction.atomic():
        audit(
            actor=actor,
            action=Action.CANDIDATES_EXPORT,
            object_type="benefits_candidates",
            object_label="应保未保名单",
            changes={"rows": count, "filters": filters},
        )
