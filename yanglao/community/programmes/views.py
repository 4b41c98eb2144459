"""Pages of the community programmes. Thin: input parsed here, services write, selectors
read (scoped). Every view declares its scope."""

from __future__ import annotations

import tempfile
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.roles import Cap
from yanglao.community.choices import Unit
from yanglao.community.models import CatalogueItem, ModificationItem
from yanglao.community.programmes import policy, selectors, services
from yanglao.community.programmes.choices import (
    CASE_STEPS,
    AlarmKind,
    AlarmStatus,
    BedDevice,
    CaseStatus,
    MealKind,
)
from yanglao.core import sheets
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.core.photos import PHOTO_BYTES

UPLOAD_MAX = 20 * 1024 * 1024


def _text(request: AuthedRequest, key: str, limit: int = 300) -> str:
    value = request.POST.get(key, "")
    return value.replace("\x00", "").strip()[:limit]


def _date(request: AuthedRequest, key: str, label: str) -> date:
    raw = _text(request, key, 20)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise services.ProgrammeInvalid({key: [f"{label}格式不正确，应为 2026-11-30"]}) from None


def _int(request: AuthedRequest, key: str, label: str) -> int:
    raw = _text(request, key, 10)
    if not raw.isascii() or not raw.isdigit():
        raise services.ProgrammeInvalid({key: [f"{label}应为数字"]})
    return int(raw)


def _errors(request: AuthedRequest, exc: services.ProgrammeInvalid) -> None:
    flash_errors(request, exc.errors)


def _month(request: AuthedRequest) -> date:
    return selectors.parse_month(request.GET.get("month", ""), timezone.localdate())


def _pick(qs: Any, key: str, request: AuthedRequest) -> Any:
    """An object of a scoped queryset by the public id in POST[key], else a field error."""
    raw = _text(request, key, 40)
    try:
        found = qs.filter(public_id=UUID(raw)).first()
    except ValueError:
        found = None
    if found is None:
        raise services.ProgrammeInvalid({key: ["请选择"]})
    return found


@scope(Cap.PROGRAMME_VIEW)
def index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    beds: list[Any] = list(selectors.homebeds(user=user, month=today))
    board = selectors.alarm_board(user=user)
    ctx = {
        "beds": len(beds),
        "beds_short": sum(1 for b in beds if b.delivered < b.min_services),
        "sites": selectors.meal_sites(user=user).count(),
        "cases": selectors.cases(user=user)
        .exclude(status__in=[CaseStatus.SUBSIDISED, CaseStatus.REFUSED])
        .count(),
        "alarms_open": sum(1 for b in board if b.alarm.status != AlarmStatus.CLOSED),
        "alarms_late": sum(1 for b in board if b.late and b.alarm.status != AlarmStatus.CLOSED),
    }
    return render(request, "community/programmes/index.html", ctx)


# --- 家庭养老床位 -------------------------------------------------------------------------


@scope(Cap.PROGRAMME_VIEW)
def homebeds(request: AuthedRequest) -> HttpResponse:
    month = _month(request)
    rows: list[Any] = list(selectors.homebeds(user=request.user, month=month))
    for r in rows:
        r.short = r.delivered < r.min_services
    rows.sort(key=lambda r: (not r.short, r.region_id, r.pk))
    return render(
        request,
        "community/programmes/homebeds.html",
        {
            "rows": rows,
            "month": month,
            "short": sum(1 for r in rows if r.short),
            "can_manage": request.user.can(Cap.PROGRAMME_MANAGE),
        },
    )


