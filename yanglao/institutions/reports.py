"""Writes of parts 3–4 and 特困 应养尽养 (issue 11): the monthly operating report, prepaid
filings, monthly balances and stop notices (民发〔2024〕19号), complaints, central-support
requests and the policy values. As services.py: keyword arguments, an explicit actor, one
transaction, a scope check (404 outside), one audit event; nothing is half-written."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import WRITE_RECORDS, in_scope, require_in_scope
from yanglao.core import crypto, idnumber
from yanglao.core.audit import audit
from yanglao.institutions import prepaid_rules as pr
from yanglao.institutions import queries_reports as queries
from yanglao.institutions import report_rules as rr
from yanglao.institutions.choices import (
    ComplaintStatus,
    IncidentKind,
    PrepaidKind,
    RuleKey,
    SupportStatus,
)
from yanglao.institutions.models import (
    Complaint,
    Institution,
    MonthlyReport,
    OperatingRule,
    PrepaidBalance,
    PrepaidFiling,
    PrepaidItem,
    ReportIncident,
    StopNotice,
    SupportRequest,
)
from yanglao.institutions.services import (
    InstitutionInvalid,
    NotPermitted,
    _audit,
    _clean_text,
    _fail,
    _own,
)
from yanglao.people import groups
from yanglao.people.choices import Category, LifeStatus
from yanglao.people.models import Person
from yanglao.regions import codes
from yanglao.regions.models import Region


class Action:
    """Audit action names (labels in core.audit.ACTION_LABELS)."""

    REPORT_FILE = "institution.report_file"
    PREPAID_FILE = "institution.prepaid_file"
    BALANCE_REPORT = "institution.balance_report"
    STOP_NOTICE = "institution.stop_notice"
    COMPLAINT_RECORD = "institution.complaint_record"
    COMPLAINT_CLOSE = "institution.complaint_close"
    SUPPORT_REQUEST = "institution.support_request"
    SUPPORT_WITHDRAW = "institution.support_withdraw"
    RULE_ADD = "institution.rule_add"


MAX_COUNT = 100_000
MAX_AMOUNT = Decimal("9999999999.99")


def _counts(values: dict[str, int], labels: dict[str, str], errors: dict[str, list[str]]) -> None:
    for key, v in values.items():
        if not 0 <= v <= MAX_COUNT:
            errors.setdefault(key, []).append(f"{labels.get(key, key)}应在0至{MAX_COUNT:,}之间")


def _amounts(
    values: dict[str, Decimal], labels: dict[str, str], errors: dict[str, list[str]]
) -> None:
    for key, v in values.items():
        if not Decimal(0) <= v <= MAX_AMOUNT:
            errors.setdefault(key, []).append(f"{labels.get(key, key)}应在0至99亿元之间")


def _month(raw: date | str, today: date, errors: dict[str, list[str]]) -> date | None:
    month = rr.parse_month(raw) if isinstance(raw, str) else rr.month_start(raw)
    if problems := rr.month_errors(month, today):
        errors["month"] = problems
        return None
    return month


def label_of(model: Any, name: str) -> str:
    """The verbose name of a model field (what forms and pages call it)."""
    return str(model._meta.get_field(name).verbose_name)


# --- the monthly report ---------------------------------------------------------------------


@dataclass
class Incident:
    kind: str
    count: int
    serious: bool = False


@dataclass
class ReportInput:
    month: date | str
    figures: dict[str, int]  # queries.FIGURES: residents by grade, beds in use, staff
    fees_collected: Decimal
    incidents: Sequence[Incident] = ()
    adjust_reason: str = ""


def report_file(
    *, actor: User, institution: Institution, data: ReportInput, today: date | None = None
) -> MonthlyReport:
    """File the month's operating report. Residents by care grade and beds in use are
    prefilled from the residencies; a figure that differs needs a reason."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    month = _month(data.month, today, errors)
    unknown = set(data.figures) - set(queries.FIGURES)
    if unknown:
        errors["__all__"] = ["报表中有无效的项目"]
    figures = {k: data.figures.get(k, 0) for k in queries.FIGURES}
    _counts(figures, {k: label_of(MonthlyReport, k) for k in figures}, errors)
    _amounts({"fees_collected": data.fees_collected}, {"fees_collected": "本月收费"}, errors)
    seen: set[tuple[str, bool]] = set()
    for inc in data.incidents:
        if inc.kind not in IncidentKind.values:
            errors.setdefault("incidents", []).append("请从列表中选择事件类型")
        elif not 1 <= inc.count <= 1000:
            errors.setdefault("incidents", []).append("事件次数应在1至1000之间")
        elif (inc.kind, inc.serious) in seen:
            errors.setdefault("incidents", []).append(
                f"“{IncidentKind(inc.kind).label}”重复填写，请合并为一行"
            )
        seen.add((inc.kind, inc.serious))
    reason = _clean_text(data.adjust_reason)[:500]
    if errors:
        raise InstitutionInvalid(errors)
    assert month is not None
    with transaction.atomic():
        inst = _own(actor, institution)
        pre = queries.prefill(inst.pk, month)
        changed = [k for k, v in pre.items() if figures[k] != v]
        if changed and not reason:
            names = "、".join(label_of(MonthlyReport, k) for k in changed)
            raise _fail("adjust_reason", f"{names}与系统预填数不一致，请说明原因")
        limits = queries.limits_for(inst.region_id, month)
        try:
            with transaction.atomic():
                report = MonthlyReport.objects.create(
                    institution=inst,
                    region_id=inst.region_id,
                    month=month,
                    due_on=rr.report_due(month, limits.report_due_day),
                    filed_on=today,
                    fees_collected=data.fees_collected,
                    prefilled=pre,
                    adjust_reason=reason if changed else "",
                    filed_by=actor,
                    **figures,
                )
        except IntegrityError as exc:
            raise _fail("month", f"{month:%Y-%m}的月报已报送") from exc
        ReportIncident.objects.bulk_create(
            ReportIncident(report=report, kind=i.kind, count=i.count, serious=i.serious)
            for i in data.incidents
        )
        _audit(
            actor,
            Action.REPORT_FILE,
            inst,
            {"month": f"{month:%Y-%m}", "late": report.late, "adjusted": changed},
            label=f"{inst.name} {month:%Y-%m}月报",
        )
    return report


