"""Thin views: parse the request, call a selector or service, render."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import READ_RECORDS, WRITE_RECORDS, in_scope
from yanglao.core.audit import Action, audit
from yanglao.core.decorators import AuthedRequest, flash_errors, scope
from yanglao.core.sheets import SheetError, export_response
from yanglao.people import ledger_export, selectors, services
from yanglao.people.choices import AGE_BANDS, ETHNICITY_NAMES, LifeStatus
from yanglao.people.forms import (
    CategoryAddForm,
    CategoryEndForm,
    DementiaEndForm,
    DementiaForm,
    DisabilityEndForm,
    DisabilityForm,
    FilterForm,
    LifeEventForm,
    PersonForm,
)
from yanglao.people.models import Dementia, Disability, PersonCategory
from yanglao.people.rules import age_on
from yanglao.regions import codes
from yanglao.regions.models import Region

# Above this many villages a select is unusable: ask for the county first.


@scope(Cap.STATS_VIEW)
def home(request: AuthedRequest) -> HttpResponse:
    # From the nightly statistics snapshot (statistics.selectors.home_figures); live and
    # cached for a minute only before the first snapshot exists.
    counts = selectors.home_counts(user=request.user)
    roots = selectors.browsable_roots(request.user)
    return render(
        request,
        "people/home.html",
        {"counts": counts, "roots": roots, "age_bands": list(AGE_BANDS)},
    )


@scope(public=True)
def index(request: AuthedRequest) -> HttpResponse:
    """Landing: the home page for ledger roles, the right desk for the others."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.can(Cap.STATS_VIEW):
        return home(request)
    if user.can(Cap.AUDIT_VIEW):
        return redirect("audit:search")
    if user.can(Cap.ACCOUNT_MANAGE):
        return redirect("accounts:users")
    if user.can(Cap.REGION_MANAGE):
        return redirect("assessments:config")
    return render(request, "people/no_desk.html")


def _filter(request: AuthedRequest) -> tuple[FilterForm, selectors.PersonFilter]:
    form = FilterForm(request.GET or None)
    f = selectors.PersonFilter()
    if form.is_valid():
        d = form.cleaned_data
        status = d["life_status"] or LifeStatus.ALIVE
        f = selectors.PersonFilter(
            region=d["region"],
            category=d["category"],
            age_band=d["age_band"],
            q=d["q"],
            life_status="" if status == "all" else status,
        )
    return form, f


@scope(Cap.PERSON_VIEW)
def person_list(request: AuthedRequest) -> HttpResponse:
    form, f = _filter(request)
    rows, next_cursor = selectors.person_list(
        user=request.user,
        f=f,
        cursor=request.GET.get("cursor", ""),
    )
    today = timezone.localdate()
    items = [{"p": p, "age": age_on(p.birth_date, today)} for p in rows]
    query = request.GET.copy()
    query.pop("cursor", None)
    region = Region.objects.filter(code=f.region).first() if f.region else None
    ctx = {
        "form": form,
        "items": items,
        "next_cursor": next_cursor,
        "query": query.urlencode(),
        "region": region,
        "is_first_page": not request.GET.get("cursor"),
    }
    template = "people/_list_rows.html" if request.htmx else "people/list.html"
    return render(request, template, ctx)


@scope(Cap.PERSON_VIEW)
def person_detail(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    person = selectors.person_get(user=request.user, public_id=public_id)
    today = timezone.localdate()
    user = request.user
    can_edit = user.can(Cap.PERSON_EDIT) and in_scope(user, person.region_id, WRITE_RECORDS)
    ctx: dict[str, Any] = {
        "person": person,
        "age": age_on(person.birth_date, today),
        "ethnicity": ETHNICITY_NAMES.get(person.ethnicity, ""),
        "tags": selectors.person_tags(person),
        "active": selectors.active_categories(person, today),
        "contacts": list(person.contacts.all()),
        "members": selectors.household_members(person),
        "ancestors": Region.objects.filter(code__in=codes.ancestor_codes(person.region_id)),
        "can_edit": can_edit and person.life_status == LifeStatus.ALIVE,
        "can_reveal": user.can(Cap.PERSON_REVEAL),
        "labels": _labels(person),
        "category_form": CategoryAddForm(initial={"start_date": today}),
        "end_form": CategoryEndForm(initial={"end_date": today}),
        "event_form": LifeEventForm(initial={"date": today, "version": person.version}),
        "groups": selectors.person_groups(person, today),
        "disabilities": selectors.person_disabilities(person),
        "dementia": selectors.person_dementia(person),
        "disability_form": DisabilityForm(initial={"issue_date": today}),
        "disability_end_form": DisabilityEndForm(initial={"end_date": today}),
        "dementia_form": DementiaForm(initial={"diagnosed_on": today}),
        "dementia_end_form": DementiaEndForm(),
        "household_region": Region.objects.filter(code=person.household_region_id).first(),
    }
    return render(request, "people/detail.html", ctx)


def _labels(person: Any) -> dict[str, str]:
    from yanglao.people.choices import IncomeSource, LivingArrangement, MedicalPayment

    def join(values: list[str], enum: Any) -> str:
        return "、".join(str(enum(v).label) for v in values if v in enum.values) or "—"

    return {
        "living": join(person.living_arrangement, LivingArrangement),
        "medical": join(person.medical_payment, MedicalPayment),
        "income": join(person.income_sources, IncomeSource),
    }


def _villages(request: AuthedRequest) -> tuple[list[Region], list[Region], str]:
    county = request.GET.get("county", "") or request.POST.get("county", "")
    return selectors.village_picker(request.user, county)


@scope(Cap.PERSON_EDIT)
def person_create(request: AuthedRequest) -> HttpResponse:
    villages, counties, county = _villages(request)
    form = PersonForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            person, warnings = services.person_register(actor=request.user, data=form.to_input())
        except services.PersonInvalid as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, f"已登记：{person.name}")
            for w in warnings:
                messages.warning(request, w)
            return redirect("people:detail", public_id=person.public_id)
    return render(
        request,
        "people/form.html",
        {"form": form, "counties": counties, "county": county, "creating": True},
    )


