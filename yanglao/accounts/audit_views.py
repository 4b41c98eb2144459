"""The auditor's search over the audit log (read-only; auditors cannot change data)."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import READ_FIGURES, user_ranges
from yanglao.core.decorators import AuthedRequest, scope
from yanglao.core.models import AuditEvent

PAGE = 100


class AuditFilter(forms.Form):
    person = forms.CharField(label="对象标识或名称", required=False)
    actor = forms.CharField(label="操作人账号", required=False)
    region = forms.CharField(label="区划代码前缀", required=False, max_length=12)
    action = forms.CharField(label="操作", required=False)
    date_from = forms.DateField(
        label="起", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="止", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@scope(Cap.AUDIT_VIEW)
def search(request: AuthedRequest) -> HttpResponse:
    form = AuditFilter(request.GET or None)
    qs = AuditEvent.objects.all()
    # An auditor sees events of the regions under their jurisdictions, and region-less
    # security events (logins, account changes).
    cond = Q(region_code="")
    for low, high in user_ranges(request.user, READ_FIGURES):
        cond |= Q(region_code__gte=low, region_code__lte=high)
    qs = qs.filter(cond)
    if form.is_valid():
        d = form.cleaned_data
        if d["person"]:
            qs = qs.filter(Q(object_id=d["person"].strip()) | Q(object_label=d["person"].strip()))
        if d["actor"]:
            qs = qs.filter(actor_username=d["actor"].strip())
        if d["region"]:
            qs = qs.filter(region_code__startswith=d["region"].strip())
        if d["action"]:
            qs = qs.filter(action__startswith=d["action"].strip())
        tz = timezone.get_current_timezone()
        if d["date_from"]:
            qs = qs.filter(occurred_at__gte=datetime.combine(d["date_from"], time.min, tz))
        if d["date_to"]:
            qs = qs.filter(occurred_at__lte=datetime.combine(d["date_to"], time.max, tz))
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(id__lt=int(before))
    rows = list(qs.order_by("-id")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "core/audit.html",
        {
            "form": form,
            "rows": rows,
            "next_before": rows[-1].id if more else None,
            "query": query.urlencode(),
        },
    )