@scope(Cap.PROGRAMME_MANAGE)
def homebed_new(request: AuthedRequest) -> HttpResponse:
    providers = selectors.providers_for(request.user)
    items = CatalogueItem.objects.filter(active=True).exclude(unit=Unit.MEAL)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            person = services.person_by_id_number(request.user, _text(request, "id_number", 20))
            start = _date(request, "start", "签约日期")
            picked = set(request.POST.getlist("items"))
            kinds = [k for k in request.POST.getlist("devices") if k in BedDevice.values]
            contract = services.homebed_contract_create(
                actor=request.user,
                person=person,
                data=services.BedInput(
                    provider=_pick(providers, "provider", request),
                    start=start,
                    assessed_on=_date(request, "assessed_on", "居家评估日期"),
                    min_services=_int(request, "min_services", "每月最少服务次数"),
                    home_note=_text(request, "home_note"),
                    items=[i for i in items if i.code in picked],
                    devices=[(k, start, "") for k in kinds],
                ),
            )
        except services.ProgrammeInvalid as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"已签订家庭养老床位协议：{contract.person.name}")
            return redirect("programmes:homebed", contract_id=contract.public_id)
    return render(
        request,
        "community/programmes/homebed_new.html",
        {
            "providers": providers,
            "items": items,
            "devices": BedDevice.choices,
            "today": today,
            "default_min": policy.HOME_BED.min_services_per_month,
            "document": policy.HOME_BED.document,
            "values": {
                "assessed_on": today.isoformat(),
                "start": today.isoformat(),
                "min_services": str(policy.HOME_BED.min_services_per_month),
                **{k: v.replace("\x00", "")[:300] for k, v in request.POST.dict().items()},
            },
        },
    )


@scope(Cap.PROGRAMME_VIEW)
def homebed(request: AuthedRequest, contract_id: UUID) -> HttpResponse:
    contract = selectors.homebed_get(user=request.user, public_id=contract_id)
    month = _month(request)
    logs = list(selectors.homebed_logs(contract, month))
    delivered = sum(1 for g in logs if g.status in selectors.DELIVERED)
    return render(
        request,
        "community/programmes/homebed.html",
        {
            "c": contract,
            "month": month,
            "logs": logs,
            "delivered": delivered,
            "short": delivered < contract.min_services,
            "devices": BedDevice.choices,
            "today": timezone.localdate(),
            "can_manage": request.user.can(Cap.PROGRAMME_MANAGE),
        },
    )


@require_POST
@scope(Cap.PROGRAMME_MANAGE)
def homebed_device(request: AuthedRequest, contract_id: UUID) -> HttpResponse:
    contract = selectors.homebed_get(user=request.user, public_id=contract_id)
    try:
        services.homebed_device_add(
            actor=request.user,
            contract=contract,
            kind=_text(request, "kind", 16),
            installed_on=_date(request, "installed_on", "安装日期"),
            serial=_text(request, "serial", 50),
        )
    except services.ProgrammeInvalid as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已登记设备")
    return redirect("programmes:homebed", contract_id=contract.public_id)


# --- 老年助餐 ----------------------------------------------------------------------------


@scope(Cap.PROGRAMME_VIEW)
def meals(request: AuthedRequest) -> HttpResponse:
    month = _month(request)
    sites = list(selectors.meal_sites(user=request.user))
    coverage = selectors.meal_coverage(user=request.user, month=month)
    return render(
        request,
        "community/programmes/meals.html",
        {
            "sites": sites,
            "coverage": coverage,
            "month": month,
            "totals": {
                "sites": sum(r.sites for r in coverage),
                "diners": sum(r.diners for r in coverage),
                "meals": sum(r.meals for r in coverage),
            },
            "tiers": [*policy.MEAL_TIERS, policy.MEAL_TIER_NONE],
            "document": policy.MEAL_DOCUMENT,
        },
    )


@scope(Cap.PROGRAMME_VIEW)
def meal_site(request: AuthedRequest, site_id: UUID) -> HttpResponse:
    site = selectors.meal_site_get(user=request.user, public_id=site_id)
    today = timezone.localdate()
    month = _month(request)
    diners: list[Any] = list(selectors.site_diners(site, today))
    days = selectors.site_meals_by_day(site, month)
    for d in diners:
        d.tier_label = policy.MEAL_TIER_LABELS.get(d.tier, "")
    return render(
        request,
        "community/programmes/meal_site.html",
        {
            "site": site,
            "diners": diners,
            "days": days,
            "month_total": sum(d["n"] for d in days),
            "month": month,
            "today": today,
            "meal_kinds": MealKind.choices,
            "settlements": site.meal_settlements.order_by("-month")[:24],
            "can_manage": request.user.can(Cap.PROGRAMME_MANAGE),
            "can_record": request.user.can(Cap.MEAL_RECORD),
            "can_approve": request.user.can(Cap.ROLL_MANAGE),
            "report": request.session.pop("meal_import_report", None),
        },
    )


