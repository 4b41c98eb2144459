"""Writes of the department reports: save a draft, submit, approve, return. Keyword
arguments, an explicit actor, one transaction, a scope check (404 outside), one audit event;
a stale version is refused (the page says to reload), nothing is half-written."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import Mode, User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import WRITE_RECORDS, require_in_scope
from yanglao.core.audit import audit
from yanglao.core.text import clean_text
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.reporting import rules
from yanglao.reporting.choices import ReportStatus
from yanglao.reporting.models import DataElement, DataSet, Report, ReportValue


class Action:
    """Audit action names (labels in core.audit.ACTION_LABELS)."""

    SAVE = "reporting.save"
    SUBMIT = "reporting.submit"
    APPROVE = "reporting.approve"
    RETURN = "reporting.return"


class ReportInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class NotPermitted(PermissionError):
    pass


def _fail(key: str, message: str) -> ReportInvalid:
    return ReportInvalid({key: [message]})


EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def approves(actor: User, region_code: str, report_level: int) -> bool:
    """The actor works (办理) at the node directly above the reporting region."""
    if not actor.can(Cap.REPORTING_APPROVE):
        return False
    want = rules.approver_level(report_level)
    return any(
        level == want and codes.contains(code, region_code, level)
        for code, level in actor.jurisdictions.filter(mode=Mode.EDIT).values_list(
            "region_id", "region__level"
        )
    )


def _audit(actor: User | None, action: str, report: Report, changes: dict[str, object]) -> None:
    ds = report.data_set
    audit(
        actor=actor,
        action=action,
        object_type="reporting.report",
        object_id=str(report.public_id),
        object_label=f"{ds.name} {rules.period_label(ds.period_type, report.period)}",
        region_code=report.region_id,
        changes=changes,
    )


def parse_values(
    elements: list[DataElement], raw: Mapping[str, str], *, required: bool
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Element code → count, and Chinese errors by element code."""
    values: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for e in elements:
        value, problem = rules.parse_count(raw.get(e.code, "") or "")
        if problem:
            errors[e.code] = [f"{e.name}：{problem}"]
        elif value is None:
            if required:
                errors[e.code] = [f"{e.name}：请填写（没有请填0）"]
        else:
            values[e.code] = value
    return values, errors


def report_save(
    *,
    actor: User,
    data_set: DataSet,
    region_code: str,
    period: date | str,
    values: Mapping[str, str],
    submit: bool,
    version: int | None = None,
    note: str = "",
    today: date | None = None,
) -> Report:
    """Save (and with `submit` hand in) the report of `region_code` for `period`. A report
    already submitted or approved cannot be changed; a returned one can, and is submitted
    again."""
    today = today or timezone.localdate()
    if not actor.can(Cap.REPORTING_ENTER):
        raise NotPermitted
    region = Region.objects.filter(code=region_code[:12]).first()
    if region is None:
        raise Http404
    require_in_scope(actor, region.code, WRITE_RECORDS)
    errors: dict[str, list[str]] = {}
    if region.level != data_set.report_level or not data_set.active:
        errors["region"] = [f"“{data_set.name}”不由{region.get_level_display()}报送"]
    start = rules.parse_period(data_set.period_type, period) if isinstance(period, str) else period
    if start is not None and start != rules.period_start(data_set.period_type, start):
        start = None
    if problems := rules.period_errors(data_set.period_type, start, today):
        errors["period"] = problems
    elements = list(data_set.elements.all())
    parsed, value_errors = parse_values(elements, values, required=submit)
    errors |= value_errors
    note = clean_text(note).strip()
    if len(note) > 500:
        errors["note"] = ["说明不能超过500字"]
    if errors:
        raise ReportInvalid(errors)
    assert start is not None
    now = timezone.now()
    with transaction.atomic():
        report, created = Report.objects.select_for_update().get_or_create(
            data_set=data_set, region=region, period=start
        )
        if not created:
            if version is not None and version != report.version:
                raise _fail("version", "这张报表已被他人修改，请刷新页面后重新填写")
            if report.status not in EDITABLE:
                raise _fail("status", f"这张报表{report.get_status_display()}，不能再修改")
        old = {v.element.code: v.value for v in report.values.select_related("element")}
        report.values.all().delete()
        by_code = {e.code: e for e in elements}
        ReportValue.objects.bulk_create(
            ReportValue(report=report, element=by_code[c], value=v) for c, v in parsed.items()
        )
        report.note = note
        report.version += 0 if created else 1
        if submit:
            report.status = ReportStatus.SUBMITTED
            report.submitted_at = now
            report.submitted_by = actor
            report.first_submitted_on = report.first_submitted_on or timezone.localdate(now)
        report.save()
        _audit(
            actor,
            Action.SUBMIT if submit else Action.SAVE,
            report,
            {"values": [old, parsed]} if old != parsed else {"values": parsed},
        )
    return report


def _decide(actor: User, report: Report, version: int | None) -> Report:
    require_in_scope(actor, report.region_id, WRITE_RECORDS)
    if not approves(actor, report.region_id, report.data_set.report_level):
        raise NotPermitted
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if version is not None and version != locked.version:
        raise _fail("version", "这张报表已被修改，请刷新页面后再审核")
    if locked.status != ReportStatus.SUBMITTED:
        raise _fail("status", f"这张报表{locked.get_status_display()}，不能审核")
    if locked.submitted_by_id == actor.pk:
        raise _fail("status", "不能审核自己报送的报表")
    return locked


def report_approve(*, actor: User, report: Report, version: int | None = None) -> Report:
    with transaction.atomic():
        locked = _decide(actor, report, version)
        locked.status = ReportStatus.APPROVED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.return_reason = ""
        locked.version += 1
        locked.save()
        _audit(actor, Action.APPROVE, locked, {"status": [ReportStatus.SUBMITTED, locked.status]})
    return locked


def report_return(
    *, actor: User, report: Report, reason: str, version: int | None = None
) -> Report:
    reason = clean_text(reason).strip()
    if not reason:
        raise _fail("reason", "请填写退回原因，报送单位据此修改")
    if len(reason) > 500:
        raise _fail("reason", "退回原因不能超过500字")
    with transaction.atomic():
        locked = _decide(actor, report, version)
        locked.status = ReportStatus.RETURNED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.return_reason = reason
        locked.version += 1
        locked.save()
        _audit(
            actor,
            Action.RETURN,
            locked,
            {"status": [ReportStatus.SUBMITTED, locked.status], "reason": reason},
        )
    return locked
