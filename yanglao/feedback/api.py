"""REST API of 意见建议反馈: officers record feedback received by phone or letter and read
the feedback addressed to their region (scoped as the pages); the public looks up the
answer by reference number (no token; the same check as the public page)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from yanglao.accounts.api_scope import PUBLIC, declare_scope
from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_RECORDS, in_scope, scoped
from yanglao.core.api_schemas import Message, ValidationOut
from yanglao.feedback import rules, selectors, services
from yanglao.feedback.choices import Status as FeedbackStatus
from yanglao.feedback.models import Feedback
from yanglao.regions import codes

router = Router(tags=["意见建议"])
public_router = Router(tags=["意见建议（公开）"])


class FeedbackIn(Schema):
    kind: str = Field(..., max_length=12, description="suggestion / complaint / inquiry")
    topic: str = Field(..., max_length=16, description="institution / home_community / …")
    region_code: str = Field(..., max_length=12, description="所涉区划（县、乡镇或村，12位）")
    content: str = Field(..., max_length=20_000)
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)


class FeedbackOut(Schema):
    reference: str
    kind: str
    kind_label: str
    topic: str
    topic_label: str
    about_region: str
    handler: str
    submitted_on: date
    due_on: date
    overdue_days: int
    status: str
    status_label: str
    phone_masked: str
    content: str
    answer: str
    answered_on: date | None


class PublicFeedbackOut(Schema):
    reference: str
    kind_label: str
    topic_label: str
    about_region: str
    handler: str
    submitted_on: date
    due_on: date
    status_label: str
    answer: str
    answered_on: date | None


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _out(fb: Feedback) -> dict[str, Any]:
    return {
        "reference": fb.reference,
        "kind": fb.kind,
        "kind_label": fb.get_kind_display(),
        "topic": fb.topic,
        "topic_label": fb.get_topic_display(),
        "about_region": fb.about_region.name,
        "handler": fb.region.name,
        "submitted_on": fb.submitted_on,
        "due_on": fb.due_on,
        "overdue_days": rules.overdue_days(fb.due_on, fb.answered_on, timezone.localdate()),
        "status": fb.status,
        "status_label": fb.get_status_display(),
        "phone_masked": fb.phone_masked,
        "content": fb.content,
        "answer": fb.answer,
        "answered_on": fb.answered_on,
    }


@router.post(
    "",
    response={201: FeedbackOut, 403: Message, 404: Message, 422: ValidationOut},
    summary="代为登记意见建议或投诉（电话、来信）",
)
@declare_scope("feedback:handle")
def feedback_create(request: HttpRequest, body: FeedbackIn) -> Any:
    try:
        fb = services.feedback_submit(
            data=services.FeedbackInput(**body.dict()), address=None, actor=_user(request)
        )
    except services.FeedbackInvalid as exc:
        return Status(422, {"detail": "数据校验未通过", "errors": exc.errors})
    except services.NotPermitted:
        return Status(403, {"detail": "无权执行此操作"})
    return Status(201, _out(fb))


@router.get(
    "",
    response={200: list[FeedbackOut], 400: Message, 403: Message, 404: Message},
    summary="本辖区的意见建议（逾期的在前）",
)
@declare_scope("feedback:handle")
def feedback_list(
    request: HttpRequest,
    region: str = Query(..., max_length=12, description="区划代码，含下级"),
    status: str = Query("open", max_length=10, description="open / answered"),
) -> Any:
    user = _user(request)
    try:
        code = codes.pad(region)
    except ValueError:
        return Status(400, {"detail": "区划代码应为2、4、6、9或12位数字"})
    if not in_scope(user, code, READ_RECORDS):
        raise Http404
    low, high = codes.subtree_range(code)
    rows = selectors.inbox(
        user,
        FeedbackStatus.ANSWERED if status == "answered" else FeedbackStatus.OPEN,
        timezone.localdate(),
    )
    return [_out(r.fb) for r in rows if low <= r.fb.region_id <= high]


@router.get(
    "/{reference}",
    response={200: FeedbackOut, 403: Message, 404: Message},
    summary="一条意见建议（按查询编号）",
)
@declare_scope("feedback:handle")
def feedback_get(request: HttpRequest, reference: str) -> Any:
    ref = rules.normalise_reference(reference)
    qs = Feedback.objects.select_related("region", "about_region").filter(reference=ref)
    fb = scoped(qs, _user(request), READ_RECORDS).first()
    if fb is None:
        raise Http404
    return _out(fb)


@public_router.get(
    "/{reference}",
    auth=None,
    response={200: PublicFeedbackOut, 404: Message},
    summary="答复查询（无需登录；留了电话的须带电话后四位）",
)
@declare_scope(PUBLIC)
def public_feedback(
    request: HttpRequest,
    reference: str,
    phone4: str = Query("", max_length=10, description="电话后四位"),
) -> Any:
    fb, problem = selectors.public_lookup(reference[:40], phone4)
    if fb is None:
        return Status(404, {"detail": problem or "没有查到"})
    return {
        "reference": fb.reference,
        "kind_label": fb.get_kind_display(),
        "topic_label": fb.get_topic_display(),
        "about_region": fb.about_region.name,
        "handler": fb.region.name,
        "submitted_on": fb.submitted_on,
        "due_on": fb.due_on,
        "status_label": fb.get_status_display(),
        "answer": fb.answer if fb.status == FeedbackStatus.ANSWERED else "",
        "answered_on": fb.answered_on,
    }
