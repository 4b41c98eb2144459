"""Thin views of the statistics module: dashboards, snapshots, scorecard, bulletins, and the
public pages. Every figure is read from a snapshot (selectors); a region outside the reader's
jurisdiction is a 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import READ_FIGURES, scoped
from yanglao.core.audit import audit
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.core.sheets import attachment_disposition, xlsx_response
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.statistics import catalogue, publication, rules, scorecard, selectors, services, tasks
from yanglao.statistics.models import (
    Bulletin,
    BulletinKind,
    BulletinStatus,
    Snapshot,
    SnapshotChange,
    SnapshotStatus,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: AuthedRequest) -> date | None:
    return rules.parse_period(request.GET.get("period", ""))


def _node(request: AuthedRequest) -> Region | None:
    code = request.GET.get("region", "").strip()
    if code:
        return selectors.node_for(request.user, code)
    return selectors.default_node(request.user)


def _tabs() -> list[tuple[str, str, str]]:
    return [(k, v, reverse(f"statistics:{k}")) for k, v in catalogue.THEMES.items()]


def _context(request: AuthedRequest, theme: str) -> dict[str, object]:
    node = _node(request)
    snap = selectors.snapshot_for(_period(request))
    ctx: dict[str, object] = {
        "theme": theme,
        "theme_label": catalogue.THEMES[theme],
        "themes": _tabs(),
        "node": node,
        "snap": snap,
        "periods": selectors.periods(),
        "can_publish": request.user.can(Cap.STATS_PUBLISH),
    }
    if node is not None and snap is not None:
        ctx["ancestors"] = selectors.ancestors_in_scope(request.user, node)
        ctx["panels"] = selectors.theme_panels(node=node, snap=snap, theme=theme)
        ctx["stale"] = selectors.is_stale(snap)
        ctx["leaf"] = node.level >= codes.VILLAGE
    return ctx


def _dashboard(theme: str) -> Callable[[AuthedRequest], HttpResponse]:
    @scope(Cap.STATS_VIEW)
    def view(request: AuthedRequest) -> HttpResponse:
        return render(request, "statistics/dashboard.html", _context(request, theme))

    view.__name__ = f"dashboard_{theme}"
    return view


population = _dashboard("population")
visits = _dashboard("visits")
assessments = _dashboard("assessments")
benefits = _dashboard("benefits")
institutions = _dashboard("institutions")
services_ = _dashboard("services")


@scope(Cap.STATS_VIEW)
def export(request: AuthedRequest) -> HttpResponseBase:
    """The tables behind the charts of one theme page, as xlsx."""
    theme = request.GET.get("theme", "")
    if theme not in catalogue.THEMES:
        raise Http404
    ctx = _context(request, theme)
    node, snap = ctx["node"], ctx["snap"]
    if not isinstance(node, Region) or not isinstance(snap, Snapshot):
        raise Http404
    panels: list[selectors.Panel] = ctx.get("panels") or []  # type: ignore[assignment]
    rows = [
        [
            p.indicator.name,
            p.indicator.code,
            f.label,
            f.cell.numerator,
            f.cell.denominator if f.cell.denominator is not None else "",
            f.text,
        ]
        for p in panels
        if p.total is not None
        for f in [p.total, *p.children, *p.breakdown]
    ]
    with_audit(request, "stats.export", node.code, f"{node.name} {catalogue.THEMES[theme]}")
    return xlsx_response(
        f"统计-{node.name}-{catalogue.THEMES[theme]}-{snap.period:%Y-%m}.xlsx",
        ["指标", "指标代码", "区划/分组", "分子（或数量）", "分母", "数值"],
        rows,
        sheet_name=catalogue.THEMES[theme],
        footer=[publication.source_line(snap)],
    )


def with_audit(request: AuthedRequest, action: str, region: str, label: str) -> None:
    from django.db import transaction

    with transaction.atomic():
        audit(
            actor=request.user,
            action=action,
            object_type="statistics",
            object_label=label,
            region_code=region,
        )


# --- snapshots --------------------------------------------------------------------------------


@scope(Cap.STATS_VIEW)
def snapshots(request: AuthedRequest) -> HttpResponse:
    rows = Snapshot.objects.exclude(status=SnapshotStatus.RUNNING).order_by("-period", "-version")[
        :60
    ]
    changed = None
    sid = request.GET.get("changes", "")
    if sid.isascii() and sid.isdigit():
        snap = Snapshot.objects.filter(pk=int(sid)).first()
        if snap is not None:
            # Only the changes inside the reader's jurisdiction.
            qs = scoped(
                SnapshotChange.objects.filter(snapshot=snap),
                request.user,
                READ_FIGURES,
                field="region_code",
            ).order_by("indicator", "region_code", "breakdown")[:500]
            names = dict(
                Region.objects.filter(code__in=[c.region_code for c in qs]).values_list(
                    "code", "name"
                )
            )
            changed = (
                snap,
                [
                    (
                        catalogue.BY_CODE[c.indicator].name
                        if c.indicator in catalogue.BY_CODE
                        else c.indicator,
                        names.get(c.region_code, c.region_code),
                        selectors.breakdown_label(c.breakdown),
                        c,
                    )
                    for c in qs
                ],
            )
    today = rules.month_start(timezone.localdate())
    choices = [rules.add_months(today, -i) for i in range(0, 13)]
    return render(
        request,
        "statistics/snapshots.html",
        {
            "rows": rows,
            "changed": changed,
            "themes": _tabs(),
            "choices": choices,
            "can_publish": request.user.can(Cap.STATS_PUBLISH),
        },
    )


@require_POST
@scope(Cap.STATS_PUBLISH)
def snapshot_run(request: AuthedRequest) -> HttpResponse:
    period = rules.parse_period(request.POST.get("period", ""))
    if period is None:
        messages.error(request, "请选择要计算的月份")
        return redirect("statistics:snapshots")
    tasks.snapshot_task.enqueue(period.isoformat(), request.user.pk)
    messages.success(request, f"已开始计算 {period:%Y-%m} 的统计快照，完成后刷新本页即可看到")
    return redirect("statistics:snapshots")


# --- scorecard ------------------------------------------------------------------------------------


@scope(Cap.STATS_VIEW)
def scores(request: AuthedRequest) -> HttpResponse:
    node = _node(request)
    snap = selectors.snapshot_for(_period(request))
    cards = scorecard.cards(node, snap) if node is not None and snap is not None else []
    return render(
        request,
        "statistics/scorecard.html",
        {
            "node": node,
            "snap": snap,
            "cards": cards,
            "scheme": scorecard.SCHEME,
            "weights": [(catalogue.BY_CODE[w.indicator], w.weight) for w in scorecard.WEIGHTS],
            "periods": selectors.periods(),
            "themes": _tabs(),
        },
    )


@scope(Cap.STATS_VIEW)
def indicators(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "statistics/catalogue.html",
        {"catalogue": catalogue.CATALOGUE, "theme_names": catalogue.THEMES, "themes": _tabs()},
    )


# --- bulletins --------------------------------------------------------------------------------


def _bulletin(request: AuthedRequest, bulletin_id: int) -> Bulletin:
    b = (
        scoped(Bulletin.objects.select_related("snapshot", "region"), request.user, READ_FIGURES)
        .filter(pk=bulletin_id)
        .first()
    )
    if b is None:
        raise Http404
    return b


@scope(Cap.STATS_PUBLISH)
def bulletins(request: AuthedRequest) -> HttpResponse:
    roots = [
        r
        for r in selectors.people_selectors.browsable_roots(request.user)
        if r.level in services.PUBLISHING_LEVELS
    ]
    frozen_qs = Snapshot.objects.filter(status=SnapshotStatus.FROZEN)
    frozen = frozen_qs.order_by("-period", "-version")[:24]
    if request.method == "POST":
        code, sid = request.POST.get("region", ""), request.POST.get("snapshot", "")
        region = next((r for r in roots if r.code == code), None)
        snap = frozen_qs.filter(pk=int(sid)).first() if sid.isascii() and sid.isdigit() else None
        if region is None or snap is None:
            messages.error(request, "请选择区划和已冻结的统计月份")
        else:
            try:
                b = services.bulletin_create(
                    actor=request.user,
                    region=region,
                    snapshot=snap,
                    kind=request.POST.get("kind", BulletinKind.MONTH)[:8],
                )
            except services.BulletinInvalid as exc:
                flash_errors(request, exc.errors)
            else:
                messages.success(request, f"已生成：{b.title}，请审核后发布")
                return redirect("statistics:bulletin", bulletin_id=b.pk)
    items = scoped(
        Bulletin.objects.select_related("snapshot", "region"), request.user, READ_FIGURES
    )[:100]
    return render(
        request,
        "statistics/bulletins.html",
        {"items": items, "roots": roots, "frozen": frozen, "themes": _tabs()},
    )


@scope(Cap.STATS_PUBLISH)
def bulletin(request: AuthedRequest, bulletin_id: int) -> HttpResponse:
    b = _bulletin(request, bulletin_id)
    return render(
        request,
        "statistics/bulletin.html",
        {"b": b, "t": publication.bulletin_tables(b), "public": False},
    )


@require_POST
@scope(Cap.STATS_PUBLISH)
def bulletin_publish(request: AuthedRequest, bulletin_id: int) -> HttpResponse:
    b = _bulletin(request, bulletin_id)
    try:
        services.bulletin_publish(actor=request.user, bulletin=b)
    except services.BulletinInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "已审核发布，公众可在“统计信息公开”页面查看")
    return redirect("statistics:bulletin", bulletin_id=b.pk)


@require_POST
@scope(Cap.STATS_PUBLISH)
def bulletin_withdraw(request: AuthedRequest, bulletin_id: int) -> HttpResponse:
    b = _bulletin(request, bulletin_id)
    try:
        services.bulletin_withdraw(actor=request.user, bulletin=b)
    except services.BulletinInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "已撤回")
    return redirect("statistics:bulletin", bulletin_id=b.pk)


def _file(b: Bulletin, fmt: str) -> HttpResponse:
    stem = f"{b.region.name}-{b.snapshot.period:%Y-%m}-v{b.snapshot.version}"
    if fmt == "pdf":
        resp = HttpResponse(publication.pdf(b), content_type="application/pdf")
        resp["Content-Disposition"] = attachment_disposition(f"{stem}.pdf")
    else:
        resp = HttpResponse(publication.xlsx(b), content_type=XLSX)
        resp["Content-Disposition"] = attachment_disposition(f"{stem}.xlsx")
    return resp


@scope(Cap.STATS_PUBLISH)
def bulletin_xlsx(request: AuthedRequest, bulletin_id: int) -> HttpResponse:
    return _file(_bulletin(request, bulletin_id), "xlsx")


@scope(Cap.STATS_PUBLISH)
def bulletin_pdf(request: AuthedRequest, bulletin_id: int) -> HttpResponse:
    return _file(_bulletin(request, bulletin_id), "pdf")


# --- public (no login) --------------------------------------------------------------------------


def _published(bulletin_id: int) -> Bulletin:
    b = (
        Bulletin.objects.select_related("snapshot", "region")
        .filter(pk=bulletin_id, status=BulletinStatus.PUBLISHED)
        .first()
    )
    if b is None:
        raise Http404
    return b


@scope(public=True)
def public_index(request: AuthedRequest) -> HttpResponse:
    items = (
        Bulletin.objects.filter(status=BulletinStatus.PUBLISHED)
        .select_related("snapshot", "region")
        .order_by("-snapshot__period", "region_id")[:200]
    )
    return render(request, "statistics/public_index.html", {"items": items})


@scope(public=True)
def public_bulletin(request: AuthedRequest, bulletin_id: int) -> HttpResponse:
    b = _published(bulletin_id)
    return render(
        request,
        "statistics/bulletin.html",
        {"b": b, "t": publication.bulletin_tables(b), "public": True},
    )


@scope(public=True)
def public_xlsx(request: AuthedRequest, bulletin_id: int) -> HttpResponse:
    return _file(_published(bulletin_id), "xlsx")


@scope(public=True)
def public_pdf(request: AuthedRequest, bulletin_id: int) -> HttpResponse:
    return _file(_published(bulletin_id), "pdf")
