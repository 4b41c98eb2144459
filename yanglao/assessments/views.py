"""Thin views: parse the request, call a selector or service, render."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.regionpicker import path_name
from yanglao.accounts.roles import Cap
from yanglao.assessments import forms, ltc, pdf, scoring, selectors, services
from yanglao.assessments.choices import ConfigStatus, Reason, Standard, Status
from yanglao.assessments.models import Assessment
from yanglao.core.dates import days_since
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.people import selectors as people_selectors
from yanglao.people.services import NotPermitted
from yanglao.regions import codes


def grade_label(a: Assessment) -> str:
    if a.final_grade is None:
        return "—"
    labels = ltc.GRADE_LABELS if a.standard == Standard.LTC_2021 else scoring.GRADE_LABELS
    return labels.get(a.final_grade, str(a.final_grade))


@scope(Cap.ASSESSMENT_VIEW)
def overview(request: AuthedRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    # ?region= narrows the scoped figures to one node (the statistics pages link here); it
    # never widens them, so a code outside the user's jurisdiction simply shows nothing.
    raw, region = request.GET.get("region", "")[:20], ""
    if raw:
        try:
            region = codes.pad(raw)
        except ValueError:
            messages.error(request, "区划代码应为2、4、6、9或12位数字")
    dist = selectors.grade_distribution(user=user, region=region)
    rows = [(label, dist.get(g, 0)) for g, label in scoring.GRADE_LABELS.items()]
    ctx = {
        "distribution": rows,
        "never": dist.get(None, 0),
        "assessed": sum(n for g, n in dist.items() if g is not None),
        "overdue": selectors.overdue(user=user, on=today, region=region),
        "today": today,
        "region_name": path_name(region) if region else "",
    }
    return render(request, "assessments/overview.html", ctx)


@scope(Cap.ASSESSMENT_DO)
def to_confirm(request: AuthedRequest) -> HttpResponse:
    """待复核: submitted assessments another assessor filled in, for this one to confirm
    (GB/T 42195-2022 asks for two assessors), and the user's own drafts."""
    today = timezone.localdate()
    waiting = list(selectors.awaiting_confirmation(user=request.user)[:200])
    for a in waiting:
        a.days_waiting = days_since(a.submitted_at, today) if a.submitted_at else 0  # type: ignore[attr-defined]
    return render(
        request,
        "assessments/to_confirm.html",
        {
            "waiting": waiting,
            "drafts": list(selectors.my_drafts(user=request.user)[:200]),
            "today": today,
        },
    )