@require_POST
@scope(Cap.PROGRAMME_MANAGE)
def meal_enrol(request: AuthedRequest, site_id: UUID) -> HttpResponse:
    site = selectors.meal_site_get(user=request.user, public_id=site_id)
    try:
        person = services.person_by_id_number(request.user, _text(request, "id_number", 20))
        diner = services.diner_enrol(
            actor=request.user,
            person=person,
            site=site,
            enrolled_on=_date(request, "enrolled_on", "登记日期"),
        )
    except services.ProgrammeInvalid as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            f"已登记：{diner.person.name}，{policy.MEAL_TIER_LABELS.get(diner.tier, '')}",
        )
    return redirect("programmes:meal_site", site_id=site.public_id)


@require_POST
@scope(Cap.MEAL_RECORD)
def meal_record(request: AuthedRequest, site_id: UUID) -> HttpResponse:
    site = selectors.meal_site_get(user=request.user, public_id=site_id)
    try:
        diner = _pick(site.diners.all(), "diner", request)
        meal_date = _date(request, "meal_date", "就餐日期")
        _, created = services.meal_record(
            actor=request.user,
            site=site,
            diner=diner,
            meal_date=meal_date,
            meal=_text(request, "meal", 16),
        )
    except services.ProgrammeInvalid as exc:
        _errors(request, exc)
    else:
        if created:
            messages.success(request, f"已登记就餐：{diner.person.name} {meal_date:%Y-%m-%d}")
        else:
            messages.warning(request, "这一餐已经登记过，未重复记录")
    return redirect("programmes:meal_site", site_id=site.public_id)


