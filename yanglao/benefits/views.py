"""Thin views: parse the request, call a selector or service, render."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.regionpicker import region_filter
from yanglao.accounts.roles import Cap
from yanglao.benefits import query, rule_text, rules, selectors, services, views_rules
from yanglao.benefits.choices import (
    AppStatus,
    ImportKind,
    ItemCategory,
    LineKind,
    OverlapKind,
    RefusalReason,
    RollStatus,
    StopReason,
    TaskKind,
    TaskOutcome,
    TaskStatus,
)
from yanglao.core import sheets
from yanglao.core.dates import parse_month
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.people import selectors as people_selectors
from yanglao.regions.models import Region

NOT_PERMITTED = "您的角色不能办理此事项"


def _date(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return default


def _month(raw: str | None) -> date | None:
    return parse_month(raw)


@scope(Cap.BENEFIT_VIEW)
def home(request: AuthedRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    region = selectors.home_region(user)
    ctx = {
        "region": Region.objects.filter(code=region).first() if region else None,
        "open_apps": selectors.applications(user=user, status="open").count(),
        "candidates": selectors.candidates(user=user).count(),
        "new_candidates": selectors.candidates(
            user=user, since=selectors.latest_run() or today
        ).count(),
        "tasks": selectors.tasks(user=user).count(),
        "latest_run": selectors.latest_run(),
        "rolls": selectors.rolls(user=user)[:6],
    }
    return render(request, "benefits/home.html", ctx)


@scope(Cap.BENEFIT_VIEW)
def items(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    on = _date(request.GET.get("on"), today)
    # Service lists are public policy: any region's list may be looked at.
    region_form, picked = region_filter(request, any_region=True)
    code = picked or selectors.home_region(request.user)
    node = Region.objects.filter(code=code).first() if code else None
    ctx = {
        "region_form": region_form,
        "rows": selectors.service_list(code, on),
        "node": node,
        "on": on,
        "overlaps": selectors.overlap_rules(code, on),
        "can_publish": request.user.can(Cap.BENEFIT_LIST_MANAGE),
        "publish_regions": selectors.publish_regions(request.user),
        "overlap_kinds": OverlapKind.choices,
    }
    return render(request, "benefits/items.html", ctx)


def _item_form_initial(request: AuthedRequest, region_code: str | None) -> dict[str, Any]:
    code = request.GET.get("code", "").strip().upper()
    today = timezone.localdate()
    if code:
        base = (
            query.resolve_item(region_code, code, today)
            if region_code
            else next((r for r in query.resolve_list(None, today) if r.code == code), None)
        )
        if base is not None:
            i = base.item
            return {
                "code": i.code,
                "name": i.name,
                "category": i.category,
                "target": i.target,
                "rule": i.rule,
                "standard": base.standard,
                "unit": i.unit,
                "payable": i.payable,
                "discover": i.discover,
                "content": i.content,
                "funding": i.funding,
                "department": i.department,
                "article": i.article,
            }
    return {
        "rule": {"all": [{"kind": "alive"}, {"kind": "age", "min": 60}]},
        "standard": [{"band": "每人", "when": None, "value": None}],
        "discover": True,
    }


@scope(Cap.BENEFIT_LIST_MANAGE)
def publish(request: AuthedRequest) -> HttpResponseBase:
    regions = selectors.publish_regions(request.user)
    national = request.user.role == "system_admin"
    region_code = (
        request.POST.get("region")
        or request.GET.get("region")
        or (regions[0].code if regions else "")
    )
    target = None if national and not region_code else region_code
    form: dict[str, Any] = _item_form_initial(request, target)
    errors: dict[str, list[str]] = {}
    rule_data = rule_text.to_fields(form["rule"])
    rule_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        p = request.POST
        bands = []
        for label, when, value in zip(
            p.getlist("band"), p.getlist("band_when"), p.getlist("band_value"), strict=False
        ):
            if not label.strip() and not value.strip():
                continue
            try:
                cond = json.loads(when) if when.strip() else None
            except json.JSONDecodeError:
                cond = {"kind": "无法解析的条件"}
            bands.append({"band": label, "when": cond, "value": value.strip() or None})
        rule: Any = None
        if "r.type" in p:  # the builder
            rule_data = views_rules.fields_of(p)
            acting = views_rules.apply_action(p, rule_data)
            parsed = views_rules.parse(rule_data)
            rule, rule_errors = parsed.rule, ({} if acting else parsed.errors)
        else:  # a script posting the JSON itself
            acting = False
            try:
                rule = json.loads(p.get("rule", ""))
            except json.JSONDecodeError:
                rule = None
        form = {k: p.get(k, "") for k in p} | {
            "standard": bands,
            "payable": bool(p.get("payable")),
            "discover": bool(p.get("discover")),
        }
        if rule_errors:
            errors = {"rule": ["对象条件有误，请按标出的提示修改"]}
        elif not acting:  # (a condition added or removed: show the form again)
            done = _publish_item(request, target, rule, bands)
            if isinstance(done, HttpResponseBase):
                return done
            errors = done
    ctx = {
        **views_rules.builder_context(request.user, rule_data, rule_errors),
        "form": form,
        "errors": {k: v for k, v in errors.items() if k != "rule" or not rule_errors},
        "regions": regions,
        "national": national,
        "region_code": region_code,
        "categories": ItemCategory.choices,
        "bands": [
            {
                **b,
                "when_json": json.dumps(b["when"], ensure_ascii=False) if b.get("when") else "",
                "when_text": rule_text.describe(b["when"]) if b.get("when") else "",
            }
            for b in [*form.get("standard", []), {"band": "", "when": None, "value": None}]
        ],
    }
    return render(request, "benefits/publish.html", ctx)


def _publish_item(
    request: AuthedRequest, target: str | None, rule: Any, bands: list[dict[str, Any]]
) -> HttpResponseBase | dict[str, list[str]]:
    """Publish the posted item: the redirect when done, else the service's errors."""
    p = request.POST
    try:
        item = services.item_publish(
            actor=request.user,
            region_code=target or None,
            data=services.ItemInput(
                code=p.get("code", ""),
                name=p.get("name", ""),
                category=p.get("category", ""),
                target=p.get("target", ""),
                rule=rule if rule is not None else "（空）",
                standard=bands,
                effective_from=_date(p.get("effective_from"), timezone.localdate()),
                document_no=p.get("document_no", ""),
                content=p.get("content", ""),
                unit=p.get("unit", ""),
                payable=bool(p.get("payable")),
                discover=bool(p.get("discover")),
                funding=p.get("funding", ""),
                department=p.get("department", ""),
                article=p.get("article", ""),
                provisional=bool(p.get("provisional")),
                note=p.get("note", ""),
            ),
        )
    except services.BenefitInvalid as exc:
        return exc.errors
    except services.NotPermitted:
        messages.error(request, NOT_PERMITTED)
        return redirect("benefits:items")
    messages.success(request, f"已发布 {item.code} {item.name}（第{item.version}版）")
    if not request.user.can(Cap.BENEFIT_VIEW):  # the system administrator (national)
        return redirect("benefits:publish")
    return redirect(f"/benefits/items/?region={item.region_id or ''}")


