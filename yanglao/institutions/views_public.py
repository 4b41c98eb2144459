"""Public pages (issue 11 part 8): no login, institution facts only (institutions.public)."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from yanglao.core.decorators import scope
from yanglao.institutions import public
from yanglao.institutions.choices import Ownership


@require_safe
@scope(public=True)
def directory(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    f, errors = public.parse_filters(request.GET)
    page = public.directory(f, request.GET.get("page", "")[:7], today)
    return render(
        request,
        "institutions/public/directory.html",
        {
            "page": page,
            "f": f,
            "errors": errors,
            "districts": public.districts(),
            "ownerships": Ownership.choices,
            "bands": [(k, v[0]) for k, v in public.BED_BANDS.items()],
            "levels": [(str(n), f"{n}级") for n in range(1, 6)],
            "publicity": public.in_publicity(today),
            "query": "&".join(
                f"{k}={v}"
                for k, v in (
                    ("district", f.district),
                    ("ownership", f.ownership),
                    ("beds", f.beds),
                    ("rating", f.rating),
                )
                if v
            ),
        },
    )


@require_safe
@scope(public=True)
def detail(request: HttpRequest, institution_id: UUID) -> HttpResponse:
    card = public.institution(institution_id, timezone.localdate())
    if card is None:
        raise Http404
    return render(request, "institutions/public/detail.html", {"i": card})


@require_safe
@scope(public=True)
def draws(request: HttpRequest) -> HttpResponse:
    """双随机一公开: the published draws with their seeds, for anyone to re-run."""
    return render(
        request, "institutions/public/draws.html", {"draws": public.draws(timezone.localdate())}
    )


@require_safe
@scope(public=True)
def draw_json(request: HttpRequest, draw_id: UUID) -> JsonResponse:
    doc = public.draw_document(draw_id, timezone.localdate())
    if doc is None:
        raise Http404
    response = JsonResponse(doc, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="draw-{draw_id}.json"'
    return response
