"""Pages of 双随机一公开 and inspection (issue 11 parts 5–6). Thin: forms validate input,
supervision.py writes, supervision_queries.py reads (scoped). Inspectors see the tasks
assigned to them, operators their own home's findings, officers their region."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.models import User
from yanglao.accounts.regionpicker import bind_regions
from yanglao.accounts.roles import Cap
from yanglao.core import offline as core_offline
from yanglao.core.calendar import exceptions_from
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.core.photos import photo_type
from yanglao.core.sync import sync_response
from yanglao.institutions import (
    checklists,
    selectors,
    spotcheck,
    supervision,
    supervision_sync,
)
from yanglao.institutions import rating_rules as rr
from yanglao.institutions import supervision_queries as q
from yanglao.institutions.forms_supervision import (
    AnswerForm,
    InspectorForm,
    LinkForm,
    PlanForm,
    RecheckForm,
)
from yanglao.institutions.models import (
    CheckItem,
    Finding,
    FindingStatus,
    Inspector,
    Institution,
    TaskStatus,
    Verdict,
)
from yanglao.institutions.services import InstitutionInvalid, NotPermitted

PAGE_SIZE = 30
MAX_SYNC_BYTES = 24 * 1024 * 1024  # a checklist with a few findings, 3 photos each
SCOPE = "/institutions/inspections/"
OFFLINE_PREFIXES = ("institutions/", "visits/", "yanglao/", "django_htmx/")


def _page(qs: Any, number: str | None) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(number)


def _errors(form: Any) -> dict[str, list[str]]:
    return {k: [str(e) for e in v] for k, v in form.errors.items()}


# --- overview and lists -------------------------------------------------------------------


@scope(Cap.INSTITUTION_VIEW)
def tasks(request: AuthedRequest) -> HttpResponse:
    """检查任务: an inspector's assigned tasks, an operator's own home, an officer's region."""
    user = request.user
    qs = q.tasks(user).order_by("status", "-plan__year", "institution__name")
    status = request.GET.get("status", "")
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    ctx = {
        "page": _page(qs, request.GET.get("page")),
        "statuses": TaskStatus.choices,
        "status": status,
        "open_findings": q.findings(user).exclude(status=FindingStatus.CLOSED).count(),
        "overdue": q.overdue_rectifications(user=user, today=today).count(),
        "is_inspector": user.can(Cap.INSPECTION_DO),
        "can_manage": user.can(Cap.INSPECTION_MANAGE),
    }
    return render(request, "institutions/inspections/tasks.html", ctx)


@scope(Cap.INSTITUTION_VIEW)
def task_detail(request: AuthedRequest, inspection_task_id: UUID) -> HttpResponse:
    user = request.user
    task = q.task_get(user=user, public_id=inspection_task_id)
    records = list(q.inspections(task))
    for r in records:
        r.rows = [  # type: ignore[attr-defined]
            (ln, checklists.CLAUSES.get(ln.clause, (None, None))[1]) for ln in r.lines.all()
        ]
    due = (
        spotcheck.publish_due(task.inspected_on, exceptions_from(task.inspected_on))
        if task.inspected_on
        else None
    )
    can_publish = task.status == TaskStatus.INSPECTED and (
        user.can(Cap.INSPECTION_MANAGE) or user.can(Cap.INSPECTION_DO)
    )
    ctx = {
        "task": task,
        "records": records,
        "findings": task.findings.select_related("residency__person").order_by("clause"),
        "team": task.inspectors.all(),
        "publish_due": due,
        "can_publish": can_publish,
        "is_inspector": user.can(Cap.INSPECTION_DO),
        "nonconform": Verdict.NONCONFORM,
    }
    return render(request, "institutions/inspections/task.html", ctx)


@require_POST
@scope(Cap.INSTITUTION_VIEW)
def task_publish(request: AuthedRequest, inspection_task_id: UUID) -> HttpResponse:
    task = q.task_get(user=request.user, public_id=inspection_task_id)
    try:
        supervision.result_publish(actor=request.user, task=task)
    except InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    except NotPermitted:
        messages.error(request, "无权公示检查结果")
    else:
        messages.success(request, "检查结果已公示")
    return redirect("institutions:inspection_task", inspection_task_id=task.public_id)


