"""Thin views: parse the request, call a selector or service, render."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.regionpicker import region_filter
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import READ_FIGURES, user_ranges
from yanglao.core import offline as core_offline
from yanglao.core import sheets
from yanglao.core.dates import days_overdue
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.core.sync import sync_response
from yanglao.people import selectors as people_selectors
from yanglao.people.models import Person
from yanglao.people.services import NotPermitted
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.visits import offline, policy, rules, selectors, services, sync
from yanglao.visits.choices import (
    OPEN_TASK,
    SPECIAL_CATEGORIES,
    TARGET_CHOICES,
    Area,
    FindingLevel,
    FollowUpKind,
    Method,
    Need,
    Period,
    RiskLevel,
    TaskStatus,
    target_label,
)
from yanglao.visits.models import CountingRule, FrequencyRule

PAGE = 50
MAX_SYNC_BYTES = 12 * 1024 * 1024  # one record with three 2 MB photos, base64-encoded


def _month(request: AuthedRequest) -> date:
    return rules.parse_month(request.GET.get("month", "")) or rules.month_start(
        timezone.localdate()
    )


def _node(request: AuthedRequest) -> Region:
    """The region of `?region=` (a name picked with the region picker, or a code in a link),
    else the user's first jurisdiction."""
    _, code = region_filter(request)
    if not code and request.GET.get("region", "").strip().isdigit():
        raise Http404  # a code out of scope in a link: as any other object out of scope
    if not code:
        ranges = user_ranges(request.user, READ_FIGURES)
        if not ranges:
            raise Http404
        code = ranges[0][0]
    return selectors.coverage_node(request.user, code)


# --- the worker -------------------------------------------------------------------------


def _with_phones(request: AuthedRequest, items: list[selectors.ListItem], page: str) -> None:
    """Full numbers of the worker's own people (one audit event for the page)."""
    phones = services.worker_phones(actor=request.user, people=[i.person for i in items], page=page)
    for i in items:
        i.phone = phones.get(i.person.pk, "")


@scope(Cap.VISIT_RECORD)
def today(request: AuthedRequest) -> HttpResponse:
    """The worker's list for today (server-rendered; the offline app shows the same list)."""
    now = timezone.localdate()
    items = selectors.worker_list(user=request.user, today=now)
    _with_phones(request, items, "今日巡访名单")
    return render(
        request,
        "visits/today.html",
        {
            "items": items,
            "today": now,
            "overdue": sum(1 for i in items if i.task and i.task.status == TaskStatus.OVERDUE),
            "due": sum(1 for i in items if i.task and i.task.status in OPEN_TASK),
            "follow_ups": selectors.worker_follow_ups(user=request.user, today=now),
        },
    )


def _form_context() -> dict[str, Any]:
    return {
        "methods": Method.choices,
        "risks": RiskLevel.choices,
        "areas": Area.choices,
        "levels": FindingLevel.choices,
        "needs": Need.choices,
        "kinds": FollowUpKind.choices,
    }


@scope(Cap.VISIT_RECORD)
def app(request: AuthedRequest) -> HttpResponse:
    """The installable offline app: list + form, queued in IndexedDB, synced when online."""
    return render(request, "visits/app.html", _form_context())


