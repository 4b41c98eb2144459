from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from yanglao.accounts.roles import Cap
from yanglao.core.decorators import AuthedRequest, scope
from yanglao.people import selectors
from yanglao.regions import codes
from yanglao.regions.models import Region


@scope(Cap.STATS_VIEW)
def browse(request: AuthedRequest) -> HttpResponse:
    roots = selectors.browsable_roots(request.user)
    if len(roots) == 1:
        return redirect("regions:node", code=roots[0].code)
    figures = selectors.root_figures(user=request.user, roots=roots)
    return render(request, "regions/browse.html", {"rows": figures.rows, "figures": figures})


@scope(Cap.STATS_VIEW)
def node(request: AuthedRequest, code: str) -> HttpResponse:
    region = selectors.region_for_browse(request.user, code)
    figures = selectors.region_figures(user=request.user, region=region)
    # Breadcrumbs only down from the user's own jurisdiction: nodes above it are not theirs.
    crumbs = [
        r
        for r in Region.objects.filter(code__in=codes.ancestor_codes(region.code, region.level))
        if any(lo <= r.code <= hi for lo, hi in _ranges(request))
    ]
    return render(
        request,
        "regions/node.html",
        {
            "region": region,
            "rows": figures.rows,
            "total": figures.total,
            "figures": figures,
            "crumbs": crumbs,
        },
    )


def _ranges(request: AuthedRequest) -> list[tuple[str, str]]:
    from yanglao.accounts.scoping import READ_FIGURES, user_ranges

    return user_ranges(request.user, READ_FIGURES)