@scope(Cap.ASSESSMENT_VIEW)
def person_history(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    person = people_selectors.person_get(user=request.user, public_id=public_id)
    items = selectors.person_assessments(user=request.user, person=person)
    finals = [a for a in items if a.status == Status.FINAL]
    ctx = {
        "person": person,
        "items": [(a, grade_label(a)) for a in items],
        "finals": finals,
        "can_do": request.user.can(Cap.ASSESSMENT_DO),
        "open": next((a for a in items if a.status != Status.FINAL), None),
        "reasons": Reason.choices,
        "standards": Standard.choices,
        "today": timezone.localdate(),
    }
    return render(request, "assessments/history.html", ctx)


@require_POST
@scope(Cap.ASSESSMENT_DO)
def start(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    person = people_selectors.person_get(user=request.user, public_id=public_id)
    supersedes = None
    if request.POST.get("supersedes"):
        supersedes = selectors.assessment_get(
            user=request.user, public_id=request.POST["supersedes"]
        )
    try:
        when = date.fromisoformat(request.POST.get("assessment_date") or "")
    except ValueError:
        when = timezone.localdate()
    try:
        a = services.assessment_start(
            actor=request.user,
            person=person,
            reason=request.POST.get("reason", ""),
            assessment_date=when,
            standard=request.POST.get("standard") or Standard.GBT_42195,
            supersedes=supersedes,
            location=request.POST.get("location", ""),
        )
    except services.AssessmentInvalid as exc:
        flash_errors(request, exc.errors)
        return redirect("assessments:person", public_id=person.public_id)
    return redirect("assessments:detail", assessment_id=a.public_id)


def _score_context(standard: str, data: services.AssessmentData) -> dict[str, Any]:
    if standard == Standard.LTC_2021:
        subs = dict.fromkeys(ltc.DIMENSIONS, 0)
        for code, v in data.items.items():
            item = ltc.ITEM_BY_CODE.get(code)
            if item is not None and v in item.allowed:
                subs[item.dimension] += v
        missing = len([i for i in ltc.ITEMS if i.code not in data.items])
        return {
            "subs": [(t, subs[k], m) for k, (t, m) in ltc.DIMENSIONS.items()],
            "total": None,
            "missing": missing,
            "grade": None,
        }
    inp = scoring.GbtInput(
        items=data.items,
        coma=data.coma,
        b39_state=data.b39_state or None,
        diagnoses=[
            scoring.Diagnosis(d["icd"], d["diagnosed_by"], d["confirmed"]) for d in data.diagnoses
        ],
        risk_events=data.risk_events,
    )
    items = scoring.resolved_items(inp)
    subs = scoring.subtotals(items)
    ctx: dict[str, Any] = {
        "subs": [(d.label, subs[d.key], d.max_points) for d in scoring.DIMENSIONS],
        "total": sum(subs.values()),
        "missing": len([c for c in scoring.ITEM_CODES if c not in items]),
        "grade": None,
    }
    try:
        r = scoring.score(inp)
    except scoring.ScoreInvalid:
        return ctx
    ctx["grade"] = scoring.GRADE_LABELS[r.final_grade]
    ctx["reasons"] = [scoring.REASON_LABELS[x] for x in r.reasons]
    return ctx


@require_POST
@scope(Cap.ASSESSMENT_DO)
def preview(request: AuthedRequest) -> HttpResponse:
    """The running subtotal while the form is filled in; reads and writes no record."""
    standard = request.POST.get("standard") or Standard.GBT_42195
    data = forms.parse(request.POST, standard)
    return render(request, "assessments/_score.html", _score_context(standard, data))


@scope(Cap.ASSESSMENT_VIEW)
def detail(request: AuthedRequest, assessment_id: UUID) -> HttpResponse:
    a = selectors.assessment_get(user=request.user, public_id=assessment_id)
    user = request.user
    editable = a.status == Status.DRAFT and a.assessor_id == user.pk and user.can(Cap.ASSESSMENT_DO)
    ctx: dict[str, Any] = {
        "a": a,
        "person": a.person,
        "grade_label": grade_label(a),
        "groups": forms.groups(a.standard, a.items),
        "reason_labels": [scoring.REASON_LABELS.get(r, r) for r in a.reasons],
        "can_confirm": a.status == Status.SUBMITTED
        and a.assessor_id != user.pk
        and user.can(Cap.ASSESSMENT_DO),
        "errors": {},
        **forms.CONTEXT,
    }
    if editable:
        data = services.AssessmentData(
            items=a.items,
            coma=a.coma,
            b39_state=a.b39_state,
            diagnoses=a.diagnoses,
            risk_events=a.risk_events,
        )
        ctx["score"] = _score_context(a.standard, data)
        return render(request, "assessments/form.html", ctx)
    return render(request, "assessments/report.html", ctx)


@require_POST
@scope(Cap.ASSESSMENT_DO)
def save(request: AuthedRequest, assessment_id: UUID) -> HttpResponse:
    a = selectors.assessment_get(user=request.user, public_id=assessment_id)
    data = forms.parse(request.POST, a.standard)
    try:
        a = services.assessment_save(actor=request.user, assessment=a, data=data)
        if request.POST.get("action") == "submit":
            services.assessment_submit(actor=request.user, assessment=a)
            messages.success(request, "已提交，请另一名评估员复核确认")
        else:
            messages.success(request, "已保存")
    except NotPermitted:
        raise
    except services.AssessmentInvalid as exc:
        flash_errors(request, exc.errors)
    return redirect("assessments:detail", assessment_id=a.public_id)


@require_POST
@scope(Cap.ASSESSMENT_DO)
def confirm(request: AuthedRequest, assessment_id: UUID) -> HttpResponse:
    a = selectors.assessment_get(user=request.user, public_id=assessment_id)
    try:
        a = services.assessment_confirm(actor=request.user, assessment=a)
        messages.success(request, f"评估已确认：{grade_label(a)}")
    except services.AssessmentInvalid as exc:
        flash_errors(request, exc.errors)
    return redirect("assessments:detail", assessment_id=a.public_id)


@require_POST
@scope(Cap.ASSESSMENT_DO)
def send_back(request: AuthedRequest, assessment_id: UUID) -> HttpResponse:
    a = selectors.assessment_get(user=request.user, public_id=assessment_id)
    try:
        services.assessment_return(
            actor=request.user, assessment=a, note=request.POST.get("note", "")
        )
        messages.success(request, "已退回评估员修改")
    except services.AssessmentInvalid as exc:
        flash_errors(request, exc.errors)
    return redirect("assessments:detail", assessment_id=a.public_id)


@scope(Cap.ASSESSMENT_VIEW)
def report_pdf(request: AuthedRequest, assessment_id: UUID) -> HttpResponse:
    a = selectors.assessment_get(user=request.user, public_id=assessment_id)
    if a.status != Status.FINAL:
        messages.error(request, "评估确认后才能打印报告")
        return redirect("assessments:detail", assessment_id=a.public_id)
    body = pdf.render_report(a, grade_label=grade_label(a))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{a.number}.pdf"'
    return response


@scope(Cap.REGION_MANAGE)
def config(request: AuthedRequest) -> HttpResponse:
    """LTC-2021 dimension bands and combination matrix: the versions, and publishing a new one."""
    today = timezone.localdate()
    current = services.ltc_config(today)
    current_data = current.data if current is not None else ltc.DEFAULT_CONFIG
    form = forms.ConfigForm(
        request.POST or None,
        initial={"effective_from": today, "config": forms.config_json(current_data)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            cfg = services.ltc_config_publish(
                actor=request.user,
                version=d["version"],
                data=d["config"],
                effective_from=d["effective_from"],
                confirmed=d["confirmed"],
                note=d["note"],
            )
        except services.AssessmentInvalid as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(
                request,
                f"已发布评分配置 {cfg.version}（{cfg.get_status_display()}），"
                f"自 {cfg.effective_from:%Y-%m-%d} 起生效",
            )
            return redirect("assessments:config")
    rows = []
    for cfg in selectors.ltc_config_versions():
        if current is not None and cfg.pk == current.pk:
            state = "现行"
        elif cfg.effective_from > today:
            state = "待生效"
        else:
            state = "已被取代"
        rows.append((cfg, state))
    ctx = {
        "rows": rows,
        "current": current,
        "current_json": forms.config_json(current_data, editable_only=False),
        **forms.config_tables(current_data),
        "trial": current is None or current.status == ConfigStatus.TRIAL,
        "form": form,
        "today": today,
    }
    return render(request, "assessments/config.html", ctx)
