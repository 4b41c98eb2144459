"""The waiting list of a public home (长春 §18 priority order) and admission from it."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.roles import Cap
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.institutions import admission, selectors, services
from yanglao.institutions.models import AdmissionRequest, Bed
from yanglao.people.forms import DATE_INPUT


class RequestForm(forms.Form):
    id_number = forms.CharField(
        label="老人身份证号码", max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    declared_solitary = forms.BooleanField(label="孤寡（已核实）", required=False)
    declared_military = forms.BooleanField(label="优抚对象（已查验证件）", required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class AdmitFromListForm(forms.Form):
    bed = forms.ModelChoiceField(queryset=Bed.objects.none(), required=False)
    start = forms.DateField(widget=DATE_INPUT)


@scope(Cap.INSTITUTION_VIEW)
def waiting(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    today = timezone.localdate()
    rows, source = admission.waiting_list(inst, today)
    can = (
        request.user.can(Cap.INSTITUTION_MANAGE)
        or inst.operators.filter(pk=request.user.pk).exists()
    )
    return render(
        request,
        "institutions/waiting.html",
        {
            "inst": inst,
            "rows": rows,
            "source": source,
            "form": RequestForm(),
            "free_beds": inst.beds.filter(status="free"),
            "today": today,
            "can_act": can,
            "public": inst.ownership in admission.PUBLIC,
        },
    )


def _back(inst_id: UUID) -> HttpResponse:
    return redirect("institutions:waiting", institution_id=inst_id)


@require_POST
@scope(Cap.INSTITUTION_VIEW)
def request_new(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写老人身份证号码")
        return _back(institution_id)
    try:
        admission.request_add(actor=request.user, institution=inst, **form.cleaned_data)
    except services.InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        messages.error(request, "您没有办理该机构入住申请的权限")
    else:
        messages.success(request, "已登记入住申请，按优先顺序轮候")
    return _back(institution_id)


def _request(inst_id: UUID, request_id: UUID, request: AuthedRequest) -> AdmissionRequest:
    inst = selectors.institution_get(user=request.user, public_id=inst_id)
    r = inst.admission_requests.filter(public_id=request_id).select_related("person").first()
    if r is None:
        raise Http404
    return r


@require_POST
@scope(Cap.INSTITUTION_VIEW)
def request_admit(request: AuthedRequest, institution_id: UUID, admission_id: UUID) -> HttpResponse:
    r = _request(institution_id, admission_id, request)
    form = AdmitFromListForm(request.POST)
    bed_field = form.fields["bed"]
    assert isinstance(bed_field, forms.ModelChoiceField)
    bed_field.queryset = r.institution.beds.filter(status="free")
    if not form.is_valid():
        messages.error(request, "请选择空闲床位并填写入住日期")
        return _back(institution_id)
    try:
        stay = services.resident_admit(
            actor=request.user,
            institution=r.institution,
            id_number=r.person.id_number,
            bed=form.cleaned_data["bed"],
            start=form.cleaned_data["start"],
        )
        admission.request_close(actor=request.user, request=r, residency=stay)
    except services.InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        messages.error(request, "您没有办理该机构入住的权限")
    else:
        messages.success(request, f"{r.person.name}已入住（照护等级取自最近一次确认的能力评估）")
    return _back(institution_id)


@require_POST
@scope(Cap.INSTITUTION_VIEW)
def request_withdraw(
    request: AuthedRequest, institution_id: UUID, admission_id: UUID
) -> HttpResponse:
    r = _request(institution_id, admission_id, request)
    try:
        admission.request_close(actor=request.user, request=r, residency=None)
    except services.InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        messages.error(request, "您没有办理该机构入住申请的权限")
    else:
        messages.success(request, "已撤回该入住申请")
    return _back(institution_id)