# --- prepaid fees -------------------------------------------------------------------------


@dataclass
class PrepaidInput:
    items: Sequence[pr.Item]
    total_held: Decimal
    fixed_assets_net: Decimal
    fixed_assets_pledged: Decimal
    custody_bank: str = ""
    custody_account: str = ""
    risk_reserve: Decimal = Decimal(0)


def _assets_errors(net: Decimal, pledged: Decimal, errors: dict[str, list[str]]) -> None:
    if pledged > net:
        errors.setdefault("fixed_assets_pledged", []).append("已抵押资产不能超过净固定资产")


def prepaid_file(
    *, actor: User, institution: Institution, data: PrepaidInput, today: date | None = None
) -> PrepaidFiling:
    """File the prepaid items and custody account; the rules of 民发〔2024〕19号 are checked
    and what is broken is recorded on the filing (and shown to the county)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not data.items:
        errors["items"] = ["请至少填写一个预收费用项目（不收取预收费用的，无需报备）"]
    for it in data.items:
        if it.kind not in PrepaidKind.values:
            errors.setdefault("items", []).append("请从列表中选择预收费用项目")
        elif it.kind == PrepaidKind.SERVICE_FEE and not 1 <= (it.months or 0) <= 120:
            errors.setdefault("items", []).append("请填写养老服务费预收月数（1至120）")
        elif it.kind == PrepaidKind.DEPOSIT and it.bed_fee is None:
            errors.setdefault("items", []).append("请填写押金对应的月床位费")
        _amounts(
            {"items": it.amount, **({"items": it.bed_fee} if it.bed_fee is not None else {})},
            {"items": "预收费用金额"},
            errors,
        )
    _amounts(
        {
            "total_held": data.total_held,
            "fixed_assets_net": data.fixed_assets_net,
            "fixed_assets_pledged": data.fixed_assets_pledged,
            "risk_reserve": data.risk_reserve,
        },
        {
            k: label_of(PrepaidFiling, k)
            for k in ("total_held", "fixed_assets_net", "fixed_assets_pledged", "risk_reserve")
        },
        errors,
    )
    _assets_errors(data.fixed_assets_net, data.fixed_assets_pledged, errors)
    bank, account = _clean_text(data.custody_bank)[:100], _clean_text(data.custody_account)[:40]
    if account and not all(c.isdigit() or c == "-" for c in account):
        errors["custody_account"] = ["存管账户应为数字"]
    if errors:
        raise InstitutionInvalid(errors)
    with transaction.atomic():
        inst = _own(actor, institution)
        limits = queries.limits_for(inst.region_id, today)
        facts = pr.FilingFacts(
            inst.ownership,
            data.items,
            data.total_held,
            data.fixed_assets_net,
            data.fixed_assets_pledged,
            account,
            data.risk_reserve,
        )
        violations = [v.as_dict() for v in pr.filing_violations(facts, limits)]
        filing = PrepaidFiling.objects.create(
            institution=inst,
            region_id=inst.region_id,
            filed_on=today,
            custody_bank=bank,
            custody_account=account,
            risk_reserve=data.risk_reserve,
            total_held=data.total_held,
            fixed_assets_net=data.fixed_assets_net,
            fixed_assets_pledged=data.fixed_assets_pledged,
            violations=violations,
            filed_by=actor,
        )
        PrepaidItem.objects.bulk_create(
            PrepaidItem(
                filing=filing,
                kind=it.kind,
                amount=it.amount,
                months=it.months if it.kind == PrepaidKind.SERVICE_FEE else None,
                bed_fee=it.bed_fee if it.kind == PrepaidKind.DEPOSIT else None,
            )
            for it in data.items
        )
        _audit(
            actor,
            Action.PREPAID_FILE,
            inst,
            {
                "items": [it.kind for it in data.items],
                "violations": [v["code"] for v in violations],
            },
            label=f"{inst.name} 预收费用报备",
        )
    return filing


@dataclass
class BalanceInput:
    month: date | str
    residents: int
    service_fees_monthly: Decimal
    bed_fees_monthly: Decimal
    service_balance: Decimal
    deposit_balance: Decimal
    membership_balance: Decimal
    custody_balance: Decimal
    fixed_assets_net: Decimal
    fixed_assets_pledged: Decimal
    arrears: Decimal = Decimal(0)

    def amounts(self) -> dict[str, Decimal]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, Decimal)}


def balance_report(
    *, actor: User, institution: Institution, data: BalanceInput, today: date | None = None
) -> PrepaidBalance:
    """The month's prepaid balances, checked against the rules in force (aggregate form)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    month = _month(data.month, today, errors)
    _counts({"residents": data.residents}, {"residents": "月末在住人数"}, errors)
    _amounts(data.amounts(), {k: label_of(PrepaidBalance, k) for k in data.amounts()}, errors)
    _assets_errors(data.fixed_assets_net, data.fixed_assets_pledged, errors)
    if errors:
        raise InstitutionInvalid(errors)
    assert month is not None
    with transaction.atomic():
        inst = _own(actor, institution)
        limits = queries.limits_for(inst.region_id, month)
        facts = pr.BalanceFacts(
            inst.ownership,
            data.service_fees_monthly,
            data.bed_fees_monthly,
            data.service_balance,
            data.deposit_balance,
            data.membership_balance,
            data.custody_balance,
            data.fixed_assets_net,
            data.fixed_assets_pledged,
        )
        violations = [v.as_dict() for v in pr.balance_violations(facts, limits)]
        try:
            with transaction.atomic():
                row = PrepaidBalance.objects.create(
                    institution=inst,
                    region_id=inst.region_id,
                    month=month,
                    residents=data.residents,
                    violations=violations,
                    reported_on=today,
                    reported_by=actor,
                    **data.amounts(),
                )
        except IntegrityError as exc:
            raise _fail("month", f"{month:%Y-%m}的余额已报告") from exc
        _audit(
            actor,
            Action.BALANCE_REPORT,
            inst,
            {"month": f"{month:%Y-%m}", "violations": [v["code"] for v in violations]},
            label=f"{inst.name} {month:%Y-%m}预收费用余额",
        )
    return row