@scope(Cap.PERSON_EDIT)
def person_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    person = selectors.person_get(user=request.user, public_id=public_id, modes=WRITE_RECORDS)
    villages, _, _ = _villages(request)
    if not any(v.code == person.region_id for v in villages):
        villages = [person.region, *villages]
    if request.method == "POST":
        form = PersonForm(request.POST, villages=villages)
        if form.is_valid():
            old_region = person.region
            try:
                updated, _ = services.person_update(
                    actor=request.user,
                    person=person,
                    data=form.to_input(),
                    expected_version=form.cleaned_data["version"] or 0,
                )
            except services.StaleVersion as exc:
                form.add_error(
                    None,
                    f"保存失败：该记录已被他人修改（当前版本 {exc.current}），"
                    "请刷新页面查看最新内容后再修改。",
                )
            except services.PersonInvalid as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(request, "已保存修改")
                if updated.region_id != old_region.code:
                    # A move is a life event the other modules follow (people.hooks): say so.
                    crossed = updated.region_id[:6] != old_region.code[:6]
                    messages.info(
                        request,
                        f"居住村（社区）已由{old_region.name}改为{updated.region.name}："
                        "巡访档案、未完成的巡访任务和跟进事项、办理中的待遇申请已随迁；"
                        "原巡访员不负责新村（社区）的已解除分配，请新村（社区）所在乡镇（街道）"
                        "在“分配巡访员”中指定。"
                        + (
                            "跨县迁居：原县待遇自下月起停发，迁入县已生成复核任务。"
                            if crossed
                            else ""
                        ),
                    )
                return redirect("people:detail", public_id=person.public_id)
    else:
        form = PersonForm(initial=PersonForm.initial_from(person), villages=villages)
    return render(
        request,
        "people/form.html",
        {"form": form, "person": person, "counties": [], "creating": False},
    )


@require_POST
@scope(Cap.PERSON_EDIT)
def person_life_event(request: AuthedRequest, public_id: UUID, kind: str) -> HttpResponse:
    person = selectors.person_get(user=request.user, public_id=public_id, modes=WRITE_RECORDS)
    form = LifeEventForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写日期和原因")
        return redirect("people:detail", public_id=public_id)
    record = {
        "death": services.person_record_death,
        "move-out": services.person_record_move_out,
    }.get(kind)
    if record is None:
        return HttpResponse(status=404)
    try:
        record(
            actor=request.user,
            person=person,
            on=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleVersion:
        messages.error(request, "该记录已被他人修改，请刷新后重试")
    except services.PersonInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "已记录死亡" if kind == "death" else "已记录迁出")
    return redirect("people:detail", public_id=public_id)


