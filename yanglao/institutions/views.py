"""Institution pages. Thin: forms validate input, services write, selectors read (scoped)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap, Role
from yanglao.core.calendar import exceptions_from
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.institutions import rules, selectors, services
from yanglao.institutions.choices import (
    FILING_DOCUMENTS,
    FilingStatus,
    OperatingStatus,
    Ownership,
)
from yanglao.institutions.forms import (
    AdmitForm,
    BedForm,
    DecideForm,
    DischargeForm,
    FilingForm,
    InstitutionForm,
)
from yanglao.institutions.models import Institution, Residency
from yanglao.people import selectors as people_selectors
from yanglao.regions.models import Region

PAGE_SIZE = 30


def _page(qs: Any, number: str | None) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(number)


def _villages(request: AuthedRequest) -> tuple[list[Region], list[Region], str]:
    county = request.GET.get("county", "") or request.POST.get("county", "")
    return people_selectors.village_picker(request.user, county)


@scope(Cap.INSTITUTION_VIEW)
def index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    f = selectors.Filters(
        q=request.GET.get("q", "").strip()[:50],
        region=request.GET.get("region", "").strip()[:12],
        ownership=request.GET.get("ownership", "")
        if request.GET.get("ownership", "") in Ownership.values
        else "",
        filing=request.GET.get("filing", "")
        if request.GET.get("filing", "") in FilingStatus.values
        else "",
        status=request.GET.get("status", "")
        if request.GET.get("status", "") in OperatingStatus.values
        else "",
    )
    if f.region and not (f.region.isdigit() and len(f.region) in (2, 4, 6, 9, 12)):
        messages.error(request, "区划代码应为2、4、6、9或12位数字")
        f = selectors.Filters(q=f.q, ownership=f.ownership, filing=f.filing, status=f.status)
    qs = selectors.institution_search(user=user, f=f)
    if user.role == Role.INSTITUTION_OPERATOR and qs.count() == 1:
        only = qs.first()
        assert only is not None
        return redirect("institutions:detail", institution_id=only.public_id)
    today = timezone.localdate()
    ctx = {
        "page": _page(qs, request.GET.get("page")),
        "f": f,
        "ownerships": Ownership.choices,
        "filings": FilingStatus.choices,
        "statuses": OperatingStatus.choices,
        "queue": selectors.filing_queue(user=user).count(),
        "overdue": len(selectors.for_action(user=user, today=today)),
        "can_manage": user.can(Cap.INSTITUTION_MANAGE),
    }
    return render(request, "institutions/index.html", ctx)


@scope(Cap.INSTITUTION_MANAGE)
def create(request: AuthedRequest) -> HttpResponse:
    villages, counties, county = _villages(request)
    form = InstitutionForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            inst = services.institution_register(actor=request.user, data=form.to_input())
        except services.InstitutionInvalid as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, f"已登记：{inst.name}")
            return redirect("institutions:detail", institution_id=inst.public_id)
    return render(
        request,
        "institutions/form.html",
        {"form": form, "counties": counties, "county": county, "title": "登记养老机构"},
    )


@scope(Cap.INSTITUTION_MANAGE)
def edit(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    villages, counties, county = _villages(request)
    if not any(v.code == inst.region_id for v in villages):
        villages = [inst.region, *villages]
    if request.method == "POST":
        form = InstitutionForm(request.POST, villages=villages)
        if form.is_valid():
            try:
                services.institution_update(
                    actor=request.user,
                    institution=inst,
                    data=form.to_input(),
                    expected_version=form.cleaned_data["version"] or 0,
                )
            except services.InstitutionInvalid as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(request, "已保存修改")
                return redirect("institutions:detail", institution_id=inst.public_id)
    else:
        form = InstitutionForm(initial=InstitutionForm.initial_from(inst), villages=villages)
    return render(
        request,
        "institutions/form.html",
        {"form": form, "counties": counties, "county": county, "title": f"修改：{inst.name}"},
    )


@scope(Cap.INSTITUTION_VIEW)
def detail(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    user = request.user
    inst = selectors.institution_get(user=user, public_id=institution_id)
    can_manage = user.can(Cap.INSTITUTION_MANAGE) and user.role != Role.INSTITUTION_OPERATOR
    can_operate = can_manage or inst.operators.filter(pk=user.pk).exists()
    today = timezone.localdate()
    beds = rules.Beds(inst.beds_total, inst.beds_nursing, inst.beds_dementia, inst.beds_daycare)
    due = (
        rules.filing_due(inst.first_admission_on, exceptions_from(inst.first_admission_on))
        if inst.first_admission_on
        else None
    )
    ctx = {
        "inst": inst,
        "nursing_share": rules.share(beds.nursing, beds.total),
        "nursing_target": rules.NURSING_SHARE_TARGET,
        "bed_list": selectors.beds(inst),
        "bed_counts": selectors.bed_counts(inst),
        "residents": selectors.residents(inst),
        "filing_list": selectors.filings(inst),
        "filing_due": due,
        "filing_late": due is not None and due < today and inst.filing_status != FilingStatus.FILED,
        "can_manage": can_manage,
        "can_operate": can_operate,
        "filing_form": FilingForm(),
        "bed_form": BedForm(),
        "discharge_form": DischargeForm(initial={"end": today}),
        "operators": inst.operators.all(),
        "documents": dict(FILING_DOCUMENTS),
        "today": today,
    }
    return render(request, "institutions/detail.html", ctx)


def _back(inst: Institution) -> HttpResponse:
    return redirect("institutions:detail", institution_id=inst.public_id)


@require_POST
@scope(Cap.INSTITUTION_VIEW)
def filing_new(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    form = FilingForm(request.POST)
    if not form.is_valid():
        flash_errors(request, {k: [str(e) for e in v] for k, v in form.errors.items()})
        return _back(inst)
    try:
        services.filing_submit(
            actor=request.user,
            institution=inst,
            kind=form.cleaned_data["kind"],
            documents=form.cleaned_data["documents"],
            pledge=form.cleaned_data["pledge"],
            note=form.cleaned_data["note"],
        )
    except services.InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        messages.error(request, "您没有办理该机构备案的权限")
    else:
        messages.success(request, "备案材料已提交，请等待民政部门处理")
    return _back(inst)


@scope(Cap.INSTITUTION_MANAGE)
def filings(request: AuthedRequest) -> HttpResponse:
    qs = selectors.filing_queue(user=request.user)
    return render(
        request,
        "institutions/filings.html",
        {"page": _page(qs, request.GET.get("page")), "form": DecideForm()},
    )


@require_POST
@scope(Cap.INSTITUTION_MANAGE)
def filing_decide(request: AuthedRequest, filing_id: UUID) -> HttpResponse:
    filing = selectors.filing_queue(user=request.user).filter(public_id=filing_id).first()
    if filing is None:
        raise Http404
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择处理结果")
        return redirect("institutions:filings")
    try:
        f = services.filing_decide(
            actor=request.user,
            filing=filing,
            receipt=form.cleaned_data["receipt"],
            reason=form.cleaned_data["reason"],
        )
    except services.InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        done = f"已出具备案回执 {f.receipt_no}" if f.receipt_no else "已告知补正材料"
        messages.success(request, f"{filing.institution.name}：{done}")
    return redirect("institutions:filings")


@require_POST
@scope(Cap.INSTITUTION_VIEW)
def bed_add(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    form = BedForm(request.POST)
    if form.is_valid():
        try:
            services.bed_add(actor=request.user, institution=inst, **form.cleaned_data)
        except services.InstitutionInvalid as exc:
            flash_errors(request, exc.errors)
        except services.NotPermitted:
            messages.error(request, "您没有管理该机构床位的权限")
        else:
            messages.success(request, "已添加床位")
    else:
        messages.error(request, "请填写房间号、床号并选择床位类型")
    return _back(inst)


@scope(Cap.INSTITUTION_VIEW)
def admit(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    form = AdmitForm(request.POST or None, institution=inst)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_admit(actor=request.user, institution=inst, **form.cleaned_data)
        except services.InstitutionInvalid as exc:
            for key, msgs in exc.errors.items():
                for m in msgs:
                    form.add_error(key if key in form.fields else None, m)
        except services.NotPermitted:
            messages.error(request, "您没有为该机构办理入住的权限")
        else:
            messages.success(
                request, "已办理入住；该老人的居住方式已改为“养老机构”，不再列入居家巡访"
            )
            return _back(inst)
    return render(request, "institutions/admit.html", {"inst": inst, "form": form})


@require_POST
@scope(Cap.INSTITUTION_VIEW)
def discharge(request: AuthedRequest, institution_id: UUID, residency_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    r = Residency.objects.filter(institution=inst, public_id=residency_id).first()
    if r is None:
        raise Http404
    form = DischargeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写离院日期并选择离院原因")
        return _back(inst)
    try:
        services.resident_discharge(actor=request.user, residency=r, **form.cleaned_data)
    except services.InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        messages.error(request, "您没有为该机构办理离院的权限")
    else:
        messages.success(request, "已办理离院；该老人恢复为居家，重新列入居家巡访")
    return _back(inst)


@require_POST
@scope(Cap.INSTITUTION_MANAGE)
def operator_bind(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    username = request.POST.get("username", "").strip()[:150]
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        messages.error(request, "没有该账号（请先由安全管理员创建“养老机构经办人”账号）")
        return _back(inst)
    try:
        services.operator_bind(actor=request.user, institution=inst, user=user)
    except services.InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, f"已将账号 {user.username} 绑定为本机构经办人")
    return _back(inst)


@scope(Cap.INSTITUTION_MANAGE)
def overdue(request: AuthedRequest) -> HttpResponse:
    rows = selectors.for_action(user=request.user, today=timezone.localdate())
    return render(request, "institutions/overdue.html", {"rows": rows})