@require_POST
@scope(Cap.BENEFIT_LIST_MANAGE)
def overlap_publish(request: AuthedRequest) -> HttpResponse:
    p = request.POST
    region = p.get("region", "") or None
    try:
        services.overlap_publish(
            actor=request.user,
            region_code=region,
            code_a=p.get("code_a", ""),
            code_b=p.get("code_b", ""),
            kind=p.get("kind", ""),
            document_no=p.get("document_no", ""),
            effective_from=_date(p.get("effective_from"), timezone.localdate()),
            note=p.get("note", ""),
        )
    except services.BenefitInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        messages.error(request, NOT_PERMITTED)
    else:
        messages.success(request, "已发布衔接规则")
    return redirect(f"/benefits/items/?region={region or ''}")


@scope(Cap.BENEFIT_VIEW)
def discovery(request: AuthedRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    item = request.GET.get("item", "")
    latest = selectors.latest_run()
    new_only = request.GET.get("new") == "1"
    qs, _, region_form = _candidates_qs(request)
    pg = selectors.page(qs, request.GET.get("page"))
    rows = list(pg.object_list)
    facts = query.facts_for([c.person_id for c in rows])
    lists: dict[str, dict[str, query.ResolvedItem]] = {}
    explained = []
    for c in rows:
        county = c.region_id[:6]
        if county not in lists:
            lists[county] = {r.code: r for r in query.resolve_list(county, today)}
        r = lists[county].get(c.item_code)
        v = rules.evaluate(r.rule, facts[c.person_id], today) if r else None
        explained.append((c, r, v))
    home = selectors.home_region(user)
    ctx = {
        "page": pg,
        "rows": explained,
        "items": selectors.service_list(home, today),
        "item": item,
        "region_form": region_form,
        "new_only": new_only,
        "q": request.GET.get("q", ""),
        "latest": latest,
        "can_apply": user.can(Cap.BENEFIT_APPLY),
    }
    return render(request, "benefits/discovery.html", ctx)


def _candidates_qs(request: AuthedRequest) -> Any:
    latest = selectors.latest_run()
    region_form, region = region_filter(request)
    kw = {"item": request.GET.get("item", ""), "region": region, "q": request.GET.get("q", "")}
    since = latest if request.GET.get("new") == "1" and latest else None
    return selectors.candidates(user=request.user, since=since, **kw), kw, region_form


@scope(Cap.BENEFIT_VIEW)
def discovery_export(request: AuthedRequest) -> HttpResponseBase:
    """The discovery list as xlsx (masked ID numbers), same filters as the page; audited."""
    qs, filters, _ = _candidates_qs(request)
    services.candidates_exported(actor=request.user, count=qs.count(), filters=filters)
    return sheets.xlsx_response(
        f"应保未保名单-{timezone.localdate():%Y%m%d}.xlsx",
        selectors.CANDIDATE_HEADER,
        selectors.candidate_rows(qs, timezone.localdate()),
        sheet_name="应保未保名单",
    )


ITEM_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,15}")