@require_POST
@scope(Cap.MEAL_RECORD)
def meal_import(request: AuthedRequest, site_id: UUID) -> HttpResponse:
    site = selectors.meal_site_get(user=request.user, public_id=site_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择收银系统导出的 .csv 或 .xlsx 文件")
        return redirect("programmes:meal_site", site_id=site.public_id)
    if upload.size is None or upload.size > UPLOAD_MAX:
        messages.error(request, "文件不能超过20MB")
        return redirect("programmes:meal_site", site_id=site.public_id)
    name = (upload.name or "till.csv").replace("\x00", "")[:100]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "till"
            with path.open("wb") as f:
                for chunk in upload.chunks():
                    f.write(chunk)
            table = sheets.open_table(path, name)
            rows = []
            for row in table.rows:
                rows.append(row)
                if len(rows) > 100_001:
                    raise sheets.SheetError("一次最多导入10万行")
        report = services.meals_import(actor=request.user, site=site, rows=rows, file_name=name)
    except sheets.SheetError as exc:
        messages.error(request, str(exc))
        return redirect("programmes:meal_site", site_id=site.public_id)
    if report.errors:
        messages.error(
            request, f"文件有 {len(report.errors)} 行未通过校验，全部未导入，请改正后重新上传"
        )
        request.session["meal_import_report"] = [[n, "；".join(r)] for n, r in report.errors[:200]]
    else:
        messages.success(
            request,
            f"已导入 {report.created} 条就餐记录；{report.duplicates} 条此前已登记，未重复记录",
        )
    return redirect("programmes:meal_site", site_id=site.public_id)


@require_POST
@scope(Cap.PROGRAMME_MANAGE)
def meal_settle(request: AuthedRequest, site_id: UUID) -> HttpResponse:
    site = selectors.meal_site_get(user=request.user, public_id=site_id)
    month = selectors.parse_month(_text(request, "month", 7), timezone.localdate())
    try:
        settlement = services.meal_settle(actor=request.user, site=site, month=month)
    except services.ProgrammeInvalid as exc:
        _errors(request, exc)
        return redirect("programmes:meal_site", site_id=site.public_id)
    return redirect("programmes:meal_settlement", settlement_id=settlement.public_id)


@scope(Cap.PROGRAMME_VIEW)
def meal_settlement(request: AuthedRequest, settlement_id: UUID) -> HttpResponse:
    s = selectors.meal_settlement_get(user=request.user, public_id=settlement_id)
    lines = s.lines.select_related("record", "record__diner__person").order_by(
        "refused", "record__meal_date"
    )
    by_tier: dict[str, dict[str, Any]] = {}
    for ln in lines:
        if ln.refused:
            continue
        row = by_tier.setdefault(
            ln.tier,
            {"label": policy.MEAL_TIER_LABELS.get(ln.tier, ""), "meals": 0, "amount": Decimal(0)},
        )
        row["meals"] += 1
        row["amount"] += ln.amount
    return render(
        request,
        "community/programmes/meal_settlement.html",
        {
            "s": s,
            "by_tier": sorted(by_tier.items(), key=lambda kv: (kv[0] == "t0", kv[0])),
            "refused": [ln for ln in lines if ln.refused][:500],
            "can_approve": request.user.can(Cap.ROLL_MANAGE) and s.status == "draft",
        },
    )


@require_POST
@scope(Cap.ROLL_MANAGE)
def meal_settlement_approve(request: AuthedRequest, settlement_id: UUID) -> HttpResponse:
    s = selectors.meal_settlement_get(user=request.user, public_id=settlement_id)
    try:
        services.meal_settlement_approve(actor=request.user, settlement=s)
    except services.ProgrammeInvalid as exc:
        _errors(request, exc)
    else:
        messages.success(request, "结算已审核并冻结")
    return redirect("programmes:meal_settlement", settlement_id=s.public_id)


# --- 适老化改造 --------------------------------------------------------------------------


@scope(Cap.PROGRAMME_VIEW)
def modification(request: AuthedRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    if request.method == "POST":
        if not user.can(Cap.PROGRAMME_MANAGE):
            raise PermissionDenied
        try:
            person = services.person_by_id_number(user, _text(request, "id_number", 20))
            case = services.case_apply(
                actor=user, person=person, applied_on=_date(request, "applied_on", "申请日期")
            )
        except services.ProgrammeInvalid as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"已受理：{case.person.name}")
            return redirect("programmes:case", case_id=case.public_id)
    status = request.GET.get("status", "")
    qs = selectors.cases(user=user)
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "community/programmes/modification.html",
        {
            "cases": qs[:300],
            "status": status,
            "statuses": CaseStatus.choices,
            "progress": selectors.progress_rows(user=user, year=today.year),
            "items": ModificationItem.objects.all(),
            "today": today,
            "can_manage": user.can(Cap.PROGRAMME_MANAGE),
            "cap": policy.MODIFICATION_SUBSIDY_CAP,
        },
    )


@scope(Cap.PROGRAMME_VIEW)
def case(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    c = selectors.case_get(user=request.user, public_id=case_id)
    if request.method == "POST":
        if not request.user.can(Cap.PROGRAMME_MANAGE):
            raise PermissionDenied
        try:
            data = services.StepInput(on=_date(request, "on", "日期"), note=_text(request, "note"))
            data.refuse = request.POST.get("refuse") == "1"
            if c.status == CaseStatus.ASSESSED:
                data.provider = _pick(selectors.providers_for(request.user), "provider", request)
                lines = []
                for item in ModificationItem.objects.all():
                    raw = _text(request, f"qty_{item.code}", 10)
                    if raw:
                        try:
                            lines.append((item, Decimal(raw)))
                        except InvalidOperation:
                            raise services.ProgrammeInvalid(
                                {"lines": [f"{item.name}：数量应为数字"]}
                            ) from None
                data.lines = lines
            if c.status == CaseStatus.WORKS:
                # Read at most one byte past the limit: photo_type refuses what is larger.
                data.photos = [f.read(PHOTO_BYTES + 1) for f in request.FILES.getlist("photos")[:7]]
            services.case_step(
                actor=request.user,
                case=c,
                data=data,
                expected_version=_int(request, "version", "版本"),
            )
        except services.ProgrammeInvalid as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"已办理：{c.get_status_display()}")
        return redirect("programmes:case", case_id=c.public_id)
    steps = [(s, CaseStatus(s).label) for s in CASE_STEPS]
    reached = CASE_STEPS.index(c.status) if c.status in CASE_STEPS else -1
    return render(
        request,
        "community/programmes/case.html",
        {
            "c": c,
            "steps": [(v, label, i <= reached, i == reached) for i, (v, label) in enumerate(steps)],
            "lines": c.lines.select_related("item"),
            "total": sum((ln.amount for ln in c.lines.all()), Decimal("0.00")),
            "photos": c.photos.all(),
            "items": ModificationItem.objects.all(),
            "providers": selectors.providers_for(request.user),
            "today": timezone.localdate(),
            "can_manage": request.user.can(Cap.PROGRAMME_MANAGE),
            "cap": policy.MODIFICATION_SUBSIDY_CAP,
        },
    )