@scope(Cap.INSTITUTION_VIEW)
def findings(request: AuthedRequest) -> HttpResponse:
    user = request.user
    qs = q.findings(user).order_by("status", "deadline", "id")
    status = request.GET.get("status", "")
    if status in FindingStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "institutions/inspections/findings.html",
        {
            "page": _page(qs, request.GET.get("page")),
            "statuses": FindingStatus.choices,
            "status": status,
            "today": timezone.localdate(),
        },
    )


@scope(Cap.INSTITUTION_VIEW)
def finding_detail(request: AuthedRequest, finding_id: UUID) -> HttpResponse:
    user = request.user
    finding = q.finding_get(user=user, public_id=finding_id)
    can_answer = user.can(Cap.INSTITUTION_OPERATE) and finding.status != FindingStatus.CLOSED
    can_recheck = user.can(Cap.INSPECTION_DO) and finding.status == FindingStatus.ANSWERED
    photos = [p for p in finding.inspection.photos.all() if p.clause == finding.clause]
    ctx = {
        "finding": finding,
        "steps": finding.steps.select_related("by").prefetch_related("photos"),
        "photos": photos,
        "answer_form": AnswerForm() if can_answer else None,
        "recheck_form": RecheckForm() if can_recheck else None,
        "today": timezone.localdate(),
        # GB/T 37276 等级评定: a serious finding may cost the home one level; the officer who
        # confirms it decides (institutions.rating.rating_downgrade), not the inspector.
        "downgrade_level": _downgradable(user, finding),
    }
    return render(request, "institutions/inspections/finding.html", ctx)


def _downgradable(user: User, finding: Finding) -> str:
    """The label of the home's level in force when the user may downgrade it for this serious
    finding, else ""."""
    inst = finding.institution
    level = rr.in_force(inst.rating, inst.rating_valid_until, timezone.localdate())
    if not (finding.serious and level and user.can(Cap.INSTITUTION_MANAGE)):
        return ""
    return rr.LEVEL_LABELS[level]


def _back(finding: Finding) -> HttpResponse:
    return redirect("institutions:inspection_finding", finding_id=finding.public_id)


@require_POST
@scope(Cap.INSTITUTION_OPERATE)
def finding_answer(request: AuthedRequest, finding_id: UUID) -> HttpResponse:
    finding = q.finding_get(user=request.user, public_id=finding_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        flash_errors(request, _errors(form))
        return _back(finding)
    uploads = request.FILES.getlist("photos")
    if len(uploads) > supervision.PHOTO_MAX:
        messages.error(request, f"最多{supervision.PHOTO_MAX}张照片")
        return _back(finding)
    photos = []
    for f in uploads:
        raw = f.read(2 * 1024 * 1024 + 1)
        try:
            photos.append((raw, photo_type(raw)))
        except ValueError as exc:
            messages.error(request, str(exc))
            return _back(finding)
    try:
        supervision.finding_answer(
            actor=request.user, finding=finding, note=form.cleaned_data["note"], photos=photos
        )
    except InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "整改答复已提交，等待检查人员复查")
    return _back(finding)


@require_POST
@scope(Cap.INSPECTION_DO)
def finding_recheck(request: AuthedRequest, finding_id: UUID) -> HttpResponse:
    finding = q.finding_get(user=request.user, public_id=finding_id)
    form = RecheckForm(request.POST)
    if not form.is_valid():
        flash_errors(request, _errors(form))
        return _back(finding)
    try:
        supervision.finding_recheck(
            actor=request.user,
            finding=finding,
            close=form.cleaned_data["close"],
            note=form.cleaned_data["note"],
        )
    except InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(
            request, "已复查通过，问题销号" if form.cleaned_data["close"] else "已退回机构继续整改"
        )
    return _back(finding)


@scope(Cap.INSTITUTION_VIEW)
def evidence(request: AuthedRequest, evidence_id: int) -> FileResponse:
    p = q.photo_get(user=request.user, pk=evidence_id)
    return FileResponse(p.file.open("rb"), content_type=p.content_type)


@scope(Cap.INSTITUTION_VIEW)
def results(request: AuthedRequest) -> HttpResponse:
    """抽查结果公示 (the public directory shows the same through published_results)."""
    qs = q.results(request.user)
    page = _page(qs, request.GET.get("page"))
    rows = [(t, q.published_results(t.institution)) for t in page.object_list]
    shown = [
        (t, next((r for r in res if r.published_on == t.published_on), None)) for t, res in rows
    ]
    return render(request, "institutions/inspections/results.html", {"page": page, "rows": shown})