def _item_param(raw: str | None) -> str:
    """An item code from a link or a form, or "" for anything that cannot be one."""
    code = (raw or "").strip().upper()
    return code if ITEM_CODE.fullmatch(code) else ""


def _apply_form(rows: list[selectors.PersonItem], wanted: str) -> dict[str, Any]:
    """The 受理 form: every item the person neither holds nor has an open application for,
    those the engine says "no" to apart; the item of the link preselected, with the
    engine's finding when it is a "no"."""
    open_rows = [r for r in rows if not r.holding and not r.open_app]
    selected = next((r for r in open_rows if r.item.code == wanted), None)
    hint = ""
    if wanted and selected is None:
        other = next((r for r in rows if r.item.code == wanted), None)
        if other is None:
            hint = f"本地清单中没有项目“{wanted}”，请从下拉列表中选择"
        elif other.holding:
            hint = f"该老人正在享受{wanted} {other.item.item.name}，无需再申请"
        else:
            hint = f"该老人的{wanted} {other.item.item.name}申请正在办理中"
    return {
        "apply_ok": [r for r in open_rows if r.verdict.value is not False],
        "apply_no": [r for r in open_rows if r.verdict.value is False],
        "selected_code": selected.item.code if selected else "",
        "selected_notice": rules.ineligible_notice(selected.verdict.value, selected.verdict.reasons)
        if selected
        else "",
        "item_hint": hint,
    }


