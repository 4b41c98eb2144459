"""等级评定 pages (issue 11 part 7). Thin: services write (institutions.rating), selectors
read (institutions.rating_selectors)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.roles import Cap, Role
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.institutions import rating, rating_selectors, selectors
from yanglao.institutions import rating_rules as rr
from yanglao.institutions.models import RatingApplication, RatingStatus
from yanglao.institutions.services import InstitutionInvalid, NotPermitted

PAGE_SIZE = 30


def _back(app: RatingApplication) -> HttpResponse:
    return redirect("institutions:rating_detail", rating_id=app.public_id)


def clause_entries(request: HttpRequest, codes: list[str]) -> dict[str, rating.ClauseScore]:
    """The clause scores of a POSTed form (`pts_<code>`, `note_<code>`), known codes only."""
    return {
        code: rating.ClauseScore(
            request.POST.get(f"pts_{code}", "")[:20], request.POST.get(f"note_{code}", "")[:500]
        )
        for code in codes
        if f"pts_{code}" in request.POST
    }


@scope(Cap.INSTITUTION_VIEW)
def ratings(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in RatingStatus.values else ""
    qs = rating_selectors.applications(request.user, status)
    institution = request.GET.get("institution", "")[:36]
    try:
        if institution:
            qs = qs.filter(institution__public_id=UUID(institution))
    except ValueError:
        messages.error(request, "机构编号格式不正确")
        institution = ""
    return render(
        request,
        "institutions/ratings.html",
        {
            "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
            "status": status,
            "institution": institution,
            "statuses": RatingStatus.choices,
            "levels": rr.LEVEL_LABELS,
        },
    )


@scope(Cap.INSTITUTION_VIEW)
def rating_detail(request: AuthedRequest, rating_id: UUID) -> HttpResponse:
    user = request.user
    app = rating_selectors.application_get(user=user, public_id=rating_id)
    rows = rating_selectors.scores(app)
    if request.method == "POST":
        entries = clause_entries(request, [r.clause.code for r in rows])
        action = request.POST.get("action", "")
        try:
            if action in ("self", "self_submit"):
                rating.rating_self_assess(
                    actor=user, application=app, entries=entries, submit=action == "self_submit"
                )
                done = "自评已提交，等待专家评分" if action == "self_submit" else "自评已保存"
            elif action == "score":
                rating.rating_score(actor=user, application=app, entries=entries)
                done = "专家评分已保存"
            else:
                messages.error(request, "无效的操作")
                return _back(app)
        except InstitutionInvalid as exc:
            flash_errors(request, exc.errors)
        except NotPermitted:
            messages.error(request, "您没有办理该项的权限")
        else:
            messages.success(request, done)
        return _back(app)
    is_officer = user.can(Cap.INSTITUTION_MANAGE) and user.role != Role.INSTITUTION_OPERATOR
    result = rating.expert_result(app)
    return render(
        request,
        "institutions/rating_detail.html",
        {
            "app": app,
            "inst": app.institution,
            "rows": rows,
            "parts": rr.PARTS,
            "levels": rr.LEVEL_LABELS,
            "result": result,
            "part_scores": [(p, result.parts[p.key] if result else None) for p in rr.PARTS],
            "can_self": app.status == RatingStatus.SELF_ASSESSMENT,
            "can_score": is_officer and app.status == RatingStatus.SCORING,
            "is_officer": is_officer,
            "publicity_over": app.publicity_until is not None
            and app.publicity_until < timezone.localdate(),
            "grantable": rr.grantable_level(app.requested_level, result.level) if result else None,
        },
    )


@require_POST
@scope(Cap.INSTITUTION_VIEW)
def rating_apply(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    raw = request.POST.get("level", "")
    level = int(raw) if raw in ("1", "2", "3", "4", "5") else 0
    try:
        app = rating.rating_apply(actor=request.user, institution=inst, level=level)
    except InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    except NotPermitted:
        messages.error(request, "您没有为该机构申请等级评定的权限")
    else:
        messages.success(request, "已提交等级评定申请，请逐项填写自评")
        return _back(app)
    return redirect("institutions:detail", institution_id=inst.public_id)


@require_POST
@scope(Cap.INSTITUTION_MANAGE)
def rating_decide(request: AuthedRequest, rating_id: UUID) -> HttpResponse:
    app = rating_selectors.application_get(user=request.user, public_id=rating_id)
    raw = request.POST.get("level", "")
    try:
        rating.rating_decide(
            actor=request.user,
            application=app,
            approve=request.POST.get("approve") == "1",
            level=int(raw) if raw in ("1", "2", "3", "4", "5") else None,
            note=request.POST.get("note", "")[:500],
        )
    except InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "评定委员会意见已记录")
    return _back(app)


@require_POST
@scope(Cap.INSTITUTION_MANAGE)
def rating_objection(request: AuthedRequest, rating_id: UUID) -> HttpResponse:
    app = rating_selectors.application_get(user=request.user, public_id=rating_id)
    try:
        rating.rating_objection(
            actor=request.user,
            application=app,
            note=request.POST.get("note", "")[:500],
            upheld=request.POST.get("upheld") == "1",
        )
    except InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "公示异议已登记")
    return _back(app)


@require_POST
@scope(Cap.INSTITUTION_MANAGE)
def rating_certify(request: AuthedRequest, rating_id: UUID) -> HttpResponse:
    app = rating_selectors.application_get(user=request.user, public_id=rating_id)
    try:
        app = rating.rating_certify(actor=request.user, application=app)
    except InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, f"已发证：{app.certificate_no}，有效期至{app.valid_until}")
    return _back(app)


@require_POST
@scope(Cap.INSTITUTION_MANAGE)
def rating_downgrade(request: AuthedRequest, institution_id: UUID) -> HttpResponse:
    inst = selectors.institution_get(user=request.user, public_id=institution_id)
    try:
        event = rating.rating_downgrade(
            actor=request.user, institution=inst, reason=request.POST.get("reason", "")[:500]
        )
    except InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        after = rr.LEVEL_LABELS.get(event.level_after or 0, "无等级")
        messages.success(request, f"已调整等级为：{after}")
    return redirect("institutions:detail", institution_id=inst.public_id)
