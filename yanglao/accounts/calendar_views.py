"""The working calendar page (/calendar/): a year's holidays and 调休上班 weekends, with forms
to add, edit and delete them (the province officer enters each year's State Council notice).
Thin: parsing in the form, rules and audit in accounts.calendar_services."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts import calendar_services as services
from yanglao.accounts.roles import Cap
from yanglao.core.decorators import AuthedRequest, scope
from yanglao.core.models import CalendarDay
from yanglao.core.workdays import add_working_days

_NUL = {"null_characters_not_allowed": "含有不允许的控制字符，请删除后再提交"}


class DayForm(forms.Form):
    day = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "请填写日期，如 2027-02-08",
            "invalid": "日期无效，请按 2027-02-08 的格式填写",
        },
    )
    working = forms.TypedChoiceField(
        label="安排",
        choices=[("0", "放假（周一至周五的节假日）"), ("1", "调休上班（周六或周日上班）")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="0",
        error_messages={
            "required": "请选择放假或调休上班",
            "invalid_choice": "请选择放假或调休上班",
        },
    )
    name = forms.CharField(
        label="节假日名称",
        max_length=services.NAME_MAX,
        strip=False,
        help_text="如 春节、国庆节",
        error_messages={
            "required": "请填写节假日名称（如 春节）",
            "max_length": "节假日名称不能超过20个字",
            **_NUL,
        },
    )
    document = forms.CharField(
        label="依据文件",
        max_length=services.DOCUMENT_MAX,
        strip=False,
        help_text="通知名称或文号，如 国务院办公厅关于2027年部分节假日安排的通知",
        error_messages={
            "required": "请填写依据文件",
            "max_length": "依据文件不能超过120个字",
            **_NUL,
        },
    )

    def data_input(self) -> services.DayInput:
        c = self.cleaned_data
        return services.DayInput(c["day"], c["working"], c["name"], c["document"])


def _year(raw: str, today: date) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100 else today.year


def _save(request: AuthedRequest, form: DayForm, pk: int | None) -> bool:
    """Validate and write; service errors go beside their fields. True when saved."""
    if not form.is_valid():
        return False
    try:
        if pk is None:
            services.day_add(actor=request.user, data=form.data_input())
        else:
            services.day_update(actor=request.user, pk=pk, data=form.data_input())
    except services.CalendarInvalid as exc:
        for field, errs in exc.errors.items():
            for e in errs:
                form.add_error(None if field == "__all__" else field, e)
        return False
    return True


@scope(Cap.CALENDAR_MANAGE)
def year(request: AuthedRequest) -> HttpResponse:
    services.require_manager(request.user)
    today = timezone.localdate()
    shown = _year(request.GET.get("year", ""), today)
    form = DayForm(request.POST or None)
    if request.method == "POST" and _save(request, form, None):
        added = form.cleaned_data["day"]
        messages.success(request, f"已登记 {added:%Y-%m-%d}")
        return redirect(f"{reverse('calendar:year')}?year={added.year}")
    rows = list(CalendarDay.objects.filter(day__year=shown).order_by("day"))
    years = sorted({d.year for d in CalendarDay.objects.dates("day", "year")} | {shown, today.year})
    # What the calendar does, on an example the officer can check: 10 working days from today.
    upcoming = dict(CalendarDay.objects.filter(day__gte=today).values_list("day", "working"))
    return render(
        request,
        "accounts/calendar.html",
        {
            "form": form,
            "rows": rows,
            "year": shown,
            "years": years,
            "off": sum(1 for r in rows if not r.working),
            "worked": sum(1 for r in rows if r.working),
            "today": today,
            "example_due": add_working_days(today, 10, upcoming),
        },
    )


def _row(pk: int) -> CalendarDay:
    row = CalendarDay.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


@scope(Cap.CALENDAR_MANAGE)
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    services.require_manager(request.user)
    row = _row(pk)
    initial = {
        "day": row.day,
        "working": "1" if row.working else "0",
        "name": row.name,
        "document": row.document,
    }
    form = DayForm(request.POST or None, initial=initial)
    if request.method == "POST" and _save(request, form, row.pk):
        messages.success(request, "已保存")
        return redirect(f"{reverse('calendar:year')}?year={form.cleaned_data['day'].year}")
    return render(request, "accounts/calendar_edit.html", {"form": form, "row": row})


@scope(Cap.CALENDAR_MANAGE)
@require_POST
def delete(request: AuthedRequest, pk: int) -> HttpResponse:
    services.require_manager(request.user)
    row = _row(pk)
    services.day_delete(actor=request.user, pk=row.pk)
    messages.success(request, f"已删除 {row.day:%Y-%m-%d} {row.name}")
    return redirect(f"{reverse('calendar:year')}?year={row.day.year}")
