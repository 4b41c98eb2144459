"""Pages of parts 3–4 and 特困 应养尽养: a home's monthly reports and prepaid money (its
operator files, officers read), the county's late list, risk list and 应养尽养 list, complaints
and the policy values. Thin: forms validate, reports.py writes, selectors read (scoped)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.roles import Cap, Role
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.institutions import prepaid_rules, reports, selectors
from yanglao.institutions import queries_reports as queries
from yanglao.institutions import report_rules as rr
from yanglao.institutions import selectors_reports as sel
from yanglao.institutions.choices import IncidentKind, RuleKey
from yanglao.institutions.forms_reports import (
    BalanceForm,
    CloseForm,
    ComplaintForm,
    PrepaidForm,
    ReportForm,
    RuleForm,
    StopNoticeForm,
    SupportForm,
)
from yanglao.institutions.models import Institution, MonthlyReport, OperatingRule
from yanglao.institutions.views import _page
from yanglao.regions.models import Region


def _hub(inst: Institution) -> HttpResponse:
    return redirect("institutions:reports", institution_id=inst.public_id)


def _can_manage(request: AuthedRequest) -> bool:
    user = request.user
    return user.can(Cap.INSTITUTION_MANAGE) and user.role != Role.INSTITUTION_OPERATOR


def _month_param(request: AuthedRequest, today: date) -> date:
    raw = request.GET.get("month", "")[:20]
    month = rr.parse_month(raw) if raw else None
    if raw and (month is None or rr.month_errors(month, today)):
        messages.error(request, "月份格式应为 2026-10，且须为已结束的最近24个月之一")
        month = None
    return month or rr.last_complete_month(today)


def _region_param(request: AuthedRequest) -> str:
    region = request.GET.get("region", "").strip()[:12]
    if region and not (region.isascii() and region.isdigit() and len(region) in (2, 4, 6, 9, 12)):
        messages.error(request, "区划代码应为2、4、6、9或12位数字")
        return ""
    return region


@scope(Cap.INSTITUTION_VIEW)
def home(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    """One home's monthly reports, prepaid filings, balances, stop notices and complaints."""
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    today = timezone.localdate()
    can_manage = _can_manage(request)
    ctx = {
        "inst": inst,
        "to_file": sel.months_to_file(inst, today),
        "reports": sel.reports(inst),
        "filings": sel.filings(inst)[:5],
        "balances": sel.balances(inst)[:12],
        "notices": sel.stop_notices(inst),
        "complaints": sel.complaints(inst) if can_manage else [],
        "can_manage": can_manage,
        "can_operate": can_manage or inst.operators.filter(pk=request.user.pk).exists(),
        "stop_form": StopNoticeForm(),
        "complaint_form": ComplaintForm(initial={"received_on": today}),
        "close_form": CloseForm(),
        "today": today,
    }
    return render(request, "institutions/reports/home.html", ctx)


def _form_page(
    request: AuthedRequest, inst: Institution, form: Any, title: str, intro: str = ""
) -> HttpResponse:
    return render(
        request,
        "institutions/reports/form.html",
        {"inst": inst, "form": form, "title": title, "intro": intro},
    )