# --- officers: plans, draws, directories, lists --------------------------------------------


@scope(Cap.INSPECTION_MANAGE)
def plans(request: AuthedRequest) -> HttpResponse:
    supervision.ensure_check_items()
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    bind_regions(form, request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            plan = supervision.plan_create(
                actor=request.user,
                data=supervision.PlanInput(
                    region_code=c["region"].strip(),
                    year=c["year"],
                    name=c["name"],
                    ratio=c["ratio"],
                    ratio_document=c["ratio_document"],
                    ratio_unconfirmed=c["ratio_unconfirmed"],
                    per_task=c["per_task"],
                    item_codes=c["items"],
                ),
            )
        except InstitutionInvalid as exc:
            for key, errs in exc.errors.items():
                for e in errs:
                    form.add_error(key if key in form.fields else None, e)
        except Http404:
            form.add_error("region", "该区划不在您的辖区内")
        else:
            messages.success(request, f"已制定抽查计划：{plan.name}")
            return redirect("institutions:inspection_plan", plan_id=plan.public_id)
    return render(
        request,
        "institutions/inspections/plans.html",
        {
            "plans": q.plans(request.user).select_related("region"),
            "form": form,
            "items": CheckItem.objects.filter(active=True),
        },
    )


@scope(Cap.INSPECTION_MANAGE)
def plan_detail(request: AuthedRequest, plan_id: UUID) -> HttpResponse:
    plan = q.plan_get(user=request.user, public_id=plan_id)
    draw = getattr(plan, "draw", None)
    names: dict[str, str] = {}
    if draw is not None:
        names.update(
            (str(p), n)
            for p, n in Institution.objects.filter(
                public_id__in=draw.homes + [e["id"] for e in draw.excluded]
            ).values_list("public_id", "name")
        )
        names.update(
            (str(p), f"{n}（{Inspector(organisation=o).get_organisation_display()}）")
            for p, n, o in Inspector.objects.filter(public_id__in=draw.inspectors).values_list(
                "public_id", "name", "organisation"
            )
        )
    return render(
        request,
        "institutions/inspections/plan.html",
        {
            "plan": plan,
            "draw": draw,
            "home_rows": [(h, names.get(h, "")) for h in draw.homes] if draw else [],
            "inspector_rows": [(i, names.get(i, "")) for i in draw.inspectors] if draw else [],
            "items": plan.items.all(),
            "tasks": plan.tasks.select_related("institution").prefetch_related("inspectors")
            if draw
            else [],
        },
    )


@require_POST
@scope(Cap.INSPECTION_MANAGE)
def plan_draw(request: AuthedRequest, plan_id: UUID) -> HttpResponse:
    plan = q.plan_get(user=request.user, public_id=plan_id)
    try:
        d = supervision.draw_run(actor=request.user, plan=plan)
    except InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, f"已抽取 {len(d.result['tasks'])} 家机构，随机种子 {d.seed}")
    return redirect("institutions:inspection_plan", plan_id=plan.public_id)