@scope(Cap.VISIT_RECORD)
def app_data(request: AuthedRequest) -> JsonResponse:
    now = timezone.localdate()
    items = selectors.worker_list(user=request.user, today=now)
    _with_phones(request, items, "离线巡访名单")
    return JsonResponse(
        {
            "user": request.user.username,
            "today": now.isoformat(),
            "people": [
                {
                    "id": str(i.person.public_id),
                    "name": i.person.name,
                    "village": i.person.region.short_name or i.person.region.name,
                    "address": i.person.address,
                    "phone": i.phone,
                    "phone_masked": i.person.phone_masked,
                    "risk": i.risk_level,
                    "risk_label": RiskLevel(i.risk_level).label,
                    "last_visit": i.last_visit.isoformat() if i.last_visit else None,
                    "task": None
                    if i.task is None
                    else {
                        "status": i.task.status,
                        "status_label": TaskStatus(i.task.status).label,
                        "due": i.task.due_date.isoformat(),
                        "period": Period(i.task.period_kind).label,
                    },
                    "backup": i.backup,
                }
                for i in items
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_POST
@scope(Cap.VISIT_RECORD)
def sync_upload(request: AuthedRequest) -> JsonResponse:
    """Session-authenticated, CSRF-protected upload of queued records."""
    return sync_response(
        request,
        MAX_SYNC_BYTES,
        lambda records: sync.upload(actor=request.user, records=records, offline=True),
    )


@scope(Cap.VISIT_RECORD)
def service_worker(request: AuthedRequest) -> HttpResponse:
    return core_offline.service_worker_response("visits", offline.OFFLINE_PREFIXES, "/visits/")


@scope(Cap.VISIT_RECORD)
def manifest(request: AuthedRequest) -> JsonResponse:
    return core_offline.manifest_response("巡访关爱", "巡访", reverse("visits:app"), "/visits/")


# --- records and people ------------------------------------------------------------------


@scope(Cap.PERSON_VIEW)
def person_visits(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    person = people_selectors.person_get(user=request.user, public_id=public_id)
    phones = services.worker_phones(actor=request.user, people=[person], page="老人巡访记录")
    return render(
        request,
        "visits/person.html",
        {
            "person": person,
            "phone": phones.get(person.pk, ""),
            "phone_masked": person.phone_masked,
            "subject": selectors.person_subject(person),
            "records": selectors.person_visits(user=request.user, person=person),
            "can_record": request.user.can(Cap.VISIT_RECORD),
        },
    )


@scope(Cap.PERSON_VIEW)
def record_detail(request: AuthedRequest, record_id: UUID) -> HttpResponse:
    r = selectors.record_get(user=request.user, public_id=record_id)
    findings = [
        (
            label,
            r.findings.get(key, {}),
            [Need(n).label for n in r.findings.get(key, {}).get("needs", []) if n in Need.values],
        )
        for key, label in Area.choices
    ]
    return render(
        request,
        "visits/record.html",
        {
            "r": r,
            "findings": findings,
            "levels": dict(FindingLevel.choices),
            "follow_ups": list(r.follow_ups.select_related("closed_by", "reassessment")),
            "photos": list(r.photos.all()),
            "corrected_by": getattr(r, "superseded_by", None),
            "can_close": request.user.can(Cap.VISIT_MANAGE) or request.user.can(Cap.VISIT_RECORD),
        },
    )


@require_POST
@scope(Cap.PERSON_VIEW)
def followup_close(request: AuthedRequest, followup_id: int) -> HttpResponse:
    f = selectors.followup_get(user=request.user, pk=followup_id)
    try:
        services.followup_close(
            actor=request.user, follow_up=f, outcome=request.POST.get("outcome", "")
        )
        messages.success(request, "已办结")
    except services.VisitInvalid as exc:
        flash_errors(request, exc.errors)
    except NotPermitted as exc:
        raise Http404 from exc
    nxt = request.POST.get("next", "")
    if nxt.startswith("/visits/"):
        return redirect(nxt)
    return redirect("visits:record", record_id=f.record.public_id)


@scope(Cap.PERSON_VIEW)
def photo(request: AuthedRequest, photo_id: int) -> FileResponse:
    p = selectors.photo_get(user=request.user, pk=photo_id)
    return FileResponse(p.file.open("rb"), content_type=p.content_type)


# --- officers -----------------------------------------------------------------------------


@scope(Cap.VISIT_MANAGE)
def board(request: AuthedRequest) -> HttpResponse:
    """Overdue and due-soon visits, open emergencies and follow-ups of the jurisdiction."""
    now = timezone.localdate()
    worker_id = request.GET.get("worker", "")
    tasks = selectors.board_tasks(
        user=request.user,
        today=now,
        village=request.GET.get("village", ""),
        # ASCII digits only ("²".isdigit() is true and int() refuses it), bounded in size.
        worker=int(worker_id)
        if worker_id.isascii() and worker_id.isdigit() and len(worker_id) < 10
        else None,
        overdue_only=request.GET.get("status") == TaskStatus.OVERDUE,
    )
    page = Paginator(tasks, PAGE).get_page(request.GET.get("page"))
    for t in page:
        late = days_overdue(t.due_date, now) if t.due_date < now else 0  # open: overdue
        t.days_overdue = late  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "visits/board.html",
        {
            "page": page,
            "query": query.urlencode(),
            "today": now,
            "emergencies": selectors.open_emergencies(user=request.user),
            "follow_ups": selectors.overdue_first(
                selectors.open_follow_ups(user=request.user).exclude(kind=FollowUpKind.EMERGENCY)[
                    :50
                ],
                now,
            ),
            "overdue_only": request.GET.get("status") == TaskStatus.OVERDUE,
            "workers": selectors.assignable_workers(user=request.user),
            "villages": people_selectors.village_choices(request.user, limit=500),
            "village": request.GET.get("village", ""),
            "worker": worker_id,
        },
    )


@scope(Cap.VISIT_MANAGE)
def emergencies(request: AuthedRequest) -> HttpResponse:
    """Polled by the board (HTMX) so an emergency found on a visit shows at once."""
    return render(
        request,
        "visits/_emergencies.html",
        {"emergencies": selectors.open_emergencies(user=request.user)},
    )


@scope(Cap.VISIT_MANAGE)
def assign(request: AuthedRequest) -> HttpResponse:
    """Bulk assignment and reassignment of responsible (and backup) workers."""
    now = timezone.localdate()
    if request.method == "POST":
        ids = request.POST.getlist("person")
        people = selectors.people_by_ids(user=request.user, ids=[i for i in ids if _is_uuid(i)])
        workers = {u.pk: u for u in selectors.assignable_workers(user=request.user)}
        worker = workers.get(_int(request.POST.get("worker")))
        backup = workers.get(_int(request.POST.get("backup")))
        if worker is None:
            messages.error(request, "请选择责任巡访员")
        else:
            try:
                n = services.assign(actor=request.user, people=people, worker=worker, backup=backup)
                messages.success(request, f"已为 {n} 位老人分配巡访员")
            except services.VisitInvalid as exc:
                flash_errors(request, exc.errors)
        return redirect(f"{reverse('visits:assign')}?{request.GET.urlencode()}")
    qs = selectors.subjects_in_scope(
        user=request.user,
        today=now,
        village=request.GET.get("village", ""),
        unassigned=request.GET.get("unassigned") == "1",
        worker=_int(request.GET.get("worker")) or None,
    )
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "visits/assign.html",
        {
            "page": page,
            "query": query.urlencode(),
            "workers": selectors.assignable_workers(user=request.user),
            "villages": people_selectors.village_choices(request.user, limit=500),
            "village": request.GET.get("village", ""),
            "unassigned": request.GET.get("unassigned") == "1",
            "worker": request.GET.get("worker", ""),
        },
    )


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@scope(Cap.VISIT_VIEW)
def coverage(request: AuthedRequest) -> HttpResponse:
    """月探访率 of each child node against the 100% target, by category, with a trend."""
    node = _node(request)
    month = _month(request)
    category = _category(request)
    rows, total = selectors.coverage_table(
        user=request.user, region=node, month=month, category=category
    )
    ancestors = Region.objects.filter(code__in=codes.ancestor_codes(node.code)).order_by("code")
    visible = [
        a
        for a in ancestors
        if any(lo <= a.code <= hi for lo, hi in user_ranges(request.user, READ_FIGURES))
    ]
    return render(
        request,
        "visits/coverage.html",
        {
            "node": node,
            "ancestors": visible,
            "month": month,
            "month_text": f"{month:%Y-%m}",
            "category": category,
            "categories": [(c, target_label(c)) for c in SPECIAL_CATEGORIES],
            "rows": rows,
            "total": total,
            "by_category": [
                (c, target_label(c), r)
                for c, r in selectors.coverage_by_category(
                    user=request.user, region=node, month=month
                )
            ],
            "workload": selectors.workload(user=request.user, region=node, month=month),
            "leaf": node.level >= codes.VILLAGE,
        },
    )


@scope(Cap.VISIT_VIEW)
def coverage_trend(request: AuthedRequest) -> HttpResponse:
    """The 12-month trend, loaded after the table (twelve roster counts at province scale)."""
    node = _node(request)
    trend = selectors.coverage_trend(user=request.user, region=node, month=_month(request))
    chart = {
        "months": [f"{m:%Y-%m}" for m, _ in trend],
        "rates": [None if r.rate is None else round(r.rate * 100, 1) for _, r in trend],
    }
    return render(request, "visits/_trend.html", {"chart": chart, "trend": trend})


@scope(Cap.VISIT_VIEW)
def coverage_export(request: AuthedRequest) -> HttpResponseBase:
    """The coverage table of a node and month as a workbook (figures only, no names)."""
    node = _node(request)
    month = _month(request)
    category = _category(request)
    rows, total = selectors.coverage_table(
        user=request.user, region=node, month=month, category=category
    )
    header = ["区划代码", "区划", "月初在册", "已探访", "未探访", "月探访率", "目标"]
    body = [
        [r.code, r.name, r.roster, r.visited, r.unvisited, r.percent, "100%"]
        for r in [*rows, total]
    ]
    return sheets.export_response("xlsx", f"月探访率-{node.name}-{month:%Y-%m}", header, body)


def _category(request: AuthedRequest) -> str:
    category = request.GET.get("category", selectors.ALL)
    return category if category in SPECIAL_CATEGORIES else selectors.ALL


@scope(Cap.VISIT_VIEW)
def coverage_people(request: AuthedRequest) -> HttpResponseBase:
    """The people behind a number: on the roster, visited or not visited in the month."""
    node = _node(request)
    month = _month(request)
    category = _category(request)
    visited = {"1": True, "0": False}.get(request.GET.get("visited", ""))
    qs = selectors.coverage_people(
        user=request.user, region=node, month=month, category=category, visited=visited
    )
    if request.GET.get("format") == "xlsx":
        return _export_people(request, qs, node, month, category, visited)
    # The count the coverage table already knows (or, opened directly, a count that stops at
    # 1,000), never a count(*) re-checking every person.
    total, exact = selectors.coverage_people_total(
        region=node, month=month, category=category, visited=visited, qs=qs
    )
    rows: Any = selectors.CappedRows(qs, total, exact)  # Paginator needs count() and slices
    paginator: Paginator[Person] = Paginator(rows, PAGE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "visits/coverage_people.html",
        {
            "node": node,
            "month": month,
            "month_text": f"{month:%Y-%m}",
            "category": category,
            "category_label": "全部特殊困难类别"
            if category == selectors.ALL
            else target_label(category),
            "visited": visited,
            "page": page,
            "query": query.urlencode(),
        },
    )


def _export_people(
    request: AuthedRequest,
    qs: QuerySet[Person],
    node: Region,
    month: date,
    category: str,
    visited: bool | None,
) -> HttpResponseBase:
    """The list behind a number; personal data, so the export is audited."""
    people = list(qs[: sheets.XLSX_MAX_ROWS - 1])
    services.audit_export(
        actor=request.user,
        what=f"月探访率名单 {node.name} {month:%Y-%m}",
        region_code=node.code,
        rows=len(people),
        params={"month": f"{month:%Y-%m}", "category": category, "visited": visited},
    )
    state = {True: "已探访", False: "未探访", None: "全部"}[visited]
    header = [
        "姓名",
        "性别",
        "出生日期",
        "身份证号码（脱敏）",
        "村（社区）",
        "住址",
        "联系电话（脱敏）",
        "本月探访",
    ]
    body = [
        [
            p.name,
            p.get_sex_display(),
            p.birth_date.isoformat(),
            p.id_number_masked,
            p.region.name,
            p.address,
            p.phone_masked,
            state if visited is not None else "",
        ]
        for p in people
    ]
    return sheets.export_response(
        "xlsx", f"探访名单-{node.name}-{month:%Y-%m}-{state}", header, body
    )


@scope(Cap.VISIT_VIEW)
def policy_page(request: AuthedRequest) -> HttpResponse:
    """Visit policy in force for a node, every row on the chain, and a form to add a row."""
    node = _node(request)
    if request.method == "POST":
        if not request.user.can(Cap.VISIT_MANAGE):
            raise Http404
        when = _parse_date(request.POST.get("effective_from", ""))
        try:
            if request.POST.get("kind") == "counting":
                services.counting_rule_add(
                    actor=request.user,
                    region_code=node.code,
                    methods=request.POST.getlist("methods"),
                    effective_from=when,
                    document_no=request.POST.get("document_no", ""),
                    note=request.POST.get("note", ""),
                )
            else:
                services.frequency_rule_add(
                    actor=request.user,
                    region_code=node.code,
                    target=request.POST.get("target", ""),
                    period=request.POST.get("period", ""),
                    effective_from=when,
                    document_no=request.POST.get("document_no", ""),
                    note=request.POST.get("note", ""),
                )
            messages.success(request, "已发布")
        except services.VisitInvalid as exc:
            flash_errors(request, exc.errors)
        return redirect(f"{reverse('visits:policy')}?region={node.code}")
    now = timezone.localdate()
    chain = policy.chain(node.code)
    periods = policy.periods_for(node.code, now)
    on_chain = Q(region__isnull=True) | Q(region_id__in=[c for c in chain if c])
    return render(
        request,
        "visits/policy.html",
        {
            "node": node,
            "today": now,
            "in_force": [
                (target_label(t), Period(periods[t]).label)
                for t, _ in TARGET_CHOICES
                if t in periods
            ],
            "methods_in_force": [
                Method(m).label for m in Method.values if m in policy.methods_for(node.code, now)
            ],
            "frequency_rows": FrequencyRule.objects.filter(on_chain)
            .select_related("region")
            .order_by("region_id", "target", "-effective_from"),
            "counting_rows": CountingRule.objects.filter(on_chain)
            .select_related("region")
            .order_by("region_id", "-effective_from"),
            "targets": TARGET_CHOICES,
            "periods": Period.choices,
            "methods": Method.choices,
            "region_form": region_filter(request)[0],
            "can_manage": request.user.can(Cap.VISIT_MANAGE),
            "target_label": target_label,
        },
    )


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