@scope(Cap.BENEFIT_VIEW)
def person(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    p = people_selectors.person_get(user=user, public_id=public_id)
    rows = selectors.person_overview(user=user, person=p, on=today)
    ctx = {
        **_apply_form(rows, _item_param(request.GET.get("item"))),
        "person": p,
        "rows": rows,
        # Items the person does not qualify for fold away (a phone screen shows the rest).
        "shown": [r for r in rows if r.verdict.value is not False or r.holding or r.open_app],
        "folded": [
            r for r in rows if r.verdict.value is False and not r.holding and not r.open_app
        ],
        "entitlements": selectors.entitlements_of(user=user, person=p),
        "applications": selectors.applications_of(user=user, person=p),
        "can_apply": user.can(Cap.BENEFIT_APPLY) and p.life_status == "alive",
        "can_stop": user.can(Cap.BENEFIT_APPROVE),
        "can_account": user.can(Cap.BENEFIT_APPROVE),
        "back": _roll_back(request.GET.get("next")),
        "stop_reasons": StopReason.choices,
        "today": today,
    }
    return render(request, "benefits/person.html", ctx)


@require_POST
@scope(Cap.BENEFIT_APPLY)
def apply(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    p = people_selectors.person_get(user=request.user, public_id=public_id)
    uploads = [
        services.Upload(f.name or "", f.content_type or "", f.read())
        for f in request.FILES.getlist("documents")
    ]
    code = _item_param(request.POST.get("item_code"))
    try:
        app = services.application_create(
            actor=request.user,
            person=p,
            item_code=code,
            account=request.POST.get("account", ""),
            note=request.POST.get("note", ""),
            documents=uploads,
            # The confirmation names the item it was given for: switching the item after
            # ticking it does not carry it over.
            acknowledge_ineligible=bool(code)
            and request.POST.get("acknowledge_ineligible") == code,
        )
    except services.BenefitInvalid as exc:
        flash_errors(request, exc.errors)
        url = reverse("benefits:person", kwargs={"public_id": p.public_id})
        return redirect(f"{url}?{urlencode({'item': code})}#apply" if code else f"{url}#apply")
    messages.success(request, "已受理，转乡镇（街道）审核")
    for w in app.warnings:
        messages.warning(request, w)
    return redirect("benefits:application", application_id=app.public_id)


@scope(Cap.BENEFIT_VIEW)
def applications(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    try:
        qs = selectors.applications(
            user=request.user,
            status=status,
            item=request.GET.get("item", ""),
            region=request.GET.get("region", ""),
            q=request.GET.get("q", ""),
        )
    except ValueError:
        qs = selectors.applications(user=request.user, status=status)
    ctx = {
        "page": selectors.page(qs, request.GET.get("page")),
        "status": status,
        "statuses": [("open", "办理中"), *AppStatus.choices, ("", "全部")],
        "item": request.GET.get("item", ""),
        "q": request.GET.get("q", ""),
    }
    return render(request, "benefits/applications.html", ctx)


def _next_step(user: Any, app: Any) -> str:
    if app.status == AppStatus.ACCEPTED and user.can(Cap.BENEFIT_REVIEW):
        return "乡镇（街道）审核"
    if app.status == AppStatus.REVIEWED and user.can(Cap.BENEFIT_APPROVE):
        return "县（区）审批"
    if app.status == AppStatus.APPEALED and user.can(Cap.BENEFIT_APPROVE):
        return "县（区）复核"
    return ""


@scope(Cap.BENEFIT_VIEW)
def application(request: AuthedRequest, application_id: UUID) -> HttpResponse:
    app = selectors.application_get(user=request.user, public_id=application_id)
    verdict = selectors.application_verdict(app, timezone.localdate())
    ctx = {
        "app": app,
        "verdict": verdict,
        "notice": rules.ineligible_notice(verdict.value, verdict.reasons) if verdict else "",
        "not_approvable": services.NOT_APPROVABLE,
        "decisions": list(app.decisions.all()),
        "documents": list(app.documents.defer("data")),
        "step": _next_step(request.user, app),
        "can_appeal": request.user.can(Cap.BENEFIT_APPLY)
        and app.status == AppStatus.REFUSED
        and not app.appealed,
        "refusals": RefusalReason.choices,
    }
    return render(request, "benefits/application.html", ctx)


@require_POST
@scope(Cap.BENEFIT_VIEW)
def decide(request: AuthedRequest, application_id: UUID) -> HttpResponse:
    app = selectors.application_get(user=request.user, public_id=application_id)
    try:
        services.application_decide(
            actor=request.user,
            application=app,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
            reason_code=request.POST.get("reason_code", ""),
        )
    except services.BenefitInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        messages.error(request, NOT_PERMITTED)
    else:
        messages.success(request, "已办理")
    return redirect("benefits:application", application_id=app.public_id)


@require_POST
@scope(Cap.BENEFIT_APPLY)
def appeal(request: AuthedRequest, application_id: UUID) -> HttpResponse:
    app = selectors.application_get(user=request.user, public_id=application_id)
    try:
        services.application_appeal(
            actor=request.user, application=app, reason=request.POST.get("reason", "")
        )
    except services.BenefitInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "已提出申诉，转县（区）复核")
    return redirect("benefits:application", application_id=app.public_id)


@scope(Cap.BENEFIT_VIEW)
def document(request: AuthedRequest, application_id: UUID, document_id: int) -> HttpResponse:
    app = selectors.application_get(user=request.user, public_id=application_id)
    doc = selectors.document_get(application=app, document_id=document_id)
    response = HttpResponse(bytes(doc.data), content_type=doc.content_type)
    response["Content-Disposition"] = sheets.attachment_disposition(doc.name)
    return response


@require_POST
@scope(Cap.BENEFIT_APPROVE)
def stop(request: AuthedRequest, entitlement_id: UUID) -> HttpResponse:
    ent = selectors.entitlement_get(user=request.user, public_id=entitlement_id)
    try:
        services.entitlement_stop(
            actor=request.user,
            entitlement=ent,
            reason_code=request.POST.get("reason_code", ""),
            note=request.POST.get("note", ""),
            end=_month(request.POST.get("month")) or rules.next_month(timezone.localdate()),
        )
    except services.BenefitInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "已停发")
    return redirect("benefits:person", public_id=ent.person.public_id)


def _roll_back(raw: str | None) -> str:
    """Where to return after entering an account: only a roll page of this site."""
    path = (raw or "").strip()
    return path if ROLL_PATH.fullmatch(path) else ""


ROLL_PATH = re.compile(r"/benefits/rolls/[0-9a-f-]{36}/")


@require_POST
@scope(Cap.BENEFIT_APPROVE)
def entitlement_account(request: AuthedRequest, entitlement_id: UUID) -> HttpResponse:
    ent = selectors.entitlement_get(user=request.user, public_id=entitlement_id)
    back = _roll_back(request.POST.get("next"))
    try:
        services.entitlement_account_set(
            actor=request.user,
            entitlement=ent,
            account=request.POST.get("account", ""),
            note=request.POST.get("note", ""),
        )
    except services.BenefitInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        messages.error(request, NOT_PERMITTED)
    else:
        messages.success(request, f"已保存{ent.person.name}的{ent.item_code}发放账号")
        if back:
            return redirect(back)
    url = reverse("benefits:person", kwargs={"public_id": ent.person.public_id})
    return redirect(f"{url}?{urlencode({'next': back})}#entitlements" if back else url)


@scope(Cap.BENEFIT_VIEW)
def tasks(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", TaskStatus.OPEN)
    kind = request.GET.get("kind", "")
    qs = selectors.tasks(user=request.user, status=status, kind=kind)
    ctx = {
        "page": selectors.page(qs, request.GET.get("page")),
        "status": status,
        "kind": kind,
        "kinds": TaskKind.choices,
        "outcomes": [c for c in TaskOutcome.choices if c[0] != TaskOutcome.AUTO],
        "can_close": request.user.can(Cap.BENEFIT_APPROVE) or request.user.can(Cap.BENEFIT_REVIEW),
        "today": timezone.localdate(),
    }
    return render(request, "benefits/tasks.html", ctx)


@require_POST
@scope(Cap.BENEFIT_VIEW)
def task_close(request: AuthedRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, task_id=task_id)
    try:
        services.task_close(
            actor=request.user,
            task=task,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except services.BenefitInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        messages.error(request, NOT_PERMITTED)
    else:
        messages.success(request, "已处理")
    return redirect("benefits:tasks")


@scope(Cap.BENEFIT_VIEW)
def rolls(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    ctx = {
        "page": selectors.page(selectors.rolls(user=request.user), request.GET.get("page")),
        "counties": selectors.counties_of(request.user)
        if request.user.can(Cap.ROLL_MANAGE)
        else [],
        "this_month": f"{today:%Y-%m}",
    }
    return render(request, "benefits/rolls.html", ctx)


@require_POST
@scope(Cap.ROLL_MANAGE)
def roll_generate(request: AuthedRequest) -> HttpResponse:
    month = _month(request.POST.get("month"))
    county = request.POST.get("county", "")
    if month is None or not county:
        messages.error(request, "请选择县（区）和月份")
        return redirect("benefits:rolls")
    try:
        roll = services.roll_generate(actor=request.user, county_code=county, month=month)
    except services.BenefitInvalid as exc:
        flash_errors(request, exc.errors)
        return redirect("benefits:rolls")
    messages.success(request, f"已生成{month:%Y年%m月}名册（草稿）")
    return redirect("benefits:roll", roll_id=roll.public_id)


@scope(Cap.BENEFIT_VIEW)
def roll(request: AuthedRequest, roll_id: UUID) -> HttpResponse:
    r = selectors.roll_get(user=request.user, public_id=roll_id)
    kind, item = request.GET.get("kind", ""), request.GET.get("item", "")
    qs = selectors.roll_lines(roll=r, kind=kind, item=item)
    names = {
        row.item.code: row.item.item.name for row in selectors.service_list(r.county_id, r.month)
    }
    totals = [
        (
            code,
            names.get(code, ""),
            t["amount"],
            [(LineKind(k).label, v["n"], v["amount"]) for k, v in sorted(t["kinds"].items())],
        )
        for code, t in sorted(r.totals.get("items", {}).items())
    ]
    missing = selectors.roll_missing_accounts(roll=r)
    listed = (
        [(e, names.get(e.item_code, "")) for e in missing[: selectors.MISSING_LISTED]]
        if r.status == RollStatus.DRAFT
        else []
    )
    count = missing.count() if len(listed) == selectors.MISSING_LISTED else len(listed)
    pg = selectors.page(qs, request.GET.get("page"))
    ctx = {
        "roll": r,
        "missing": listed,
        "missing_count": count,
        "missing_more": count - len(listed),
        "can_account": request.user.can(Cap.BENEFIT_APPROVE),
        "lines": [(ln, names.get(ln.item_code, "")) for ln in pg.object_list],
        "page": pg,
        "kind": kind,
        "kinds": LineKind.choices,
        "item": item,
        "totals": totals,
        "can_manage": request.user.can(Cap.ROLL_MANAGE),
    }
    return render(request, "benefits/roll.html", ctx)


@require_POST
@scope(Cap.ROLL_MANAGE)
def roll_approve(request: AuthedRequest, roll_id: UUID) -> HttpResponse:
    r = selectors.roll_get(user=request.user, public_id=roll_id)
    try:
        services.roll_approve(actor=request.user, roll=r)
    except services.BenefitInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "名册已审定，不能再修改；之后的变化计入下月名册")
    return redirect("benefits:roll", roll_id=r.public_id)


@scope(Cap.ROLL_MANAGE)
def roll_export(request: AuthedRequest, roll_id: UUID) -> HttpResponseBase:
    r = selectors.roll_get(user=request.user, public_id=roll_id)
    try:
        sheet = services.roll_export_rows(actor=request.user, roll=r)
    except services.BenefitInvalid as exc:
        flash_errors(request, exc.errors)
        return redirect("benefits:roll", roll_id=r.public_id)
    return sheets.xlsx_response(
        f"发放名册-{r.county_id[:6]}-{r.month:%Y%m}.xlsx",
        services.ROLL_HEADER,
        sheet.rows,
        sheet_name=f"{r.month:%Y年%m月}",
        number_formats=services.ROLL_NUMBER_FORMATS,
        footer=sheet.footer,
    )


@scope(Cap.BENEFIT_APPROVE)
def external_import(request: AuthedRequest) -> HttpResponse:
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的文件（.xlsx 或 .csv）")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "upload"
                path.write_bytes(upload.read())
                try:
                    rows = list(sheets.open_table(path, upload.name or "").rows)
                    report = services.external_import(
                        actor=request.user, kind=request.POST.get("kind", ""), rows=rows
                    )
                except sheets.SheetError as exc:
                    messages.error(request, str(exc))
                except services.BenefitInvalid as exc:
                    flash_errors(request, exc.errors)
    ctx = {"kinds": ImportKind.choices, "report": report}
    return render(request, "benefits/import.html", ctx)