@scope(Cap.INSPECTION_MANAGE)
def plan_draw_json(request: AuthedRequest, plan_id: UUID) -> JsonResponse:
    plan = q.plan_get(user=request.user, public_id=plan_id)
    d = getattr(plan, "draw", None)
    if d is None:
        raise Http404
    doc = {"algorithm": "yanglao.institutions.spotcheck.draw v1", **q.draw_published(d)}
    response = JsonResponse(doc, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="draw-{d.public_id}.json"'
    return response


@scope(Cap.INSPECTION_MANAGE)
def directory(request: AuthedRequest) -> HttpResponse:
    """执法检查人员名录库 and 回避 links."""
    user = request.user
    form = InspectorForm(request.POST or None)
    bind_regions(form, request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        account = User.objects.filter(username=c["username"].strip()).first()
        try:
            if account is None:
                raise InstitutionInvalid({"username": ["没有这个账号"]})
            supervision.inspector_add(
                actor=user,
                user=account,
                organisation=c["organisation"],
                region_code=c["region"].strip(),
                certificate_no=c["certificate_no"],
            )
        except InstitutionInvalid as exc:
            flash_errors(request, exc.errors)
        except Http404:
            messages.error(request, "名录库区划不在您的辖区内")
        else:
            messages.success(request, f"已登记：{account.full_name or account.username}")
            return redirect("institutions:inspection_directory")
    entries = q.inspectors(user)
    return render(
        request,
        "institutions/inspections/directory.html",
        {
            "form": form,
            "entries": entries.prefetch_related("links__institution"),
            "homes": selectors.institutions(user).order_by("name")[:500],
        },
    )


@require_POST
@scope(Cap.INSPECTION_MANAGE)
def directory_link(request: AuthedRequest) -> HttpResponse:
    form = LinkForm(request.POST)
    if not form.is_valid():
        flash_errors(request, _errors(form))
        return redirect("institutions:inspection_directory")
    c = form.cleaned_data
    entry = q.inspectors(request.user).filter(public_id=c["inspector"]).first()
    home = selectors.institutions(request.user).filter(public_id=c["institution"]).first()
    if entry is None or home is None:
        raise Http404
    try:
        supervision.link_add(
            actor=request.user, inspector=entry, institution=home, reason=c["reason"]
        )
    except InstitutionInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "已登记回避关系：抽取时不会派该人员检查该机构")
    return redirect("institutions:inspection_directory")


@scope(Cap.INSPECTION_MANAGE)
def watch(request: AuthedRequest) -> HttpResponse:
    """Lists to act on: homes with no on-site inspection this year, results published late
    (20 working days), rectifications past their deadline (escalated to the county)."""
    user = request.user
    today = timezone.localdate()
    return render(
        request,
        "institutions/inspections/watch.html",
        {
            "year": today.year,
            "uninspected": q.uninspected(user=user, year=today.year)[:500],
            "late": q.late_publications(user=user, today=today),
            "overdue": q.overdue_rectifications(user=user, today=today)[:500],
            "today": today,
        },
    )


# --- the offline phone app ----------------------------------------------------------------


@scope(Cap.INSPECTION_DO)
def app(request: AuthedRequest) -> HttpResponse:
    """The inspector's offline app: assigned tasks and their checklists, queued in IndexedDB
    with a client UUID, uploaded when online (the visits app's pattern)."""
    return render(request, "institutions/inspections/app.html", {"verdicts": Verdict.choices})


@scope(Cap.INSPECTION_DO)
def app_data(request: AuthedRequest) -> JsonResponse:
    today = timezone.localdate()
    open_tasks = (
        q.tasks(request.user)
        .exclude(status=TaskStatus.PUBLISHED)
        .prefetch_related("plan__items")
        .order_by("institution__name")
    )
    out = []
    for t in open_tasks:
        residents = t.institution.residencies.filter(end__isnull=True).select_related("person")
        out.append(
            {
                "id": str(t.public_id),
                "home": t.institution.name,
                "address": t.institution.address,
                "plan": t.plan.name,
                "status": t.status,
                "status_label": TaskStatus(t.status).label,
                "checklists": [c.key for c in supervision.task_checklists(t)],
                "residents": [
                    {"id": str(r.public_id), "name": r.person.name} for r in residents[:300]
                ],
            }
        )
    return JsonResponse(
        {
            "today": today.isoformat(),
            "default_days": spotcheck.DEFAULT_RECTIFY_DAYS,
            "serious_days": spotcheck.SERIOUS_RECTIFY_DAYS,
            "tasks": out,
            "checklists": {
                c.key: {
                    "title": c.title,
                    "version": c.version,
                    "basis": c.basis,
                    "clauses": [
                        {"code": cl.code, "section": cl.section, "text": cl.text}
                        for cl in c.clauses
                    ],
                }
                for c in checklists.CHECKLISTS.values()
            },
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_POST
@scope(Cap.INSPECTION_DO)
def sync_upload(request: AuthedRequest) -> JsonResponse:
    return sync_response(
        request,
        MAX_SYNC_BYTES,
        lambda records: supervision_sync.upload(actor=request.user, records=records),
    )


@scope(Cap.INSPECTION_DO)
def service_worker(request: AuthedRequest) -> HttpResponse:
    """The shared offline service worker under this app's scope, with its own cache name."""
    return core_offline.service_worker_response("inspections", OFFLINE_PREFIXES, SCOPE)


@scope(Cap.INSPECTION_DO)
def manifest(request: AuthedRequest) -> JsonResponse:
    return core_offline.manifest_response(
        "现场检查", "检查", reverse("institutions:inspection_app"), SCOPE
    )