def stop_notice_file(
    *,
    actor: User,
    institution: Institution,
    stop_on: date,
    reason: str,
    today: date | None = None,
) -> StopNotice:
    """Notice of stopping service, given today (民发〔2024〕19号: 30 days ahead at least)."""
    today = today or timezone.localdate()
    reason = _clean_text(reason)[:500]
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["请填写停止服务的原因"]
    if stop_on <= today or stop_on > date(today.year + 2, 12, 31):
        errors["stop_on"] = ["停止服务日期应在今天之后两年内"]
    if errors:
        raise InstitutionInvalid(errors)
    with transaction.atomic():
        inst = _own(actor, institution)
        limits = queries.limits_for(inst.region_id, today)
        v = pr.stop_notice_violation(today, stop_on, limits)
        notice = StopNotice.objects.create(
            institution=inst,
            region_id=inst.region_id,
            notified_on=today,
            stop_on=stop_on,
            reason=reason,
            violations=[v.as_dict()] if v else [],
            filed_by=actor,
        )
        _audit(
            actor,
            Action.STOP_NOTICE,
            inst,
            {"stop_on": str(stop_on), "violations": [v.code] if v else []},
            label=f"{inst.name} 停止服务告知",
        )
    return notice


# --- complaints ---------------------------------------------------------------------------