@scope(Cap.PROGRAMME_VIEW)
def case_photo(request: AuthedRequest, case_id: UUID, photo_id: int) -> HttpResponse:
    c = selectors.case_get(user=request.user, public_id=case_id)
    photo = c.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    with photo.file.open("rb") as f:
        return HttpResponse(f.read(), content_type=photo.content_type)


# --- 紧急呼叫 ----------------------------------------------------------------------------


@scope(Cap.PROGRAMME_VIEW)
def alarms(request: AuthedRequest) -> HttpResponse:
    board = selectors.alarm_board(user=request.user)
    return render(
        request,
        "community/programmes/alarms.html",
        {
            "board": board,
            "target": policy.ALARM_ON_SITE_MINUTES,
            "late": sum(1 for b in board if b.late and b.alarm.status != AlarmStatus.CLOSED),
        },
    )


@scope(Cap.PROGRAMME_VIEW)
def alarm(request: AuthedRequest, alarm_id: UUID) -> HttpResponse:
    from yanglao.visits.choices import Area, FindingLevel, RiskLevel

    a = selectors.alarm_get(user=request.user, public_id=alarm_id)
    r = services.rules.response(a.raised_at, a.arrived_at, timezone.now())
    return render(
        request,
        "community/programmes/alarm.html",
        {
            "a": a,
            "r": r,
            "target": policy.ALARM_ON_SITE_MINUTES,
            "can_handle": request.user.can(Cap.ALARM_HANDLE) and a.status != AlarmStatus.CLOSED,
            "can_visit": request.user.can(Cap.VISIT_RECORD),
            "areas": Area.choices,
            "levels": FindingLevel.choices,
            "risks": [c for c in RiskLevel.choices if c[0] != RiskLevel.EMERGENCY],
            "client_uuid": uuid.uuid4(),
            "logs": selectors.logs_after_alarm(a),
        },
    )


@require_POST
@scope(Cap.ALARM_HANDLE)
def alarm_arrive(request: AuthedRequest, alarm_id: UUID) -> HttpResponse:
    a = selectors.alarm_get(user=request.user, public_id=alarm_id)
    try:
        services.alarm_arrive(actor=request.user, alarm=a)
    except services.ProgrammeInvalid as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已登记到达现场")
    return redirect("programmes:alarm", alarm_id=a.public_id)


