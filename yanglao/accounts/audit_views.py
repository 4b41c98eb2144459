"""The auditor's search over the audit log (read-only; auditors cannot change data)."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from yanglao.accounts import audit_text
from yanglao.accounts.regionpicker import RegionField, bind_regions
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import READ_FIGURES, user_ranges
from yanglao.core.audit import ACTION_LABELS
from yanglao.core.decorators import AuthedRequest, scope
from yanglao.core.models import AuditEvent
from yanglao.regions import codes

PAGE = 100


# Groups of actions by what they act on ("person." matches every person.* action).
ACTION_GROUPS = {
    "person.": "老年人台账（全部）",
    "user.": "账号管理（全部）",
    "auth.": "登录与令牌（全部）",
    "assessment.": "能力评估（全部）",
    "benefit": "服务与补贴（全部）",
    "roll.": "发放名册（全部）",
    "visit.": "巡访（全部）",
    "institution.": "养老机构（全部）",
    "inspection.": "双随机抽查（全部）",
    "import.": "台账导入（全部）",
}


def action_choices() -> list[tuple[str, object]]:
    single = sorted(ACTION_LABELS.items(), key=lambda kv: kv[0])
    return [
        ("", "全部操作"),
        ("按类别", list(ACTION_GROUPS.items())),
        ("按操作", [(k, v) for k, v in single]),
    ]


class AuditFilter(forms.Form):
    person = forms.CharField(label="对象名称或编号", required=False)
    actor = forms.CharField(label="操作人账号", required=False)
    region = RegionField(label="区划", required=False)
    action = forms.ChoiceField(label="操作", required=False, choices=action_choices)
    date_from = forms.DateField(
        label="起", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="止", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@scope(Cap.AUDIT_VIEW)
def search(request: AuthedRequest) -> HttpResponse:
    form = AuditFilter(request.GET or None)
    bind_regions(form, request.user)
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
            low, high = codes.subtree_range(d["region"])
            qs = qs.filter(region_code__gte=low, region_code__lte=high)
        if d["action"] in ACTION_GROUPS:
            qs = qs.filter(action__startswith=d["action"])
        elif d["action"]:
            qs = qs.filter(action=d["action"])
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
            "rows": audit_text.sentences(rows),
            "next_before": rows[-1].id if more and rows else None,
            "query": query.urlencode(),
        },
    )