def _officer(actor: User, region_code: str) -> None:
    if not actor.can(Cap.INSTITUTION_MANAGE):
        raise NotPermitted(Cap.INSTITUTION_MANAGE)
    require_in_scope(actor, region_code, WRITE_RECORDS)


def complaint_record(
    *,
    actor: User,
    institution: Institution,
    received_on: date,
    summary: str,
    about_prepaid: bool = False,
    today: date | None = None,
) -> Complaint:
    today = today or timezone.localdate()
    _officer(actor, institution.region_id)
    summary = _clean_text(summary)[:500]
    errors: dict[str, list[str]] = {}
    if not summary:
        errors["summary"] = ["请填写投诉事项"]
    if received_on > today or received_on.year < 2000:
        errors["received_on"] = ["收到日期不能晚于今天"]
    if errors:
        raise InstitutionInvalid(errors)
    with transaction.atomic():
        c = Complaint.objects.create(
            institution=institution,
            region_id=institution.region_id,
            received_on=received_on,
            summary=summary,
            about_prepaid=about_prepaid,
            recorded_by=actor,
        )
        _audit(
            actor,
            Action.COMPLAINT_RECORD,
            institution,
            {"complaint": str(c.public_id), "about_prepaid": about_prepaid},
            label=f"{institution.name} 投诉",
        )
    return c


def complaint_close(*, actor: User, complaint: Complaint, result: str) -> Complaint:
    _officer(actor, complaint.region_id)
    result = _clean_text(result)[:500]
    if not result:
        raise _fail("result", "请填写办理结果")
    with transaction.atomic():
        c = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if c.status != ComplaintStatus.OPEN:
            raise _fail("__all__", "该投诉已办结")
        c.status, c.result = ComplaintStatus.CLOSED, result
        c.save(update_fields=["status", "result"])
        _audit(
            actor,
            Action.COMPLAINT_CLOSE,
            c.institution,
            {"complaint": str(c.public_id)},
            label=f"{c.institution.name} 投诉办结",
        )
    return c


# --- 特困 集中供养 requests ----------------------------------------------------------------


def _person_audit(actor: User, action: str, person: Person, changes: dict[str, Any]) -> None:
    audit(
        actor=actor,
        action=action,
        object_type="person",
        object_id=str(person.public_id),
        object_label=person.name,
        region_code=person.region_id,
        changes=changes,
    )