@scope(Cap.INSTITUTION_VIEW)
def report_new(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    today = timezone.localdate()
    raw = (request.POST.get("month") or request.GET.get("month") or "")[:20]
    month = rr.parse_month(raw) if raw else rr.last_complete_month(today)
    pre = queries.prefill(inst.pk, month) if month and not rr.month_errors(month, today) else None
    form = ReportForm(
        request.POST or None, prefill=pre, initial={"month": f"{month:%Y-%m}"} if month else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            r = reports.report_file(actor=request.user, institution=inst, data=form.to_input())
        except reports.InstitutionInvalid as exc:
            form.add_service_errors(exc.errors)
        except reports.NotPermitted:
            messages.error(request, "您没有为该机构报送月报的权限")
        else:
            late = "（已逾期报送）" if r.late else ""
            messages.success(request, f"已报送 {r.month:%Y-%m} 月报{late}")
            return _hub(inst)
    intro = "在住老人和在用床位按入住记录预填（月末在住），可以修改，但须说明原因。"
    return _form_page(request, inst, form, "报送月报", intro)


@scope(Cap.INSTITUTION_VIEW)
def report_detail(request: AuthedRequest, institution_id: UUID, report_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    r = sel.report_get(inst, report_id)
    rows = [
        (reports.label_of(MonthlyReport, k), getattr(r, k), r.prefilled.get(k))
        for k in queries.FIGURES
    ]
    incidents = [(IncidentKind(i.kind).label, i.count, i.serious) for i in r.incidents.all()]
    return render(
        request,
        "institutions/reports/detail.html",
        {"inst": inst, "r": r, "rows": rows, "incidents": incidents},
    )


@scope(Cap.INSTITUTION_VIEW)
def prepaid_new(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    form = PrepaidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            f = reports.prepaid_file(actor=request.user, institution=inst, data=form.to_input())
        except reports.InstitutionInvalid as exc:
            form.add_service_errors(exc.errors)
        except reports.NotPermitted:
            messages.error(request, "您没有为该机构报备预收费用的权限")
        else:
            if f.violations:
                messages.warning(
                    request,
                    "已报备，但不符合规定：" + "；".join(v["message"] for v in f.violations),
                )
            else:
                messages.success(request, "已报备预收费用")
            return _hub(inst)
    intro = (
        "依据民发〔2024〕19号：养老服务费预收不超过12个月；押金不超过月床位费的12倍；"
        "公办、公建民营养老机构不得收取会员费；预收费用总额不超过净固定资产（不含已抵押）；"
        "押金和会员费须由商业银行第三方存管并缴存风险保证金。"
    )
    return _form_page(request, inst, form, "报备预收费用", intro)


@scope(Cap.INSTITUTION_VIEW)
def balance_new(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    today = timezone.localdate()
    form = BalanceForm(
        request.POST or None, initial={"month": f"{rr.last_complete_month(today):%Y-%m}"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            b = reports.balance_report(actor=request.user, institution=inst, data=form.to_input())
        except reports.InstitutionInvalid as exc:
            form.add_service_errors(exc.errors)
        except reports.NotPermitted:
            messages.error(request, "您没有为该机构报告余额的权限")
        else:
            if b.violations:
                messages.warning(
                    request,
                    "已报告，但不符合规定：" + "；".join(v["message"] for v in b.violations),
                )
            else:
                messages.success(request, f"已报告 {b.month:%Y-%m} 预收费用余额")
            return _hub(inst)
    return _form_page(request, inst, form, "报告预收费用月度余额")


@require_POST
@scope(Cap.INSTITUTION_VIEW)
def stop_notice(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    form = StopNoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写停止服务日期和原因")
        return _hub(inst)
    try:
        n = reports.stop_notice_file(actor=request.user, institution=inst, **form.cleaned_data)
    except reports.InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    except reports.NotPermitted:
        messages.error(request, "您没有为该机构告知停止服务的权限")
    else:
        if n.violations:
            messages.warning(request, n.violations[0]["message"])
        else:
            messages.success(request, "已登记停止服务告知")
    return _hub(inst)


@require_POST
@scope(Cap.INSTITUTION_MANAGE)
def complaint_new(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    form = ComplaintForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写收到日期和投诉事项")
        return _hub(inst)
    try:
        reports.complaint_record(actor=request.user, institution=inst, **form.cleaned_data)
    except reports.InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    except reports.NotPermitted:
        messages.error(request, "您没有登记投诉的权限")
    else:
        messages.success(request, "已登记投诉")
    return _hub(inst)


@require_POST
@scope(Cap.INSTITUTION_MANAGE)
def complaint_close(request: AuthedRequest, complaint_id: UUID) -> HttpResponse:
    c = sel.complaint_get(user=request.user, public_id=complaint_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写办理结果")
    else:
        try:
            reports.complaint_close(actor=request.user, complaint=c, **form.cleaned_data)
        except reports.InstitutionInvalid as exc:
            flash_errors(request, exc.errors)
        else:
            messages.success(request, "投诉已办结")
    return _hub(c.institution)


@scope(Cap.INSTITUTION_MANAGE)
def late(request: AuthedRequest) -> HttpResponse:
    """The month's reports not filed: to remind (before the due date) and late (after)."""
    today = timezone.localdate()
    month = _month_param(request, today)
    owed = sel.reports_owed(user=request.user, month=month, region=_region_param(request))
    return render(
        request,
        "institutions/reports/late.html",
        {
            "month": month,
            "remind": [o for o in owed if o.due >= today],
            "late": [o for o in owed if o.due < today],
            "totals": None,
        },
    )


@scope(Cap.INSTITUTION_MANAGE)
def risk(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    month = _month_param(request, today)
    rows = sel.risk_list(user=request.user, month=month, today=today, region=_region_param(request))
    return render(
        request,
        "institutions/reports/risk.html",
        {
            "month": month,
            "page": _page(rows, request.GET.get("page")),
            "parts": prepaid_rules.RISK_PARTS,
        },
    )


@scope(Cap.INSTITUTION_MANAGE)
def tekun(request: AuthedRequest) -> HttpResponse:
    """特困 应养尽养: who asked for central support and is not placed; record a request."""
    today = timezone.localdate()
    form = SupportForm(request.POST or None, initial={"requested_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            reports.support_request(actor=request.user, **form.cleaned_data)
        except reports.InstitutionInvalid as exc:
            form.add_service_errors(exc.errors)
        except reports.NotPermitted:
            messages.error(request, "您没有登记集中供养申请的权限")
        else:
            messages.success(request, "已登记集中供养申请")
            return redirect("institutions:tekun")
    rows = sel.tekun_unplaced(user=request.user, on=today, region=_region_param(request))
    return render(
        request,
        "institutions/reports/tekun.html",
        {"page": _page(rows, request.GET.get("page")), "form": form, "today": today},
    )


@require_POST
@scope(Cap.INSTITUTION_MANAGE)
def tekun_withdraw(request: AuthedRequest, request_id: UUID) -> HttpResponse:
    req = sel.support_request_get(user=request.user, public_id=request_id)
    try:
        reports.support_withdraw(actor=request.user, request=req)
    except reports.InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    except reports.NotPermitted as exc:
        raise Http404 from exc
    else:
        messages.success(request, "已撤回该集中供养申请")
    return redirect("institutions:tekun")


@scope(Cap.INSTITUTION_MANAGE)
def rules(request: AuthedRequest) -> HttpResponse:
    """Policy values in force (national defaults with their 文号) and stricter local ones."""
    today = timezone.localdate()
    ranges = sel.officer_ranges(request.user)
    regions = [
        (r.code, r.name)
        for lo, hi in ranges
        for r in Region.objects.filter(code__gte=lo, code__lte=hi, level__lte=3).order_by("code")[
            :200
        ]
    ]
    form = RuleForm(request.POST or None, regions=regions, initial={"effective_from": today})
    if request.method == "POST" and form.is_valid():
        try:
            reports.rule_add(actor=request.user, **form.cleaned_data)
        except reports.InstitutionInvalid as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, "已发布政策值")
            return redirect("institutions:rules")
    here = regions[0][0] if regions else None
    values = rr.effective_values(queries.rule_rows(), queries.chain(here), today)
    in_force = [(RuleKey(k).label, v.normalize(), doc) for k, (v, doc) in values.items()]
    local = (
        OperatingRule.objects.filter(region_id__in=[c for c, _ in regions])
        .select_related("region")
        .order_by("-effective_from")[:100]
    )
    return render(
        request,
        "institutions/reports/rules.html",
        {
            "form": form,
            "in_force": in_force,
            "local": local,
            "here": regions[0][1] if regions else "",
        },
    )