@require_POST
@scope(Cap.ALARM_HANDLE)
def alarm_close(request: AuthedRequest, alarm_id: UUID) -> HttpResponse:
    from yanglao.visits.choices import Area

    a = selectors.alarm_get(user=request.user, public_id=alarm_id)
    try:
        if request.POST.get("service_log"):
            try:
                log_id = UUID(_text(request, "service_log", 40))
            except ValueError:
                raise services.ProgrammeInvalid({"service_log": ["请选择服务记录"]}) from None
            services.alarm_close(
                actor=request.user,
                alarm=a,
                outcome=_text(request, "outcome"),
                service_log_id=log_id,
            )
        elif request.POST.get("false_alarm") == "1":
            services.alarm_close(
                actor=request.user, alarm=a, outcome=_text(request, "outcome"), false_alarm=True
            )
        else:
            try:
                client = UUID(_text(request, "client_uuid", 40))
            except ValueError:
                raise services.ProgrammeInvalid({"__all__": ["表单已过期，请刷新后重试"]}) from None
            services.alarm_close_by_visit(
                actor=request.user,
                alarm=a,
                summary=_text(request, "outcome"),
                risk_level=_text(request, "risk_level", 16),
                levels={area: _text(request, f"level_{area}", 16) for area in Area.values},
                client_uuid=client,
            )
    except services.ProgrammeInvalid as exc:
        _errors(request, exc)
    except PermissionDenied:
        messages.error(request, "您的账号不能登记巡访，请由责任巡访员办结")
    else:
        messages.success(request, "已办结，并已登记上门巡访记录" if a.visit_record_id else "已办结")
    return redirect("programmes:alarm", alarm_id=a.public_id)


@scope(Cap.PROGRAMME_VIEW)
def devices(request: AuthedRequest) -> HttpResponse:
    user = request.user
    platforms = selectors.platforms(user=user)
    token = ""
    if request.method == "POST":
        if not user.can(Cap.PROGRAMME_MANAGE):
            raise PermissionDenied
        try:
            if request.POST.get("what") == "platform":
                platform, token = services.platform_register(
                    actor=user,
                    name=_text(request, "name", 100),
                    county_code=_text(request, "county", 6),
                )
                messages.success(request, f"已登记设备平台：{platform.name}")
            else:
                person = services.person_by_id_number(user, _text(request, "id_number", 20))
                services.device_register(
                    actor=user,
                    platform=_pick(platforms, "platform", request),
                    person=person,
                    device_id=_text(request, "device_id", 64),
                    kind=_text(request, "kind", 8),
                    installed_on=_date(request, "installed_on", "安装日期"),
                )
                messages.success(request, f"已登记设备：{person.name}")
                return redirect("programmes:devices")
        except services.ProgrammeInvalid as exc:
            _errors(request, exc)
    counties = selectors.coverage_counties(user)
    return render(
        request,
        "community/programmes/devices.html",
        {
            "platforms": platforms,
            "devices": selectors.devices(user=user)[:500],
            "kinds": AlarmKind.choices,
            "counties": counties,
            "token": token,
            "today": timezone.localdate(),
            "can_manage": user.can(Cap.PROGRAMME_MANAGE),
        },
    )


# --- 服务圈 ------------------------------------------------------------------------------


@scope(Cap.PROGRAMME_VIEW)
def coverage(request: AuthedRequest) -> HttpResponse:
    counties = selectors.coverage_counties(request.user)
    if not counties:
        raise Http404
    wanted = request.GET.get("county", "")[:12]
    county = next((c for c in counties if c.code[:6] == wanted[:6]), counties[0])
    cov = selectors.coverage(user=request.user, county=county)
    located = [v for v in cov.villages if v.lat is not None]
    chart = {
        "covered": [
            {"name": v.name, "lat": v.lat, "lon": v.lon, "older": v.older}
            for v in located
            if v.covered
        ],
        "uncovered": [
            {"name": v.name, "lat": v.lat, "lon": v.lon, "older": v.older}
            for v in located
            if not v.covered
        ],
        "facilities": cov.facilities,
        "center_lat": (sum(v.lat or 0 for v in located) / len(located)) if located else None,
    }
    return render(
        request,
        "community/programmes/coverage.html",
        {
            "cov": cov,
            "uncovered": sorted(
                (v for v in cov.uncovered if v.older), key=lambda v: (-v.older, v.code)
            ),
            "uncovered_empty": sum(1 for v in cov.uncovered if not v.older),
            "counties": counties,
            "county": county,
            "chart": chart,
            "has_map": bool(located or cov.facilities),
            "located": len(located),
            "source": policy.WALK_RADIUS_SOURCE,
            "share": (cov.older_covered * 100 // cov.older_total) if cov.older_total else None,
        },
    )