def support_request(
    *,
    actor: User,
    id_number: str,
    requested_on: date,
    note: str = "",
    today: date | None = None,
) -> SupportRequest:
    """Record a 特困 person's request for central support (集中供养), by ID number."""
    today = today or timezone.localdate()
    if not actor.can(Cap.PERSON_EDIT):
        raise NotPermitted(Cap.PERSON_EDIT)
    errors: dict[str, list[str]] = {}
    if requested_on > today or requested_on.year < 2000:
        errors["requested_on"] = ["申请日期不能晚于今天"]
    number = idnumber.normalise(id_number)
    person = Person.objects.filter(id_number_hash=crypto.lookup_hash(number)).first()
    if person is None or not in_scope(actor, person.region_id, WRITE_RECORDS):
        # Never disclose whether the number is on the ledger elsewhere.
        errors["id_number"] = ["您辖区的台账中没有该身份证号码的老人"]
    elif person.life_status != LifeStatus.ALIVE:
        errors["id_number"] = ["该老人已注销（死亡或迁出）"]
    elif (
        not Person.objects.filter(pk=person.pk)
        .filter(groups.q(today, [Category.EXTREME_POVERTY]))
        .exists()
    ):
        errors["id_number"] = ["该老人不是特困人员（台账中无有效的特困标签）"]
    if errors:
        raise InstitutionInvalid(errors)
    assert person is not None
    with transaction.atomic():
        try:
            with transaction.atomic():
                req = SupportRequest.objects.create(
                    person=person,
                    requested_on=requested_on,
                    note=_clean_text(note)[:200],
                    recorded_by=actor,
                )
        except IntegrityError as exc:
            raise _fail("id_number", "该老人已有一份集中供养申请在办") from exc
        _person_audit(actor, Action.SUPPORT_REQUEST, person, {"requested_on": str(requested_on)})
    return req


def support_withdraw(
    *, actor: User, request: SupportRequest, today: date | None = None
) -> SupportRequest:
    today = today or timezone.localdate()
    if not actor.can(Cap.PERSON_EDIT):
        raise NotPermitted(Cap.PERSON_EDIT)
    require_in_scope(actor, request.person.region_id, WRITE_RECORDS)
    with transaction.atomic():
        r = SupportRequest.objects.select_for_update().get(pk=request.pk)
        if r.status != SupportStatus.OPEN:
            raise _fail("__all__", "该申请已撤回")
        r.status, r.closed_on = SupportStatus.WITHDRAWN, today
        r.save(update_fields=["status", "closed_on"])
        _person_audit(actor, Action.SUPPORT_WITHDRAW, request.person, {"closed_on": str(today)})
    return r


# --- policy values ------------------------------------------------------------------------


def rule_add(
    *,
    actor: User,
    region_code: str,
    key: str,
    value: Decimal,
    effective_from: date | None,
    document_no: str,
    note: str = "",
) -> OperatingRule:
    """A province, city or county sets a value; only stricter than what is in force above."""
    if not actor.can(Cap.INSTITUTION_MANAGE):
        raise NotPermitted(Cap.INSTITUTION_MANAGE)
    errors: dict[str, list[str]] = {}
    region = None
    with contextlib.suppress(ValueError):
        region = Region.objects.filter(code=codes.pad(region_code)).first()
    if region is None or region.level > codes.COUNTY:
        errors["region_code"] = ["请选择省、市或县级区划"]
    elif not in_scope(actor, region.code, WRITE_RECORDS):
        errors["region_code"] = [f"{region.name}不在您的辖区内"]
    if key not in RuleKey.values:
        errors["key"] = ["请选择政策项"]
    document_no = _clean_text(document_no)[:120]
    if not document_no:
        errors["document_no"] = ["请填写政策文件的文号"]
    if effective_from is None:
        errors["effective_from"] = ["请填写生效日期"]
    if errors:
        raise InstitutionInvalid(errors)
    assert region is not None and effective_from is not None
    parent, _ = queries.parent_values(region.code, effective_from)[key]
    if reason := rr.check_override(key, value, parent):
        raise _fail("value", reason)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = OperatingRule.objects.create(
                    region=region,
                    key=key,
                    value=value,
                    effective_from=effective_from,
                    document_no=document_no,
                    note=_clean_text(note)[:200],
                    created_by=actor,
                )
        except IntegrityError as exc:
            raise _fail("effective_from", "本区划该政策项在此生效日期已有取值") from exc
        audit(
            actor=actor,
            action=Action.RULE_ADD,
            object_type="institution_rule",
            object_id=str(row.pk),
            object_label=f"{region.name} {RuleKey(key).label}",
            region_code=region.code,
            changes={
                "key": key,
                "value": str(value),
                "effective_from": str(effective_from),
                "document_no": document_no,
            },
        )
    return row
