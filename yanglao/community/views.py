"""Community service pages. Thin: forms validate input, services write, selectors read
(scoped: officers by region, provider staff by their provider)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap, Role
from yanglao.accounts.scoping import WRITE_RECORDS
from yanglao.benefits.models import ServiceItem
from yanglao.community import selectors, services, sync
from yanglao.community.choices import LogStatus, OrderSource, OrderStatus, SettlementStatus
from yanglao.community.forms import (
    DispatchForm,
    FacilityForm,
    FundingRuleForm,
    OrderForm,
    PriceForm,
    ProviderForm,
    SettlementForm,
    StaffForm,
)
from yanglao.community.models import Provider
from yanglao.core import offline as core_offline
from yanglao.core import sheets
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.core.sync import sync_response
from yanglao.people import selectors as people_selectors
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.visits.models import VisitRecord

PAGE_SIZE = 30
MAX_SYNC_BYTES = 12 * 1024 * 1024  # a check-in/out with a photo, or a signature
SCOPE = "/community/worker/"
OFFLINE_PREFIXES = ("community/", "visits/", "yanglao/", "django_htmx/")


def _page(qs: Any, number: str | None) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(number)


def _villages(request: AuthedRequest) -> tuple[list[Region], list[Region], str]:
    county = request.GET.get("county", "") or request.POST.get("county", "")
    return people_selectors.village_picker(request.user, county)


def _is_staff(user: User) -> bool:
    return user.role in (Role.PROVIDER_MANAGER, Role.PROVIDER_WORKER)


# --- orders ---------------------------------------------------------------------------


@scope(Cap.COMMUNITY_VIEW)
def index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "")
    status = status if status in OrderStatus.values else ""
    q = request.GET.get("q", "").strip()[:20]
    qs = selectors.orders(user, selectors.OrderFilters(status=status, q=q))
    counts = selectors.order_counts(user)
    return render(
        request,
        "community/index.html",
        {
            "page": _page(qs, request.GET.get("page")),
            "status": status,
            "q": q,
            "statuses": [(v, label, counts.get(v, 0)) for v, label in OrderStatus.choices],
            "provider": selectors.my_provider(user) if _is_staff(user) else None,
            "can_manage": user.can(Cap.COMMUNITY_MANAGE),
            "can_settle": user.can(Cap.COMMUNITY_SETTLE),
            "can_serve": user.can(Cap.COMMUNITY_SERVE),
        },
    )


@scope(Cap.COMMUNITY_ORDER)
def order_new(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    """转介服务: reached from the person page (and from a visit record, ?visit=<id>)."""
    person = people_selectors.person_get(user=request.user, public_id=public_id)
    visit = None
    visit_id = request.GET.get("visit", "") or request.POST.get("visit", "")
    if visit_id:
        try:
            visit = VisitRecord.objects.filter(public_id=UUID(visit_id), person=person).first()
        except ValueError:
            visit = None
    initial: dict[str, str] = {"source": OrderSource.VISIT if visit else OrderSource.WINDOW}
    if visit is not None:
        initial["note"] = f"巡访发现（{visit.visit_date:%Y-%m-%d}）：{visit.summary}"[:500]
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            order = services.order_request(
                actor=request.user,
                person=person,
                item=cd["item"],
                source=cd["source"],
                quantity=cd["quantity"],
                scheduled_for=cd["scheduled_for"],
                note=cd["note"],
                visit_record=visit,
            )
        except services.CommunityInvalid as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, f"已受理：{person.name} {order.item.name}")
            return redirect("community:order", order_id=order.public_id)
    return render(
        request, "community/order_new.html", {"form": form, "person": person, "visit": visit}
    )


@scope(Cap.COMMUNITY_VIEW)
def order_detail(request: AuthedRequest, order_id: UUID) -> HttpResponse:
    user = request.user
    order = selectors.order_get(user=user, public_id=order_id)
    officer = not _is_staff(user)
    providers: list[Provider] = []
    if officer and user.can(Cap.COMMUNITY_DISPATCH):
        providers = list(
            selectors.providers(user)
            .filter(prices__item=order.item, status="operating")
            .distinct()
            .order_by("name")
        )
    workers: list[tuple[int, str]] = []
    if order.provider is not None:
        workers = [
            (s.user_id, s.user.full_name or s.user.username)
            for s in selectors.staff_of(order.provider)
        ]
    return render(
        request,
        "community/order.html",
        {
            "order": order,
            "logs": selectors.logs_of(order),
            "dispatch_form": DispatchForm(providers=providers, workers=workers),
            "can_order": user.can(Cap.COMMUNITY_ORDER),
            "can_dispatch": user.can(Cap.COMMUNITY_DISPATCH),
            "can_serve": user.can(Cap.COMMUNITY_SERVE),
            "open": order.status in services.OPEN_ORDER,
            "today": timezone.localdate(),
            "awaiting": LogStatus.AWAITING,
        },
    )


def _order_action(request: AuthedRequest, order_id: UUID, fn: Any, ok: str) -> HttpResponse:
    order = selectors.order_get(user=request.user, public_id=order_id)
    try:
        fn(order)
    except services.CommunityInvalid as exc:
        flash_errors(request, exc.errors)
    except services.NotPermitted:
        messages.error(request, "无权办理")
    else:
        messages.success(request, ok)
    return redirect("community:order", order_id=order.public_id)


@require_POST
@scope(Cap.COMMUNITY_ORDER)
def order_agree(request: AuthedRequest, order_id: UUID) -> HttpResponse:
    return _order_action(
        request,
        order_id,
        lambda o: services.order_agree(
            actor=request.user, order=o, agreement=request.POST.get("agreement", "")[:300]
        ),
        "已登记签约（需评估的项目待评估完成后签约）",
    )


@require_POST
@scope(Cap.COMMUNITY_DISPATCH)
def order_dispatch(request: AuthedRequest, order_id: UUID) -> HttpResponse:
    user = request.user

    def run(order: Any) -> None:
        provider = worker = None
        pid = request.POST.get("provider", "")
        if pid.isdigit():
            provider = selectors.providers(user).filter(pk=int(pid)).first()
            if provider is None:
                raise services.CommunityInvalid({"provider": ["请选择服务商"]})
        wid = request.POST.get("worker", "")
        if wid.isdigit():
            worker = User.objects.filter(pk=int(wid), is_active=True).first()
        services.order_dispatch(actor=user, order=order, provider=provider, worker=worker)

    return _order_action(request, order_id, run, "已派单")


@require_POST
@scope(Cap.COMMUNITY_VIEW)
def order_cancel(request: AuthedRequest, order_id: UUID) -> HttpResponse:
    return _order_action(
        request,
        order_id,
        lambda o: services.order_cancel(
            actor=request.user, order=o, reason=request.POST.get("reason", "")
        ),
        "工单已取消",
    )


@require_POST
@scope(Cap.COMMUNITY_VIEW)
def order_no_show(request: AuthedRequest, order_id: UUID) -> HttpResponse:
    return _order_action(
        request,
        order_id,
        lambda o: services.order_no_show(
            actor=request.user,
            order=o,
            on=timezone.localdate(),
            note=request.POST.get("note", ""),
        ),
        "已登记未上门",
    )


@require_POST
@scope(Cap.COMMUNITY_ORDER)
def log_window_confirm(request: AuthedRequest, log_id: UUID) -> HttpResponse:
    """Confirmation checked at the window (the family came or called in)."""
    log = selectors.log_get(user=request.user, public_id=log_id)
    try:
        services.confirm(actor=request.user, log_uuid=log.client_uuid, method="window")
    except services.CommunityInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "已确认服务")
    if log.order is None:
        return redirect("community:index")
    return redirect("community:order", order_id=log.order.public_id)


@require_POST
@scope(Cap.COMMUNITY_SERVE)
def log_sms(request: AuthedRequest, log_id: UUID) -> JsonResponse:
    """Send the SMS confirmation code (online only: a code cannot be sent offline)."""
    log = selectors.log_get(user=request.user, public_id=log_id)
    try:
        services.sms_send(
            actor=request.user, log_uuid=log.client_uuid, phone=request.POST.get("phone", "")
        )
    except services.CommunityInvalid as exc:
        return JsonResponse({"errors": exc.errors}, status=400)
    return JsonResponse({"sent": True, "message": "确认码已发送，请老人或家属告知服务人员"})


# --- the worker's phone app (offline) ----------------------------------------------------


@scope(Cap.COMMUNITY_SERVE)
def worker_app(request: AuthedRequest) -> HttpResponse:
    return render(request, "community/worker_app.html", {})


@scope(Cap.COMMUNITY_SERVE)
def worker_data(request: AuthedRequest) -> JsonResponse:
    user = request.user
    open_logs = {str(lg.order.public_id): lg for lg in selectors.open_logs(user) if lg.order}
    out = []
    for o in selectors.worker_orders(user)[:200]:
        lg = open_logs.get(str(o.public_id))
        out.append(
            {
                "id": str(o.public_id),
                "name": o.person.name,
                "address": o.person.address,
                "village": o.region.name,
                "item": o.item.name,
                "unit": o.item.get_unit_display(),
                "quantity": str(o.quantity),
                "scheduled": o.scheduled_for.isoformat() if o.scheduled_for else "",
                "note": o.note,
                "log": None
                if lg is None
                else {
                    "id": str(lg.public_id),
                    "client_uuid": str(lg.client_uuid),
                    "status": lg.status,
                    "status_label": LogStatus(lg.status).label,
                },
            }
        )
    return JsonResponse(
        {"user": user.username, "today": timezone.localdate().isoformat(), "orders": out},
        json_dumps_params={"ensure_ascii": False},
    )


@require_POST
@scope(Cap.COMMUNITY_SERVE)
def worker_sync(request: AuthedRequest) -> JsonResponse:
    return sync_response(
        request, MAX_SYNC_BYTES, lambda records: sync.upload(actor=request.user, records=records)
    )


@scope(Cap.COMMUNITY_SERVE)
def worker_sw(request: AuthedRequest) -> HttpResponse:
    return core_offline.service_worker_response("community", OFFLINE_PREFIXES, SCOPE)


@scope(Cap.COMMUNITY_SERVE)
def worker_manifest(request: AuthedRequest) -> JsonResponse:
    return core_offline.manifest_response(
        "上门服务", "上门服务", reverse("community:worker_app"), SCOPE
    )


# --- providers and facilities (part 1), prices and funding rules (part 2) ---------------


@scope(Cap.COMMUNITY_VIEW)
def providers(request: AuthedRequest) -> HttpResponse:
    qs = selectors.providers(request.user).select_related("region").order_by("name")
    fac = selectors.facilities(request.user).order_by("name")
    return render(
        request,
        "community/providers.html",
        {
            "page": _page(qs, request.GET.get("page")),
            "facilities": fac[:100],
            "can_manage": request.user.can(Cap.COMMUNITY_MANAGE),
        },
    )


@scope(Cap.COMMUNITY_MANAGE)
def provider_new(request: AuthedRequest) -> HttpResponse:
    villages, counties, county = _villages(request)
    form = ProviderForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            p = services.provider_register(
                actor=request.user,
                data=services.ProviderInput(
                    credit_code=cd["credit_code"],
                    name=cd["name"],
                    kind=cd["kind"],
                    region_code=cd["region"],
                    address=cd["address"],
                    contact=cd["contact"],
                    phone=cd["phone"],
                    filing_status=cd["filing_status"],
                    filed_on=cd["filed_on"],
                ),
            )
        except services.CommunityInvalid as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, f"已登记：{p.name}")
            return redirect("community:provider", provider_id=p.public_id)
    return render(
        request,
        "community/form.html",
        {"form": form, "counties": counties, "county": county, "title": "登记服务商"},
    )


@scope(Cap.COMMUNITY_VIEW)
def provider_detail(request: AuthedRequest, provider_id: UUID) -> HttpResponse:
    p = selectors.provider_get(user=request.user, public_id=provider_id)
    today = timezone.localdate()
    manage = request.user.can(Cap.COMMUNITY_MANAGE)
    return render(
        request,
        "community/provider.html",
        {
            "provider": p,
            "prices": selectors.current_prices(p, today),
            "history": selectors.prices_of(p).order_by("item__code", "-effective_from"),
            "staff": selectors.staff_of(p),
            "facilities": p.facilities.select_related("region").order_by("name"),
            "settlements": selectors.settlements(request.user).filter(provider=p)[:12],
            "price_form": PriceForm() if manage else None,
            "staff_form": StaffForm() if manage else None,
            "can_manage": manage,
        },
    )


def _provider_post(request: AuthedRequest, provider_id: UUID, form_cls: Any, run: Any) -> Any:
    p = selectors.provider_get(user=request.user, public_id=provider_id)
    form = form_cls(request.POST)
    if form.is_valid():
        try:
            run(p, form.cleaned_data)
        except services.CommunityInvalid as exc:
            flash_errors(request, exc.errors)
        else:
            messages.success(request, "已保存")
    else:
        flash_errors(request, {k: list(v) for k, v in form.errors.items()})
    return redirect("community:provider", provider_id=p.public_id)


@require_POST
@scope(Cap.COMMUNITY_MANAGE)
def price_add(request: AuthedRequest, provider_id: UUID) -> HttpResponse:
    return _provider_post(
        request,
        provider_id,
        PriceForm,
        lambda p, cd: services.price_set(
            actor=request.user,
            provider=p,
            item=cd["item"],
            unit_price=cd["unit_price"],
            effective_from=cd["effective_from"],
        ),
    )


@require_POST
@scope(Cap.COMMUNITY_MANAGE)
def staff_add(request: AuthedRequest, provider_id: UUID) -> HttpResponse:
    def run(p: Provider, cd: dict[str, Any]) -> None:
        user = User.objects.filter(username=cd["username"].strip(), is_active=True).first()
        if user is None:
            raise services.CommunityInvalid({"username": ["未找到该账号"]})
        services.staff_bind(actor=request.user, provider=p, user=user, role=cd["role"])

    return _provider_post(request, provider_id, StaffForm, run)


@scope(Cap.COMMUNITY_MANAGE)
def facility_new(request: AuthedRequest) -> HttpResponse:
    villages, counties, county = _villages(request)
    form = FacilityForm(request.POST or None, villages=villages)
    provs = list(selectors.providers(request.user).order_by("name")[:500])
    pid = request.POST.get("provider", "")
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        provider = next((p for p in provs if str(p.pk) == pid), None)
        try:
            services.facility_register(
                actor=request.user,
                data=services.FacilityInput(
                    name=cd["name"],
                    kind=cd["kind"],
                    region_code=cd["region"],
                    address=cd["address"],
                    provider=provider,
                    longitude=cd["longitude"],
                    latitude=cd["latitude"],
                    opening_hours=cd["opening_hours"],
                    capacity=cd["capacity"],
                    staff_on_duty=cd["staff_on_duty"],
                    filing_status=cd["filing_status"],
                ),
            )
        except services.CommunityInvalid as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, f"已登记：{cd['name']}")
            return redirect("community:providers")
    return render(
        request,
        "community/form.html",
        {
            "form": form,
            "counties": counties,
            "county": county,
            "title": "登记服务设施",
            "providers": provs,
        },
    )


def _benefit_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for code, name in ServiceItem.objects.order_by("code").values_list("code", "name"):
        seen.setdefault(code, f"{name}")
    return list(seen.items())


@scope(Cap.COMMUNITY_VIEW)
def funding(request: AuthedRequest) -> HttpResponse:
    user = request.user
    manage = user.can(Cap.COMMUNITY_MANAGE)
    form = FundingRuleForm(request.POST or None, benefits=_benefit_choices())
    counties = (
        list(people_selectors.scoped_regions(user, level=codes.COUNTY)[:50]) if manage else []
    )
    if request.method == "POST":
        if not manage:
            raise Http404
        region = request.POST.get("region", "")
        if form.is_valid() and any(c.code == region for c in counties):
            cd = form.cleaned_data
            try:
                services.funding_rule_set(
                    actor=user,
                    region_code=region,
                    benefit_code=cd["benefit_code"],
                    item=cd["item"],
                    amount_per_unit=cd["amount_per_unit"],
                    monthly_cap=cd["monthly_cap"],
                    effective_from=cd["effective_from"],
                    document_no=cd["document_no"],
                )
            except services.CommunityInvalid as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(request, "补贴支付规则已发布")
                return redirect("community:funding")
        elif form.is_valid():
            form.add_error(None, "请选择制定规则的县（区）")
    names = dict(_benefit_choices())
    rules_qs = list(selectors.funding_rules(user)[:200])
    for r in rules_qs:
        r.benefit_name = names.get(r.benefit_code, r.benefit_code)  # type: ignore[attr-defined]
    return render(
        request,
        "community/funding.html",
        {"rules": rules_qs, "form": form if manage else None, "counties": counties},
    )


# --- settlement (part 8) ----------------------------------------------------------------


@scope(Cap.COMMUNITY_VIEW)
def settlements(request: AuthedRequest) -> HttpResponse:
    user = request.user
    can_settle = user.can(Cap.COMMUNITY_SETTLE)
    provs = list(selectors.providers(user).order_by("name")[:500]) if can_settle else []
    form = SettlementForm(request.POST or None, providers=provs)
    if request.method == "POST":
        if not can_settle:
            raise Http404
        if form.is_valid():
            cd = form.cleaned_data
            provider = next((p for p in provs if str(p.pk) == cd["provider"]), None)
            assert provider is not None
            try:
                s = services.settlement_generate(
                    actor=user,
                    provider=provider,
                    county_code=provider.region_id,
                    month=cd["month"],
                )
            except services.CommunityInvalid as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(request, "结算单已生成，请由另一位工作人员审核")
                return redirect("community:settlement", settlement_id=s.public_id)
    qs = selectors.settlements(user).exclude(status=SettlementStatus.VOID)
    return render(
        request,
        "community/settlements.html",
        {"page": _page(qs, request.GET.get("page")), "form": form if can_settle else None},
    )


@scope(Cap.COMMUNITY_VIEW)
def settlement_detail(request: AuthedRequest, settlement_id: UUID) -> HttpResponse:
    s = selectors.settlement_get(user=request.user, public_id=settlement_id)
    lines = s.lines.filter(live=True).select_related("log__person", "log__item")
    refused = request.GET.get("refused") == "1"
    if refused:
        lines = lines.filter(refused=True)
    return render(
        request,
        "community/settlement.html",
        {
            "s": s,
            "page": _page(
                lines.order_by("log__service_date", "log_id", "payer"), request.GET.get("page")
            ),
            "refused": refused,
            "can_approve": request.user.can(Cap.COMMUNITY_SETTLE)
            and s.status == SettlementStatus.DRAFT
            and s.created_by_id != request.user.pk,
            "can_export": request.user.can(Cap.COMMUNITY_SETTLE),
        },
    )


@require_POST
@scope(Cap.COMMUNITY_SETTLE)
def settlement_approve(request: AuthedRequest, settlement_id: UUID) -> HttpResponse:
    s = selectors.settlement_get(user=request.user, public_id=settlement_id)
    try:
        services.settlement_approve(actor=request.user, settlement=s)
    except services.CommunityInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "结算单已审核，已冻结")
    return redirect("community:settlement", settlement_id=s.public_id)


@scope(Cap.COMMUNITY_SETTLE)
def settlement_export(request: AuthedRequest, settlement_id: UUID) -> HttpResponseBase:
    s = selectors.settlement_get(user=request.user, public_id=settlement_id)
    # An export is a write of the audit trail: only where the officer may write.
    from yanglao.accounts.scoping import in_scope

    if not in_scope(request.user, s.county_id, WRITE_RECORDS):
        raise Http404
    rows = services.settlement_export_rows(actor=request.user, settlement=s)
    return sheets.xlsx_response(
        f"服务结算单-{s.provider.name}-{s.month:%Y%m}.xlsx",
        services.SHEET_HEADER,
        rows,
        sheet_name=f"{s.month:%Y年%m月}",
        footer=["合计", "", "", "", "", "", "", "", float(s.total_gross), "", ""],
    )
