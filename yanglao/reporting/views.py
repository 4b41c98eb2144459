"""Pages of the department reports (thin: selectors read, services write)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import WRITE_RECORDS, in_scope
from yanglao.core.decorators import AuthedRequest, flash_errors, posted_version, scope
from yanglao.reporting import rules, selectors, services
from yanglao.reporting.choices import ReportStatus
from yanglao.reporting.models import DataSet, Report

MAX_ROWS = 300


def _period_links(ds: DataSet, period: date, today: date) -> dict[str, object]:
    prev = rules.shift(ds.period_type, period, -1)
    nxt = rules.shift(ds.period_type, period, 1)
    last = rules.last_complete(ds.period_type, today)
    return {
        "period_label": rules.period_label(ds.period_type, period),
        "period_key": rules.period_key(ds.period_type, period),
        "prev_key": rules.period_key(ds.period_type, prev),
        "prev_label": rules.period_label(ds.period_type, prev),
        "next_key": rules.period_key(ds.period_type, nxt) if nxt <= last else "",
        "next_label": rules.period_label(ds.period_type, nxt),
    }


@require_safe
@scope(Cap.REPORTING_VIEW)
def index(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for ds in selectors.data_sets():
        period = rules.last_complete(ds.period_type, today)
        mine = [
            r
            for r in selectors.expected_regions(request.user, ds)[:51]
            if in_scope(request.user, r.code, WRITE_RECORDS)
        ]
        rows.append(
            {
                "ds": ds,
                "period_label": rules.period_label(ds.period_type, period),
                "period_key": rules.period_key(ds.period_type, period),
                "due": rules.due_date(ds.period_type, period, ds.due_day),
                "own": mine[0] if len(mine) == 1 else None,
            }
        )
    return render(
        request,
        "reporting/index.html",
        {
            "rows": rows,
            "waiting": selectors.waiting_approval(request.user)[:200],
            "can_enter": request.user.can(Cap.REPORTING_ENTER),
        },
    )


@require_safe
@scope(Cap.REPORTING_VIEW)
def overview(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    ds = selectors.data_set(request.GET.get("set", ""))
    period, errors = selectors.period_of(ds, request.GET.get("period", ""), today)
    under = request.GET.get("under", "")[:12]
    if under and not (under.isdigit() and len(under) == 12):
        under, errors = "", [*errors, "区划参数不对，已显示全部辖区"]
    ov = selectors.overview(request.user, ds, period, today, under)
    for e in errors:
        messages.warning(request, e)
    return render(
        request,
        "reporting/overview.html",
        {
            "ds": ds,
            "ov": ov,
            "today": today,
            # A province-wide village data set is 11,860 rows: list them per parent only.
            "show_rows": ov.expected <= MAX_ROWS,
            "max_rows": MAX_ROWS,
            "can_enter": request.user.can(Cap.REPORTING_ENTER),
            "writable": {
                r.region.code
                for g in ov.groups
                for r in g.rows
                if in_scope(request.user, r.region.code, WRITE_RECORDS)
            },
            **_period_links(ds, period, today),
        },
    )


@scope(Cap.REPORTING_ENTER)
def enter(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    ds = selectors.data_set(source.get("set", ""))
    period, period_errors = selectors.period_of(ds, source.get("period", ""), today)
    choices = [
        r
        for r in selectors.expected_regions(request.user, ds)[:500]
        if in_scope(request.user, r.code, WRITE_RECORDS)
    ]
    code = source.get("region", "")[:12]
    region = next((r for r in choices if r.code == code), None)
    if region is None and len(choices) == 1 and not code:
        region = choices[0]
    if code and region is None:
        raise Http404
    errors: dict[str, list[str]] = {}
    ctx: dict[str, object] = {
        "ds": ds,
        "region": region,
        "choices": choices,
        **_period_links(ds, period, today),
    }
    report = None
    if region is not None:
        report = Report.objects.filter(data_set=ds, region=region, period=period).first()
    values = selectors.region_values(request.user, ds, period, region.code) if region else {}
    if request.method == "POST" and region is not None:
        values = {e.code: request.POST.get(e.code, "")[:50] for e in ds.elements.all()}
        version = posted_version(request)
        try:
            saved = services.report_save(
                actor=request.user,
                data_set=ds,
                region_code=region.code,
                period=period,
                values=values,
                submit=request.POST.get("action") == "submit",
                version=version,
                note=request.POST.get("note", "")[:2000],
                today=today,
            )
        except services.ReportInvalid as exc:
            errors = exc.errors
            messages.error(request, "请修改标出的项目；本次填写尚未保存。")
        except services.NotPermitted:
            raise Http404 from None
        else:
            if saved.status == ReportStatus.SUBMITTED:
                messages.success(request, "已报送，等待上级审核。")
            else:
                messages.success(request, "已保存草稿，尚未报送。")
            return redirect("reporting:report", data_report_id=saved.public_id)
    elif request.method == "POST":
        messages.error(request, "请选择报送单位")
    for e in period_errors:
        messages.warning(request, e)
    ctx["report"] = report
    ctx["editable"] = report is None or report.status in services.EDITABLE
    ctx["fields"] = [
        {"e": e, "value": values.get(e.code, ""), "errors": errors.get(e.code, [])}
        for e in ds.elements.all()
    ]
    ctx["errors"] = errors
    ctx["other_errors"] = [
        m
        for k, v in errors.items()
        if k in ("period", "region", "note", "version", "status")
        for m in v
    ]
    ctx["due"] = rules.due_date(ds.period_type, period, ds.due_day)
    return render(request, "reporting/enter.html", ctx, status=200)


@require_safe
@scope(Cap.REPORTING_VIEW)
def report(request: AuthedRequest, data_report_id: UUID) -> HttpResponse:
    r = selectors.report_for(request.user, data_report_id)
    ds = r.data_set
    due = rules.due_date(ds.period_type, r.period, ds.due_day)
    return render(
        request,
        "reporting/report.html",
        {
            "r": r,
            "ds": ds,
            "values": selectors.values_of(r),
            "period_label": rules.period_label(ds.period_type, r.period),
            "period_key": rules.period_key(ds.period_type, r.period),
            "due": due,
            "timeliness": rules.timeliness(due, r.first_submitted_on, timezone.localdate()),
            "can_decide": r.status == ReportStatus.SUBMITTED
            and services.approves(request.user, r.region_id, ds.report_level)
            and r.submitted_by_id != request.user.pk,
            "can_edit": r.status in services.EDITABLE
            and request.user.can(Cap.REPORTING_ENTER)
            and in_scope(request.user, r.region_id, WRITE_RECORDS),
        },
    )


@require_POST
@scope(Cap.REPORTING_APPROVE)
def approve(request: AuthedRequest, data_report_id: UUID) -> HttpResponse:
    r = selectors.report_for(request.user, data_report_id)
    try:
        services.report_approve(actor=request.user, report=r, version=posted_version(request))
    except services.ReportInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        raise Http404 from None
    else:
        messages.success(request, "已审核通过。")
    return redirect("reporting:report", data_report_id=r.public_id)


@require_POST
@scope(Cap.REPORTING_APPROVE)
def send_back(request: AuthedRequest, data_report_id: UUID) -> HttpResponse:
    r = selectors.report_for(request.user, data_report_id)
    try:
        services.report_return(
            actor=request.user,
            report=r,
            reason=request.POST.get("reason", "")[:2000],
            version=posted_version(request),
        )
    except services.ReportInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        raise Http404 from None
    else:
        messages.success(request, "已退回，报送单位修改后重新报送。")
    return redirect("reporting:report", data_report_id=r.public_id)
