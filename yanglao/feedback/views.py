"""Officers' pages of 意见建议反馈: the inbox (overdue first), one feedback with its answer,
forward and the audited reveal of the phone number."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from yanglao.accounts.roles import Cap
from yanglao.core.decorators import AuthedRequest, flash_errors, posted_version, scope
from yanglao.feedback import rules, selectors, services
from yanglao.feedback.choices import Status
from yanglao.feedback.models import Feedback


@require_safe
@scope(Cap.FEEDBACK_HANDLE)
def inbox(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    status = Status.ANSWERED if request.GET.get("status") == Status.ANSWERED else Status.OPEN
    return render(
        request,
        "feedback/inbox.html",
        {
            "rows": selectors.inbox(request.user, status, today),
            "status": status,
            "counts": selectors.counts(request.user, today),
            "limit": selectors.INBOX_LIMIT,
        },
    )


def _detail(request: AuthedRequest, fb: Feedback, phone: str = "") -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "feedback/detail.html",
        {
            "fb": fb,
            "phone": phone,
            "overdue": rules.overdue_days(fb.due_on, fb.answered_on, today),
            "forwards": fb.forwards.select_related("from_region", "to_region", "actor"),
            "targets": services.forward_targets(fb) if fb.status == Status.OPEN else [],
        },
    )


@require_safe
@scope(Cap.FEEDBACK_HANDLE)
def detail(request: AuthedRequest, feedback_id: UUID) -> HttpResponse:
    return _detail(request, selectors.feedback_for(request.user, feedback_id))


@require_POST
@scope(Cap.FEEDBACK_HANDLE)
def answer(request: AuthedRequest, feedback_id: UUID) -> HttpResponse:
    fb = selectors.feedback_for(request.user, feedback_id)
    try:
        services.feedback_answer(
            actor=request.user,
            feedback=fb,
            answer=request.POST.get("answer", "")[:20_000],
            version=posted_version(request),
        )
    except services.FeedbackInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        raise Http404 from None
    else:
        messages.success(request, f"已答复。群众可凭查询编号 {fb.reference} 查看答复。")
    return redirect("feedback:detail", feedback_id=fb.public_id)


@require_POST
@scope(Cap.FEEDBACK_HANDLE)
def forward(request: AuthedRequest, feedback_id: UUID) -> HttpResponse:
    fb = selectors.feedback_for(request.user, feedback_id)
    try:
        moved = services.feedback_forward(
            actor=request.user,
            feedback=fb,
            to_code=request.POST.get("to", ""),
            reason=request.POST.get("reason", "")[:2000],
            version=posted_version(request),
        )
    except services.FeedbackInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        raise Http404 from None
    else:
        messages.success(request, f"已转办至{moved.region.name}。")
        if not selectors.scoped_exists(request.user, moved.pk):
            return redirect("feedback:inbox")
    return redirect("feedback:detail", feedback_id=fb.public_id)


@require_POST
@scope(Cap.FEEDBACK_HANDLE)
def reveal(request: AuthedRequest, feedback_id: UUID) -> HttpResponse:
    fb = selectors.feedback_for(request.user, feedback_id)
    try:
        phone = services.phone_reveal(actor=request.user, feedback=fb)
    except services.NotPermitted:
        raise Http404 from None
    return _detail(request, fb, phone)