@require_POST
@scope(Cap.PERSON_EDIT)
def category_add(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    person = selectors.person_get(user=request.user, public_id=public_id, modes=WRITE_RECORDS)
    form = CategoryAddForm(request.POST)
    if form.is_valid():
        try:
            services.person_category_add(
                actor=request.user,
                person=person,
                category=form.cleaned_data["category"],
                start=form.cleaned_data["start_date"],
                note=form.cleaned_data["note"],
            )
        except services.PersonInvalid as exc:
            flash_errors(request, exc.errors)
        else:
            messages.success(request, "已添加类别")
    else:
        messages.error(request, "请选择类别并填写开始日期")
    return redirect("people:detail", public_id=public_id)


@require_POST
@scope(Cap.PERSON_EDIT)
def category_end(request: AuthedRequest, public_id: UUID, tag_id: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, public_id=public_id, modes=WRITE_RECORDS)
    tag = get_object_or_404(PersonCategory, pk=tag_id, person=person)
    form = CategoryEndForm(request.POST)
    if form.is_valid():
        try:
            services.person_category_end(
                actor=request.user,
                tag=tag,
                end=form.cleaned_data["end_date"],
            )
        except services.PersonInvalid as exc:
            flash_errors(request, exc.errors)
        else:
            messages.success(request, "已结束该类别")
    return redirect("people:detail", public_id=public_id)


@require_POST
@scope(Cap.PERSON_EDIT)
def disability_add(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    person = selectors.person_get(user=request.user, public_id=public_id, modes=WRITE_RECORDS)
    form = DisabilityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写残疾类别、等级、残疾人证号和发证日期")
        return redirect("people:detail", public_id=public_id)
    d = form.cleaned_data
    try:
        services.disability_add(
            actor=request.user,
            person=person,
            kind=d["kind"],
            grade=d["grade"],
            certificate=d["certificate"],
            issue_date=d["issue_date"],
            note=d["note"],
        )
    except services.PersonInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "已登记残疾信息")
    return redirect("people:detail", public_id=public_id)


@require_POST
@scope(Cap.PERSON_EDIT)
def disability_end(request: AuthedRequest, public_id: UUID, row_id: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, public_id=public_id, modes=WRITE_RECORDS)
    row = get_object_or_404(Disability, pk=row_id, person=person)
    form = DisabilityEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写结束日期")
        return redirect("people:detail", public_id=public_id)
    try:
        services.disability_end(actor=request.user, row=row, end=form.cleaned_data["end_date"])
    except services.PersonInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "已结束该残疾信息")
    return redirect("people:detail", public_id=public_id)


@require_POST
@scope(Cap.PERSON_EDIT)
def dementia_add(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    person = selectors.person_get(user=request.user, public_id=public_id, modes=WRITE_RECORDS)
    form = DementiaForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择诊断来源并填写诊断日期")
        return redirect("people:detail", public_id=public_id)
    d = form.cleaned_data
    try:
        services.dementia_add(
            actor=request.user,
            person=person,
            source=d["source"],
            diagnosed_on=d["diagnosed_on"],
            reference=d["reference"],
            note=d["note"],
        )
    except services.PersonInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "已登记失智")
    return redirect("people:detail", public_id=public_id)


@require_POST
@scope(Cap.PERSON_EDIT)
def dementia_end(request: AuthedRequest, public_id: UUID, row_id: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, public_id=public_id, modes=WRITE_RECORDS)
    row = get_object_or_404(Dementia, pk=row_id, person=person)
    form = DementiaEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写撤销原因")
        return redirect("people:detail", public_id=public_id)
    try:
        services.dementia_end(actor=request.user, row=row, note=form.cleaned_data["note"])
    except services.PersonInvalid as exc:
        flash_errors(request, exc.errors)
    else:
        messages.success(request, "已撤销失智登记")
    return redirect("people:detail", public_id=public_id)


@require_POST
@scope(Cap.PERSON_REVEAL)
def person_reveal(request: AuthedRequest, public_id: UUID, field: str) -> HttpResponse:
    person = selectors.person_get(user=request.user, public_id=public_id, modes=READ_RECORDS)
    if field not in {"id_number", "phone"}:
        return HttpResponse(status=404)
    value = services.person_reveal(actor=request.user, person=person, field=field)
    return render(request, "people/_revealed.html", {"value": value})


@scope(Cap.PERSON_EXPORT)
def person_export(request: AuthedRequest, fmt: str = "xlsx") -> HttpResponseBase:
    """The filtered list as .xlsx or .csv, streamed; the columns are the import template's,
    so a corrected export can be uploaded again. Full ID and phone numbers only for users
    who may reveal them and ask for it; either way the export is audited."""
    _, f = _filter(request)
    full = request.GET.get("ids") == "full" and request.user.can(Cap.PERSON_REVEAL)
    with transaction.atomic():
        audit(
            actor=request.user,
            action=Action.PERSON_EXPORT,
            object_type="person_list",
            object_label=f"老年人名单导出（{fmt}）",
            region_code=f.region,
            changes={"filter": vars(f), "format": fmt, "identifiers": "full" if full else "masked"},
        )
    header, rows = ledger_export.person_rows(user=request.user, f=f, full=full)
    stem = f"老年人台账-{timezone.localdate():%Y%m%d}"
    try:
        return export_response(fmt, stem, header, rows)
    except SheetError as e:
        messages.error(request, str(e))
        return redirect(f"{reverse('people:list')}?{request.GET.urlencode()}")


@scope(Cap.PERSON_VIEW)
def duplicates(request: AuthedRequest) -> HttpResponse:
    groups = selectors.duplicate_candidates(user=request.user)
    return render(request, "people/duplicates.html", {"groups": groups})
