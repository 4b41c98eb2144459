"""Public pages of 意见建议反馈 (no login), under /public/feedback/: submit, the reference
number, the lookup of the answer, and the region type-ahead."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from yanglao.core.decorators import scope
from yanglao.core.middleware import client_ip
from yanglao.feedback import captcha, selectors, services
from yanglao.feedback.choices import Kind, Topic

DONE_KEY = "feedback_done"
FIELDS = ("kind", "topic", "region_name", "content", "name", "phone")


def _form(
    request: HttpRequest, values: dict[str, str], errors: dict[str, list[str]]
) -> HttpResponse:
    return render(
        request,
        "feedback/public/submit.html",
        {
            "v": values,
            "errors": errors,
            "kinds": Kind.choices,
            "topics": Topic.choices,
            "captcha_image": captcha.new_challenge(request.session),
        },
        status=200,
    )


@scope(public=True)
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form(request, {"kind": Kind.SUGGESTION}, {})
    values = {k: request.POST.get(k, "")[: 20_000 if k == "content" else 200] for k in FIELDS}
    errors: dict[str, list[str]] = {}
    if len(request.POST.get("content", "")) > 20_000:
        errors["content"] = ["内容过长，请精简到2000字以内"]
    if problem := captcha.check(request.session, request.POST.get("captcha", "")):
        errors["captcha"] = [problem]
    region, problem = selectors.resolve_region(values["region_name"])
    if problem:
        errors["region"] = [problem]
    if errors:
        return _form(request, values, errors)
    assert region is not None
    try:
        fb = services.feedback_submit(
            data=services.FeedbackInput(
                kind=values["kind"],
                topic=values["topic"],
                region_code=region.code,
                content=values["content"],
                name=values["name"],
                phone=values["phone"],
            ),
            address=client_ip(request),
        )
    except services.FeedbackInvalid as exc:
        return _form(request, values, exc.errors)
    except services.RateLimited as exc:
        return _form(request, values, {"form": [exc.message]})
    request.session[DONE_KEY] = fb.reference
    return redirect("feedback_public:done")


@require_safe
@scope(public=True)
def done(request: HttpRequest) -> HttpResponse:
    # The reference of what this browser's session has just submitted (nothing else).
    ref = request.session.get(DONE_KEY, "")
    fb = selectors.just_submitted(ref) if isinstance(ref, str) and ref else None
    return render(request, "feedback/public/done.html", {"fb": fb})


@require_safe
@scope(public=True)
def lookup(request: HttpRequest) -> HttpResponse:
    ref = request.GET.get("ref", "")[:40]
    last4 = request.GET.get("phone4", "")[:10]
    fb, problem = selectors.public_lookup(ref, last4) if ref else (None, "")
    if fb is None and ref and not problem:
        problem = "请填写查询编号"
    return render(
        request,
        "feedback/public/lookup.html",
        {"fb": fb, "problem": problem, "ref": ref, "today": timezone.localdate()},
    )


@require_safe
@scope(public=True)
def regions(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("region_name", "") or request.GET.get("q", "")
    return render(
        request,
        "feedback/public/_regions.html",
        {"options": selectors.region_suggestions(q[:30])},
    )
