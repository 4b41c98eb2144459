"""The landing page: each role's workbench (工作台), to-do first, figures below."""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from yanglao.accounts.roles import Cap
from yanglao.core.decorators import AuthedRequest, scope
from yanglao.site import workbench as wb
from yanglao.site.figures import home_figures


@scope(public=True)
def workbench(request: AuthedRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    user, today = request.user, timezone.localdate()
    items = wb.todo_items(user, today)
    return render(
        request,
        "site/workbench.html",
        {
            "items": items,
            "late": sum(1 for i in items if i.late),
            "links": wb.desk_links(user),
            "today": today,
            "figures": user.can(Cap.STATS_VIEW),
        },
    )


@scope(Cap.STATS_VIEW)
def figures(request: AuthedRequest) -> HttpResponse:
    """The figures, loaded after the to-do list (they may take a moment province-wide)."""
    return render(request, "site/_figures.html", {"f": home_figures(request.user)})
